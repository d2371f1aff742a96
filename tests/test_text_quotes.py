"""rag.text.quotes: quoted phrases and the one test of whether a text holds one."""
from rag.text.quotes import phrase_key, phrase_span, quoted_phrases


def test_quoted_phrases_in_any_quote_marks_of_two_words_or_more():
    q = "Which release quotes a DCI saying 'We cannot arrest our way out of this'? Give its opening line."
    assert quoted_phrases(q) == ["We cannot arrest our way out of this"]
    assert quoted_phrases("the “Operation Silver Harbor” takedown and the \"Latin lottery\" scam") == [
        "Operation Silver Harbor", "Latin lottery"]
    assert quoted_phrases("He said ‘we can’t stop now’ today") == ["we can’t stop now"]
    # apostrophes are not quote marks; one quoted word is not a phrase
    assert quoted_phrases("What did Luton's council and the force's team say?") == []
    assert quoted_phrases("the 'Boson' unit") == []
    assert quoted_phrases("the 'Boson' unit", min_words=1) == ["Boson"]


def test_phrase_key_ignores_case_punctuation_and_quote_marks():
    assert phrase_key("We can’t arrest — our way-out of THIS.") == "we cant arrest our way out of this"
    assert phrase_key("“We can't arrest our way out of this,” he said") .startswith(
        phrase_key("We can’t arrest our way out of this"))


def test_phrase_span_finds_the_quoted_phrase_whatever_its_punctuation():
    text = "He said: “We can’t arrest our\nway out of this,” and left."
    q = "Which release says 'we can't arrest our way out of this'?"
    start, end = phrase_span(text, q)
    assert text[start:end] == "We can’t arrest our\nway out of this"
    assert phrase_span("the clear-hold build", "the 'clear hold build' idea") == (4, 20)
    assert phrase_span("unclear hold builder", "the 'clear hold build' idea") is None  # whole words only
    assert phrase_span(text, "no quotes here") is None and phrase_span("nothing", q) is None
