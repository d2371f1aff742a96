"""split_sentences: exact spans, abbreviations, quotes, newlines, and invariants."""
from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.text.sentences import one_line, wrap_width, sentences, split_sentences


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
    # a line ending in a word no sentence or heading ends with ("than", "in", "the") goes on: a web page's
    # emphasis, a title broken before its last words
    page = "Key Accomplishments:\nMore than\n342 people\nwith mental health disorders have been diverted.\nThe End"
    assert sentences(page) == ["Key Accomplishments:",
                               "More than\n342 people\nwith mental health disorders have been diverted.", "The End"]
    title = "Indictments of Officers Involved in\nSummer 2020 Protests\n(Dallas, Texas) - The DA announced."
    assert sentences(title)[0] == "Indictments of Officers Involved in\nSummer 2020 Protests"
    # a line opening with what no sentence opens with (a comma, a colon, a closing bracket, a possessive)
    # goes on with the one before: scraped pages break lines around emphasis and links
    broken = ("The Governor reversed the grant in June. Ce\ncena\n\u2019s next parole hearing is in December 2021.\n"
              "Miami, Florida\n, State Attorney Katherine Fernandez Rundle will speak.\nDaniel Oneil\n, 38, was "
              "charged (see\nour site\n) today.\n\u2019Twas a test.\n\u201cA quote\u201d\nThe End")
    assert sentences(broken) == [
        "The Governor reversed the grant in June.", "Ce\ncena\n\u2019s next parole hearing is in December 2021.",
        "Miami, Florida\n, State Attorney Katherine Fernandez Rundle will speak.",
        "Daniel Oneil\n, 38, was charged (see\nour site\n) today.", "\u2019Twas a test.", "\u201cA quote\u201d", "The End"]
    # shown on one line: no space where the line broke before what goes on with it
    assert [one_line(s) for s in sentences(broken)][1:4] == [
        "Ce cena\u2019s next parole hearing is in December 2021.",
        "Miami, Florida, State Attorney Katherine Fernandez Rundle will speak.",
        "Daniel Oneil, 38, was charged (see our site) today."]
    assert one_line("  one\n  two\t three \n") == "one two three"


# A release converted from PDF, wrapped at 60 columns (after the Dallas County DA's grant release).
PARAGRAPHS = [
    "For Immediate Release",  # (a heading within a word of the width would read on: the wrapper can't tell)
    "(Dallas, Texas) - District Attorney John Creuzot is proud to announce the Dallas County District "
    "Attorney's Office has received a grant in the amount of $12,500 from the Texas Bar Foundation to "
    "continue funding Transportation Access.",
    "Removing a Barrier",
    "Participants in AIM have multiple appointments each week - court, meeting with case managers and "
    "drug testing. Many of them have greater risk factors.",
]
WRAPPED = "\n".join(textwrap.fill(p, 60) for p in PARAGRAPHS)


def test_hard_wrapped_text_is_read_across_full_lines():
    assert 50 < wrap_width(WRAPPED) <= 60
    assert [" ".join(s.split()) for s in sentences(WRAPPED)] == [
        PARAGRAPHS[0],
        PARAGRAPHS[1],  # across its four lines, though "Foundation" starts one
        "Removing a Barrier",  # a heading: the next word would have fitted after it
        "Participants in AIM have multiple appointments each week - court, meeting with case managers and "
        "drug testing.",
        "Many of them have greater risk factors.",
    ]
    assert "\nFoundation to continue" in WRAPPED  # a wrapped line starting with a capital


# From a PDF set in a proportional font (the Dallas DA's Nestor Hernandez release): full lines run 92-109
# characters: "... at Methodist Dallas" + "Medical" (87 + 1 + 7 = 95 of a width of 99) ends a full line.
PROPORTIONAL = """November 9, 2023 Contact: Claire Crouch
(Dallas, Texas) - Dallas County Criminal District Attorney John Creuzot is pleased to announce a
Dallas County jury has found Nestor Hernandez, 31, guilty of capital murder for the shooting deaths
of Jacqueline Pokuaa and Katie Annette Flowers on October 22, 2022, at Methodist Dallas
Medical Center. Hernandez received an automatic sentence of Life in Prison without the possibility
of parole.
"At the time this crime occurred I vowed to see that justice was done, and I am satisfied to say that's
what we've accomplished. I say this knowing that justice is no replacement for these two innocent
lives lost nor does it repair the trauma inflicted on the staff."
"""


def test_proportional_font_lines_are_read_within_the_fit(monkeypatch):
    assert wrap_width(PROPORTIONAL) == 99  # the 90th percentile of 9 lines: the 8th longest
    said = [" ".join(s.split()) for s in sentences(PROPORTIONAL)]
    assert said[1].startswith("(Dallas, Texas)") and said[1].endswith("at Methodist Dallas Medical Center.")
    assert said[2] == "Hernandez received an automatic sentence of Life in Prison without the possibility of parole."
    monkeypatch.setattr("rag.text.sentences.WRAP_FIT", 1.0)  # characters taken for width: cut before "Medical"
    assert [" ".join(s.split()) for s in sentences(PROPORTIONAL)][2].startswith("Medical Center.")


def test_text_with_a_paragraph_per_line_is_not_wrapped():
    lines = ["SANTA ANA - An Orange County jury convicted ten defendants of conspiracy and of disrupting a "
             "meeting during a speech at the university in 2010, the office announced today"] * 6
    text = "\n".join(lines)
    assert wrap_width(text) is None  # over 150 columns: not fixed-width text
    assert len(sentences(text)) == 6
    assert wrap_width("One line\nTwo lines") is None  # too few lines to tell


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


def test_remembered_spans_are_a_new_list_each_call():
    # split_sentences remembers its last texts (a count reads each release of its window several times);
    # a caller changing the list it got must not change what the next caller gets
    text = "One sentence here. Another one follows."
    first = split_sentences(text)
    first.append((0, 1))
    first[0] = (5, 6)
    assert split_sentences(text) == [(0, 18), (19, 39)]
