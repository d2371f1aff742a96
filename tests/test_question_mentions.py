"""Question mentions, stems and where mentions are found (rag.question.mentions, rag.text)."""
from __future__ import annotations

import pytest

from rag.answer.evidence import lexical_scores, question_terms
from rag.question import analyse
from rag.question.mentions import ReleaseText, acronyms, question_mentions
from rag.text.stem import suffix_stem as stem
from rag.text.tokenize import content_stems, words as tokens


def kinds(question: str) -> list[tuple[str, str]]:
    return [(m.text, m.kind) for m in question_mentions(question)]


def test_names_and_context():
    assert kinds("What sentence did the Orange County DA announce for Marisol Quintanilla-Brandt?") == [
        ("Orange County DA", "context"),
        ("Marisol Quintanilla-Brandt", "name"),
    ]
    assert kinds("What is the capital of France?") == [("France", "name")]
    assert kinds("What did Bedfordshire Police say about Luton?") == [
        ("Bedfordshire Police", "context"),
        ("Luton", "name"),
    ]


def test_question_words_roles_months_and_sentence_start_are_not_names():
    assert kinds("Police seized what?") == []
    assert kinds("What did the Chief Inspector say on Monday in March?") == []
    assert kinds("What did DCI Kiff say?") == [("Kiff", "name")]
    assert kinds("Was Mr. John A. Smith charged?") == [("John A Smith", "name")]
    assert kinds("Marisol Quintanilla-Brandt was sentenced to what?") == [("Marisol Quintanilla-Brandt", "name")]
    # an elected office is a role too: the release may say "retired U.S. Rep. Eddie Bernice Johnson"
    assert kinds("What did the DA say about former Congresswoman Eddie Bernice Johnson?") == [
        ("DA", "context"), ("Eddie Bernice Johnson", "name")]
    assert kinds("Why was Councilman Adam Nick charged?") == [("Adam Nick", "name")]


def test_title_case_and_shouting_questions_name_nothing():
    assert kinds("How Many Knives Were Seized In Luton Parks?") == []
    assert kinds("WHAT DID KIFF SAY?") == []


def test_numbers_case_numbers_and_quotes():
    assert kinds("What happened in case 09NF3342?") == [("09NF3342", "number")]
    assert [m.tokens for m in question_mentions("Who stole $93,000?")] == [("93000",)]
    assert kinds('Who said "no tolerance"?') == [("no tolerance", "quote")]


def test_tokens_and_stems():
    assert tokens("Kiff’s 1,000 ten U.S.") == ["kiff", "1000", "10", "u", "s"]
    assert len({stem(w) for w in ["seized", "seize", "seizes"]}) == 1
    assert stem("parks") == stem("park")
    assert stem("sentenced") == stem("sentence")
    assert content_stems("What did the police say about the knives?") == ["polic", "kniv"]


@pytest.mark.parametrize(
    "question, body, found",
    [
        ("What did John Smith say?", "John A. Smith, 34, said nothing.", True),
        ("What did John Smith say?", "Jane Smith said nothing.", False),
        ("What about Quintanilla-Brandt?", "Quintanilla Brandt was there.", True),
        ("What about Quintanilla-Brandt?", "Quintanilla was there.", False),
        ('Who said "no tolerance"?', "We have no tolerance for this.", True),
        ('Who said "no tolerance"?', "We have tolerance, no.", False),
        ("Who was charged in case 21CF0042?", "Case # 21CF0042 was filed.", True),
        ("How many were seized in 2022?", "Nothing here.", True),  # the release date
        ("How many were seized on 10 parks?", "They searched ten parks.", True),
        ("Who came to the Street Meets?", "A Street Meet at Hockwell Ring.", True),
        ("Who came to the Street Meet?", "Two Street Meets were held.", True),
        ("Who came to the Street Meets?", "A Street Party was held.", False),
        ("What did the Boson-led response do?", "Operation Boson patrolled.", True),
        ("What did the Boson-led response do?", "Operation Costello patrolled.", False),
        ("Who is Rosas-Zagal?", "Juana Rosas was found.", False),
        # two names joined by a lower-case word: each must be there, not the two side by side
        ("Who ran the Virginia-to-Brooklyn gun ring?", "Guns bought in Virginia were sold in Brooklyn.", True),
        ("Who ran the Virginia-to-Brooklyn gun ring?", "Guns were sold in Brooklyn.", False),
        # a name written closed up in the question and apart in the release
        ("What did TechSoup's Caravan Studios build?", "Tech Soup and Caravan Studios built it.", True),
        ("What did TechSoup build?", "Tech support was given.", False),
        # a number word in a name is its number, not an initial: "Two" is looked up as "two" or "2"
        ("Two J.P. Morgan Chase bankers were indicted. Why?", "The two bankers worked at J.P. Morgan Chase.", True),
        ("Two J.P. Morgan Chase bankers were indicted. Why?", "The bankers worked at J.P. Morgan Chase.", False),
    ],
)
def test_haystack(question, body, found):
    hay = ReleaseText("Title", body, "source", "2022-04-12", url=None)
    required = [m for m in question_mentions(question) if m.required]
    assert required
    assert all(hay.contains(m) for m in required) is found


def test_haystack_acronyms_and_url():
    body = "Partners such as the Bedfordshire Violence and Exploitation Reduction Unit help."
    hay = ReleaseText("", body, url="https://www.brooklynda.org/x")
    [veru] = question_mentions("What is VERU?")
    assert veru.kind == "name" and hay.contains(veru)  # spelled out in full
    [hmrc] = question_mentions("What is HMRC?")
    assert not hay.contains(hmrc)
    assert "dci" in acronyms("Detective Chief Inspector Aaron Kiff said so.")
    [brooklyn] = question_mentions("What happened in Brooklyn?")
    assert hay.contains(brooklyn)  # found in the release URL
    assert kinds("What did the DCI say about the NYPD?") == [("NYPD", "context")]


def test_lexical_scores_weigh_rare_terms_and_group_names():
    terms = question_terms(analyse("What is Teantre Deshe Millrow charged with?"))
    assert (frozenset({"teantr", "desh", "millrow"}), True) in terms
    cands = [frozenset({"millrow", "accus"}), frozenset({"charg", "felony"}), frozenset({"weather"})]
    scores = lexical_scores(terms, cands)
    assert scores[2] == 0.0 and 0 < scores[0] < 1 and 0 < scores[1] < 1
    # the name only in the release context earns half of its weight
    with_context = lexical_scores(terms, cands, [frozenset({"millrow"})] * 3)
    assert with_context[1] > scores[1] and with_context[0] == scores[0]
    assert lexical_scores([], cands) == [0.0, 0.0, 0.0]


def test_a_number_with_a_possessive_is_the_number():
    assert [(m.text, m.tokens) for m in question_mentions("How many cases under Prop 36's rules?")
            if m.kind == "number"] == [("36", ("36",))]
