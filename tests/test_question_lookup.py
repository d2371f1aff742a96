"""rag.question.lookup: questions that ask for a release, and their search text."""
from rag.question.lookup import asks_for_release, search_text


def test_lookup_wording_is_recognised_and_stripped():
    q = ("Which Orange County DA release reported charges against a 19-year-old caught with a glass shank? "
         "Give its title and date.")
    assert asks_for_release(q)
    text = search_text(q)
    assert "release" not in text.lower() and "title" not in text.lower() and "date" not in text.lower()
    assert "19-year-old" in text and "glass shank" in text


def test_other_lookup_phrasings():
    for q in ["I'm looking for the Brooklyn DA release about a hate crime. What is its title and date?",
              "Which Bedfordshire Police news release described extra patrols? Give its title and publication date.",
              "Which press release announced the Mag Mile charges?"]:
        assert asks_for_release(q), q
        assert "release" not in search_text(q).lower()


def test_ordinary_questions_are_untouched():
    for q in ["How many knives were seized in Luton parks?", "Which judge released the defendant on bail?",
              "What date was the hearing set for?"]:
        assert not asks_for_release(q), q
        assert search_text(q) == q
