from rag.retrieval.query import is_lookup, search_text


def test_lookup_wording_is_recognised_and_stripped():
    q = ("Which Orange County DA release reported charges against a 19-year-old caught with a glass shank? "
         "Give its title and date.")
    assert is_lookup(q)
    text = search_text(q)
    assert "release" not in text.lower() and "title" not in text.lower() and "date" not in text.lower()
    assert "19-year-old" in text and "glass shank" in text


def test_other_lookup_phrasings():
    for q in ["I'm looking for the Brooklyn DA release about a hate crime. What is its title and date?",
              "Which Bedfordshire Police news release described extra patrols? Give its title and publication date.",
              "Which press release announced the Mag Mile charges?"]:
        assert is_lookup(q), q
        assert "release" not in search_text(q).lower()


def test_ordinary_questions_are_untouched():
    for q in ["How many knives were seized in Luton parks?", "Which judge released the defendant on bail?",
              "What date was the hearing set for?"]:
        assert not is_lookup(q), q
        assert search_text(q) == q


def test_quoted_phrases_in_any_quote_marks_of_two_words_or_more():
    from rag.retrieval.query import quoted_phrases

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
    from rag.retrieval.query import phrase_key

    assert phrase_key("We can’t arrest — our way-out of THIS.") == "we cant arrest our way out of this"
    assert phrase_key("“We can't arrest our way out of this,” he said") .startswith(
        phrase_key("We can’t arrest our way out of this"))


def test_phrase_span_finds_the_quoted_phrase_whatever_its_punctuation():
    from rag.retrieval.query import phrase_span

    text = "He said: “We can’t arrest our\nway out of this,” and left."
    q = "Which release says 'we can't arrest our way out of this'?"
    start, end = phrase_span(text, q)
    assert text[start:end] == "We can’t arrest our\nway out of this"
    assert phrase_span("the clear-hold build", "the 'clear hold build' idea") == (4, 20)
    assert phrase_span("unclear hold builder", "the 'clear hold build' idea") is None  # whole words only
    assert phrase_span(text, "no quotes here") is None and phrase_span("nothing", q) is None
