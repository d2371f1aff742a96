"""Tests of the answer, citation and summary metrics: normalisation, key facts, token F1,
refusals, citations and support against hand-made answers; percentiles against numpy.
(Retrieval metrics: test_eval_metrics_retrieval.py.)"""
from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from eval.metrics import (
    SUPPORT_METHOD,
    SUPPORT_THRESHOLD,
    aggregate,
    citation_precision,
    citation_support,
    citation_validity,
    cited_numbers,
    fact_present,
    key_fact_accuracy,
    normalize,
    percentile,
    refusal_rates,
    split_sentences,
    support_score,
    token_f1,
)
from rag.models import Citation

TOL = 1e-9


def cite(n: int, quote: str, release_id: str = "r1") -> Citation:
    return Citation(n=n, release_id=release_id, title="T", date="2024-01-01", url=None, start=0, end=len(quote), quote=quote)


# --------------------------------------------------------------------------- normalisation

NORMALIZE_TABLE = [
    ("24,179 cases", "24179 cases"),
    ("Sachs, 22,pleaded guilty", "sachs 22 pleaded guilty"),  # a scraped page's missing space after a comma
    ("1,000,and more", "1000 and more"),
    ("Two to four years", "2 to 4 years"),
    ("two to four years", "2 to 4 years"),
    ("The company\u2019s \u201cnew\u201d plan", "the company's new plan"),
    ("Ten knives", "10 knives"),
    ("$2.02 million", "2.02 million"),
    ("\u00a34.3m fine", "4.3 million fine"),
    ("$2bn deal", "2 billion deal"),
    ("a 10m drop", "a 10m drop"),  # bare suffix: could be metres, left alone
    ("3.0 and 2.50 and 1,000,000.00", "3 and 2.5 and 1000000"),
    ("version 1,2", "version 1,2"),  # not a thousands separator
    ("50% rise; 50 per cent", "50 percent rise 50 percent"),
    ("twenty-five", "25"),
    ("one hundred and twenty people", "120 people"),
    ("three thousand two hundred", "3200"),
    ("twenty, five", "20 5"),  # phrases do not cross punctuation
    ("a hundred and one", "a hundred and 1"),
    ("zero one", "0 1"),
    ("nineteen eleven", "19 11"),
    ("first and second", "first and second"),
    ("  lots\tof\n\nspace  ", "lots of space"),
    ("2019\u20132020 \u2014 then", "2019 2020 then"),
    ("COVID-19 (the virus).", "covid 19 the virus"),
    ("AT&T & Verizon", "at&t and verizon"),
    ("O\u2019Brien, \u2018quoted\u2019", "o'brien quoted"),
    ("fined [1] heavily [2, 3].", "fined heavily"),
    ("\uff21\uff22\uff23 \ufb01ne", "abc fine"),  # full-width letters, fi ligature
    ("Sentenced to 10 years.", "sentenced to 10 years"),
    ("", ""),
    ("...", ""),
]


@pytest.mark.parametrize("text,expected", NORMALIZE_TABLE)
def test_normalize_table(text, expected):
    assert normalize(text) == expected


MATCH_TABLE = [
    ("24179 cases were reviewed", "24,179", True),
    ("24,179 cases were reviewed", "24179 cases", True),
    ("He got two to four years.", "Two to four years", True),
    ("He got 2 to 4 years.", "two to four years", True),
    ("The firm\u2019s \u201cprogramme\u201d", "the firm's \"programme\"", True),
    ("police seized 10 knives", "ten knives", True),
    ("police seized ten knives", "10", True),
    ("Fraud of $2.02 million was found.", "2.02 million", True),
    ("Fraud of 2.02 million was found.", "$2.02 million", True),
    ("fined \u00a34.3 million", "\u00a34.3m", True),
    ("a 15-year sentence", "15 year", True),
    ("up 12 per cent", "12%", True),
    ("profit of 3.0 billion", "3 billion", True),
    ("24179 cases", "2417", False),  # token boundaries, not raw substrings
    ("ten thousand knives", "ten knives", False),
    ("ten thousand knives", "10000 knives", True),
    ("sentenced to 12 years", "twelve years", True),
    ("sentenced to 12 years", "21 years", False),
    ("the cases", "cases were", False),
    ("Ashton Colby Sachs, 22,pleaded guilty today", "pleaded guilty", True),
    # a possessive ending hides no fact (the release itself may name it only so), either side
    ("the San Diego Human Relations Commission\u2019s Bayard Rustin award", "Human Relations Commission", True),
    ("Gonzalez's office announced", "Gonzalez", True),
    ("the office of Gonzalez announced", "Gonzalez's", True),
    ("the Commissioner's award", "Commission", False),  # still whole tokens
    ("it's a commission", "Commission's award", False),
]


@pytest.mark.parametrize("answer,fact,present", MATCH_TABLE)
def test_fact_present_table(answer, fact, present):
    assert fact_present(answer, fact) is present


def test_fact_that_normalises_to_nothing_is_an_error():
    with pytest.raises(ValueError):
        fact_present("anything", " -- ")


# --------------------------------------------------------------------------- key facts, token F1, refusals


def test_key_fact_accuracy_is_all_or_nothing():
    answer = "Smith was sentenced to ten years and fined $24,179 [1]."
    assert key_fact_accuracy(answer, ["10 years", "24179"]) == 1.0
    assert key_fact_accuracy(answer, ["10 years", "24179", "Jones"]) == 0.0
    assert key_fact_accuracy(answer, ["Jones"]) == 0.0
    assert key_fact_accuracy(answer, ("smith",)) == 1.0
    assert key_fact_accuracy(answer, []) is None
    assert key_fact_accuracy("I cannot answer that.", []) is None
    with pytest.raises(TypeError):
        key_fact_accuracy(answer, "10 years")


@pytest.mark.parametrize(
    "pred,ref,expected",
    [
        ("the cat sat", "cat sat down", 0.8),  # p=1, r=2/3
        ("The Cat sat!", "a cat sat", 1.0),  # case, punctuation, articles
        ("dog", "cat", 0.0),
        ("", "", 1.0),
        ("the", "a an", 1.0),  # both empty after article removal
        ("cat", "", 0.0),
        ("", "cat", 0.0),
        ("ten knives", "10 knives seized", 0.8),
        ("a b b c", "b b d", 2 * (2 / 3) * (2 / 3) / (4 / 3)),  # multiset: 'a' is an article
        ("x x x", "x", 0.5),  # p=1/3, r=1
        ("fined [1] 24,179 dollars", "24179 dollars fined", 1.0),
    ],
)
def test_token_f1_known_values(pred, ref, expected):
    assert token_f1(pred, ref) == pytest.approx(expected)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abc xyz.,ten1", max_size=30), st.text(alphabet="abc xyz.,ten1", max_size=30))
def test_token_f1_is_symmetric_and_bounded(a, b):
    assert token_f1(a, b) == pytest.approx(token_f1(b, a))
    assert 0.0 <= token_f1(a, b) <= 1.0


def test_refusal_rates():
    items = [(True, True), (True, False), (True, True), (True, True), (False, False), (False, True), (False, False)]
    assert refusal_rates(items) == {"refusal_rate_unanswerable": 0.75, "false_refusal_rate": pytest.approx(1 / 3)}
    assert refusal_rates([(False, False)]) == {"refusal_rate_unanswerable": None, "false_refusal_rate": 0.0}
    assert refusal_rates([(True, False)]) == {"refusal_rate_unanswerable": 0.0, "false_refusal_rate": None}
    assert refusal_rates([]) == {"refusal_rate_unanswerable": None, "false_refusal_rate": None}


# --------------------------------------------------------------------------- citations

QUOTE_1 = "John Smith, 45, was sentenced to 10 years in federal prison for wire fraud."
QUOTE_2 = "Smith was also ordered to pay $24,179 in restitution to the victims."
CITATIONS = (cite(1, QUOTE_1, "r1"), cite(2, QUOTE_2, "r2"))


def test_cited_numbers():
    assert cited_numbers("A [1]. B [2, 3][1]. C[4][5]") == [1, 2, 3, 1, 4, 5]
    assert cited_numbers("[ 7 ,8 ]") == [7, 8]
    assert cited_numbers("no markers, [a], [1a], (1), [-1]") == []
    assert cited_numbers("") == []


def test_citation_validity():
    assert citation_validity("Ten years [1]. Restitution [2].", CITATIONS) == 1.0
    assert citation_validity("Ten years [1]. Restitution [3].", CITATIONS) == 0.5
    assert citation_validity("Ten years [1, 2, 3][4].", CITATIONS) == 0.5
    assert citation_validity("Ten years [1][1].", CITATIONS) == 1.0
    assert citation_validity("Ten years [1].", ()) == 0.0  # markers, nothing listed
    assert citation_validity("Ten years.", CITATIONS) == 0.0  # sources listed, no claim carries one
    assert citation_validity("Ten years.", ()) is None
    assert citation_validity("I can't answer from these releases.", CITATIONS, refused=True) is None
    assert citation_validity("I can't answer from these releases.", (), refused=True) is None


def test_citation_precision():
    assert citation_precision(CITATIONS, {"r1", "r2"}) == 1.0
    assert citation_precision(CITATIONS, ["r1"]) == 0.5
    assert citation_precision(CITATIONS, set()) == 0.0
    assert citation_precision((), {"r1"}) is None
    assert citation_precision((cite(1, "q", "r1"), cite(2, "q", "r1"), cite(3, "q", "r9")), {"r1"}) == pytest.approx(2 / 3)


def test_split_sentences_keeps_markers_with_their_claim():
    text = "Smith got 10 years. [1] Mr. Smith, of the U.S., must pay $24,179.[2] He appealed.\n- a bullet [1]"
    assert split_sentences(text) == [
        "Smith got 10 years [1].",
        "Mr. Smith, of the U.S., must pay $24,179[2].",
        "He appealed.",
        "- a bullet [1]",
    ]
    assert split_sentences("") == []
    assert split_sentences("The sum was 2.02 million [1].") == ["The sum was 2.02 million [1]."]


def test_support_score():
    assert SUPPORT_METHOD == "lexical-overlap"
    assert SUPPORT_THRESHOLD == 0.6
    # content tokens: smith, sentenced, 10, years, prison -> all in QUOTE_1
    assert support_score("Smith was sentenced to ten years in prison [1].", [QUOTE_1]) == 1.0
    assert support_score("Smith was sentenced to ten years in prison [1].", QUOTE_1) == 1.0  # a bare str is one quote
    # content: smith, acquitted, jury -> only smith
    assert support_score("Smith was acquitted by a jury.", [QUOTE_1]) == pytest.approx(1 / 3)
    # "not" is content, so a negated claim loses support
    assert support_score("Smith was not sentenced.", [QUOTE_1]) == pytest.approx(2 / 3)
    # numbers normalised on both sides
    assert support_score("Restitution of 24179 dollars.", [QUOTE_2]) == pytest.approx(2 / 3)
    # tokens are found across several quotes
    assert support_score("Smith: 10 years, $24,179 restitution.", [QUOTE_1, QUOTE_2]) == 1.0
    assert support_score("Smith: 10 years, $24,179 restitution.", []) == 0.0
    assert support_score("It was [1].", [QUOTE_1]) == 1.0  # no content tokens: claims nothing
    # quotes are normalised separately: "twenty" + "five" across two quotes is not 25
    assert support_score("25", ["twenty", "five"]) == 0.0


def test_citation_support():
    good = "Smith was sentenced to ten years in prison [1]. He must pay $24,179 in restitution [2]."
    assert citation_support(good, CITATIONS) == 1.0
    wrong_source = "Smith was sentenced to ten years in prison [2]. He must pay $24,179 in restitution [2]."
    assert citation_support(wrong_source, CITATIONS) == 0.5
    unresolved = "Smith was sentenced to ten years in prison [9]. He must pay $24,179 in restitution [2]."
    assert citation_support(unresolved, CITATIONS) == 0.5
    # uncited sentences are not scored
    partly = "Smith was sentenced to ten years in prison [1]. The judge was harsh. Appeals follow."
    assert citation_support(partly, CITATIONS) == 1.0
    # marker after the full stop still belongs to the sentence before it
    assert citation_support("Smith was sentenced to ten years in prison. [1] He cried.", CITATIONS) == 1.0
    # a sentence citing both sources is scored against both quotes
    assert citation_support("Smith got 10 years and owes $24,179 restitution [1, 2].", CITATIONS) == 1.0
    assert citation_support("Smith got 10 years and owes $24,179 restitution [1].", CITATIONS) == 0.0
    assert citation_support("No markers here.", CITATIONS) is None
    assert citation_support("", ()) is None


def test_support_threshold_is_inclusive():
    # 3 of 5 content tokens supported == 0.6 -> supported
    quote = "alpha beta gamma"
    sentence = "alpha beta gamma delta epsilon [1]."
    assert support_score(sentence, [quote]) == pytest.approx(0.6)
    assert citation_support(sentence, (cite(1, quote),)) == 1.0
    assert citation_support("alpha beta delta epsilon zeta [1].", (cite(1, quote),)) == 0.0  # 0.4


# --------------------------------------------------------------------------- percentile, aggregate


@pytest.mark.parametrize(
    "values,p",
    [
        ([1.0], 50),
        ([1.0, 2.0], 50),
        ([1.0, 2.0, 3.0, 4.0], 95),
        ([5.0, 1.0, 4.0, 2.0, 3.0], 0),
        ([5.0, 1.0, 4.0, 2.0, 3.0], 100),
        ([12.5, 80.25, 33.0, 33.0, 1000.0, 7.0], 90),
        ([0.1, 0.2, 0.3], 33.3),
        (list(range(101)), 99),
    ],
)
def test_percentile_matches_numpy_on_fixed_cases(values, p):
    assert percentile(values, p) == pytest.approx(float(np.percentile(values, p)), rel=1e-12, abs=TOL)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=1, max_size=40),
    st.floats(min_value=0, max_value=100),
)
def test_percentile_matches_numpy_on_random_cases(values, p):
    assert percentile(values, p) == pytest.approx(float(np.percentile(values, p)), rel=1e-12, abs=TOL)


def test_percentile_rejects_bad_input():
    for values, p in [([], 50), ([1.0], -1), ([1.0], 101), ([1.0], float("nan")), ([1.0, float("nan")], 50)]:
        with pytest.raises(ValueError):
            percentile(values, p)
    values = [3.0, 1.0, 2.0]
    percentile(values, 50)
    assert values == [3.0, 1.0, 2.0]


def test_aggregate():
    rows = [
        {"a": 1.0, "b": None, "c": True},
        {"a": 0.0, "b": 0.5, "c": False},
        {"a": 0.5, "c": True},
    ]
    before = copy.deepcopy(rows)
    out = aggregate(rows, ["a", "b", "c", "d"])
    assert out == {"a": 0.5, "b": 0.5, "c": pytest.approx(2 / 3), "d": None, "n": 3}
    assert rows == before
    assert aggregate([], ["a"]) == {"a": None, "n": 0}
    with pytest.raises(ValueError):
        aggregate(rows, ["n"])
