"""split_sentences: exact spans, abbreviations, quotes, newlines, and invariants."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.text.sentences import sentences, split_sentences


def test_simple_split_and_exact_offsets():
    text = "  First one here.  Second one!\tThird?  "
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["First one here.", "Second one!", "Third?"]
    assert spans[0] == (2, 17)


def test_empty_and_blank():
    assert split_sentences("") == []
    assert split_sentences(" \n\t \n") == []


def test_titles_do_not_end_sentences():
    assert sentences("Dr. Smith met Mr. Jones and Mrs. Patel. They talked.") == [
        "Dr. Smith met Mr. Jones and Mrs. Patel.",
        "They talked.",
    ]
    assert sentences("Det. Sgt. Ann Lee led the case. It closed.") == [
        "Det. Sgt. Ann Lee led the case.",
        "It closed.",
    ]


def test_dotted_abbreviations():
    assert sentences("The U.S. Attorney's Office agreed. Nothing else.") == [
        "The U.S. Attorney's Office agreed.",
        "Nothing else.",
    ]
    assert sentences("It started at 9 a.m. on Monday and ended at 5 p.m. Friday. Done.") == [
        "It started at 9 a.m. on Monday and ended at 5 p.m. Friday.",
        "Done.",
    ]
    # a.m. followed by an ordinary capitalised word does end the sentence
    assert sentences("He left at 5 p.m. Police arrived later.") == [
        "He left at 5 p.m.",
        "Police arrived later.",
    ]
    assert sentences("Bring tools, e.g. Hammers. Then go.") == ["Bring tools, e.g. Hammers.", "Then go."]


def test_initials_numbers_months():
    assert sentences("John F. Kennedy spoke. Crowds cheered.") == ["John F. Kennedy spoke.", "Crowds cheered."]
    assert sentences("It happened on Nov. 18, 2009, at No. 5 Main Street. Nobody was hurt.") == [
        "It happened on Nov. 18, 2009, at No. 5 Main Street.",
        "Nobody was hurt.",
    ]
    assert sentences("Costs rose 3.5 percent. 10 knives were seized.") == [
        "Costs rose 3.5 percent.",
        "10 knives were seized.",
    ]
    assert sentences("Report it via www.beds.police.uk/ today. Thanks.") == [
        "Report it via www.beds.police.uk/ today.",
        "Thanks.",
    ]


def test_curly_and_straight_quotes():
    text = "He said: “We will act. Nobody is above the law.” Then he left."
    assert sentences(text) == [
        "He said: “We will act.",
        "Nobody is above the law.”",
        "Then he left.",
    ]
    assert sentences("“Why?” he asked. “Because,” she said.") == ["“Why?” he asked.", "“Because,” she said."]
    assert sentences('She said "Stop." Then silence.') == ['She said "Stop."', "Then silence."]
    assert sentences("“It is over.” “Good.”") == ["“It is over.”", "“Good.”"]


def test_newlines():
    text = "Police checking the parks\n\nOfficers seized 10 knives.\nAnyone with information should call."
    assert sentences(text) == [
        "Police checking the parks",
        "Officers seized 10 knives.",
        "Anyone with information should call.",
    ]
    # a soft-wrapped line (next line starts lower-case) continues the sentence
    wrapped = "The defendant was sentenced\nto 15 years in prison. He appealed."
    assert sentences(wrapped) == ["The defendant was sentenced\nto 15 years in prison.", "He appealed."]
    # a headline line with no punctuation is its own sentence
    assert sentences("MAN SENTENCED\nThe man was sentenced.") == ["MAN SENTENCED", "The man was sentenced."]
    assert sentences("Line one\r\nLine two.") == ["Line one", "Line two."]


def test_lowercase_after_period_is_not_a_break():
    assert sentences("Approx. value was high. ok then.") == ["Approx. value was high. ok then."]


def test_ellipsis_and_multiple_marks():
    assert sentences("Wait... What happened?! Nothing.") == ["Wait...", "What happened?!", "Nothing."]


ALPHABET = st.sampled_from(list("ab AB.!?\n\t\r“”\"'()0123-:,") + ["Dr.", "U.S.", "a.m.", " Mr. ", "\n\n", "\u00a0", "…"])
TEXTS = st.one_of(st.text(), st.lists(ALPHABET, max_size=60).map("".join))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_spans_are_stripped_ordered_disjoint_and_cover_text(text):
    spans = split_sentences(text)
    prev_end = 0
    covered = set()
    for s, e in spans:
        assert 0 <= prev_end <= s < e <= len(text)
        assert text[s:e] == text[s:e].strip()
        assert text[s:e]
        covered.update(range(s, e))
        prev_end = e
    # every non-whitespace character belongs to some sentence
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
