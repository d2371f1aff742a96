"""Retrieval metrics against trec_eval (``pytrec_eval``, package ``pytrec-eval-terrier``):
fixed cases, hypothesis-generated runs, ties and duplicates."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from eval.metrics import (
    RETRIEVAL_KEYS,
    dedupe,
    hit_at_k,
    mrr_at_k,
    ndcg_at_k,
    rank_with_ties,
    recall_at_k,
    retrieval_metrics,
)

pytrec_eval = pytest.importorskip("pytrec_eval")

TREC_MEASURES = {"recip_rank", "ndcg_cut.10", "recall.10", "P.1", "success.1,4,10"}
TOL = 1e-9

# --------------------------------------------------------------------------- helpers


def trec(run: dict[str, float], gold: set[str], nonrel: frozenset[str] = frozenset()) -> dict[str, float]:
    """trec_eval's measures for one query; judged non-relevant ids get relevance 0."""
    qrels = {"q": {**{d: 0 for d in nonrel - gold}, **{d: 1 for d in gold}}}
    evaluator = pytrec_eval.RelevanceEvaluator(qrels, TREC_MEASURES)
    return evaluator.evaluate({"q": run})["q"]


def trec_as_ours(run: dict[str, float], gold: set[str], nonrel: frozenset[str] = frozenset()) -> dict[str, float]:
    """trec_eval's numbers under our key names; recip_rank on the run cut to its top 10."""
    full = trec(run, gold, nonrel)
    top10 = rank_with_ties(list(run.items()))[:10]
    cut = trec({d: run[d] for d in top10}, gold, nonrel)
    return {
        "hit@1": full["success_1"],
        "hit@4": full["success_4"],
        "hit@10": full["success_10"],
        "recall@10": full["recall_10"],
        "mrr@10": cut["recip_rank"],
        "ndcg@10": full["ndcg_cut_10"],
        "P@1": full["P_1"],
    }


def assert_matches_trec(run: dict[str, float], gold: set[str], nonrel: frozenset[str] = frozenset()) -> None:
    ours = retrieval_metrics(rank_with_ties(list(run.items())), gold)
    ref = trec_as_ours(run, gold, nonrel)
    assert set(ours) == set(RETRIEVAL_KEYS)
    for key in RETRIEVAL_KEYS:
        assert ours[key] == pytest.approx(ref[key], abs=TOL), (key, ours, ref)
    assert ours["hit@1"] == pytest.approx(ref["P@1"], abs=TOL)


# --------------------------------------------------------------------------- retrieval: trec_eval tie order


def test_trec_eval_breaks_ties_by_docid_descending():
    """The empirical fact rank_with_ties relies on: equal scores -> greater docid first."""
    for relevant, expected_rr in [("c", 1.0), ("b", 0.5), ("a", 1 / 3)]:
        assert trec({"a": 1.0, "b": 1.0, "c": 1.0}, {relevant})["recip_rank"] == pytest.approx(expected_rr)
    # strcmp order, not numeric: "b9" > "b10" > "b"
    assert trec({"b": 1.0, "b10": 1.0, "b9": 1.0}, {"b9"})["recip_rank"] == 1.0
    assert trec({"b": 1.0, "b10": 1.0, "b9": 1.0}, {"b"})["recip_rank"] == pytest.approx(1 / 3)
    # the score still comes first
    assert trec({"a": 2.0, "z": 1.0}, {"a"})["recip_rank"] == 1.0


def test_rank_with_ties_orders_like_trec_eval():
    assert rank_with_ties([("a", 1.0), ("b", 1.0), ("c", 1.0)]) == ["c", "b", "a"]
    assert rank_with_ties([("b", 1.0), ("b10", 1.0), ("b9", 1.0)]) == ["b9", "b10", "b"]
    assert rank_with_ties([("a", 2.0), ("z", 1.0), ("m", 2.0)]) == ["m", "a", "z"]
    assert rank_with_ties([("B", 0.5), ("a", 0.5)]) == ["a", "B"]  # lowercase sorts after uppercase
    assert rank_with_ties([("x", -1.0), ("y", 0.0)]) == ["y", "x"]
    assert rank_with_ties([]) == []
    with pytest.raises(ValueError):
        rank_with_ties([("a", float("nan"))])


# --------------------------------------------------------------------------- retrieval: fixed cases

FIXED_CASES = [
    ({"a": 3.0, "b": 2.0, "c": 1.0}, {"a"}),
    ({"a": 3.0, "b": 2.0, "c": 1.0}, {"c"}),
    ({"a": 3.0, "b": 2.0, "c": 1.0}, {"z"}),
    ({"a": 3.0, "b": 2.0, "c": 1.0}, {"b", "c"}),
    ({"a": 3.0, "b": 2.0, "c": 1.0}, {"a", "b", "c", "x", "y"}),
    ({"a": 1.0, "b": 1.0, "c": 1.0}, {"a"}),
    ({"a": 1.0, "b": 1.0, "c": 1.0}, {"c"}),
    ({"d1": 0.9, "d2": 0.9, "d10": 0.9, "d3": 0.5}, {"d10", "d3"}),
    ({f"d{i:02d}": 1.0 - i / 100 for i in range(20)}, {"d09"}),
    ({f"d{i:02d}": 1.0 - i / 100 for i in range(20)}, {"d10"}),  # first hit at rank 11
    ({f"d{i:02d}": 1.0 - i / 100 for i in range(20)}, {"d03", "d07", "d15"}),
    ({f"d{i:02d}": 1.0 for i in range(15)}, {"d00", "d14"}),  # all tied
    ({f"d{i}": float(i % 3) for i in range(12)}, {"d1", "d11", "d5"}),
    ({}, {"a"}),
    ({"only": 0.1}, {"only"}),
    ({f"r{i}": 1.0 / (i + 1) for i in range(30)}, {f"r{i}" for i in range(0, 30, 2)}),  # 15 gold > k
]


@pytest.mark.parametrize("run,gold", FIXED_CASES)
def test_retrieval_metrics_match_trec_eval_on_fixed_cases(run, gold):
    assert_matches_trec(run, gold)


def test_judged_nonrelevant_docs_do_not_change_trec_reference():
    run = {"a": 3.0, "b": 2.0, "c": 1.0}
    assert trec_as_ours(run, {"b"}, frozenset({"a", "c"})) == trec_as_ours(run, {"b"})


def test_retrieval_hand_computed_values():
    ranked = ["x", "g1", "y", "g2", "z"]
    gold = {"g1", "g2", "g3"}
    assert hit_at_k(ranked, gold, 1) == 0.0
    assert hit_at_k(ranked, gold, 2) == 1.0
    assert recall_at_k(ranked, gold, 4) == pytest.approx(2 / 3)
    assert mrr_at_k(ranked, gold, 10) == pytest.approx(0.5)
    assert mrr_at_k(ranked, gold, 1) == 0.0
    dcg = 1 / math.log2(3) + 1 / math.log2(5)
    idcg = 1 + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(ranked, gold, 10) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(ranked, gold, 2) == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3)))
    assert ndcg_at_k(["g1", "g2", "g3"], gold, 10) == pytest.approx(1.0)
    assert retrieval_metrics([], {"g"}) == dict.fromkeys(RETRIEVAL_KEYS, 0.0)


def test_duplicates_count_only_at_first_occurrence():
    # chunk-level list: "a" three times, gold "b" is the 2nd distinct release
    ranked = ["a", "a", "a", "b", "a", "c"]
    assert dedupe(ranked) == ["a", "b", "c"]
    assert hit_at_k(ranked, {"b"}, 2) == 1.0  # k counts distinct releases
    assert mrr_at_k(ranked, {"b"}, 10) == pytest.approx(0.5)
    assert recall_at_k(["b", "b", "b"], {"b", "c"}, 10) == pytest.approx(0.5)
    assert ndcg_at_k(["b", "b"], {"b"}, 10) == pytest.approx(1.0)  # a repeat is no extra gain


def test_retrieval_rejects_empty_gold_and_bad_k():
    with pytest.raises(ValueError):
        retrieval_metrics(["a"], set())
    for fn in (hit_at_k, recall_at_k, mrr_at_k, ndcg_at_k):
        with pytest.raises(ValueError):
            fn(["a"], [], 5)
        with pytest.raises(ValueError):
            fn(["a"], ["a"], 0)
    with pytest.raises(TypeError):
        hit_at_k(["abc"], "abc", 1)


def test_retrieval_inputs_are_not_mutated():
    ranked, gold = ["a", "b", "a"], ["b"]
    retrieval_metrics(ranked, gold)
    assert ranked == ["a", "b", "a"] and gold == ["b"]
    scored = [("a", 1.0), ("b", 2.0)]
    rank_with_ties(scored)
    assert scored == [("a", 1.0), ("b", 2.0)]


# --------------------------------------------------------------------------- retrieval: random cases

DOC_IDS = ["a", "b", "c", "B", "a1", "a10", "a2", "ab", "b9", "b10", "x/y.txt", "x/z.txt", "zz", "Z", "é", "e", "10", "9"]
SCORES = st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.0, 2.0, -1.0, 0.3333333333333333])


@st.composite
def runs_and_gold(draw):
    run = draw(st.dictionaries(st.sampled_from(DOC_IDS), SCORES, max_size=len(DOC_IDS)))
    gold = draw(st.sets(st.sampled_from(DOC_IDS + ["never1", "never2"]), min_size=1, max_size=12))
    return run, gold


@settings(max_examples=400, deadline=None)
@given(runs_and_gold())
def test_retrieval_metrics_match_trec_eval_on_random_runs(case):
    run, gold = case
    assert_matches_trec(run, gold)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(DOC_IDS), SCORES), max_size=40),
    st.sets(st.sampled_from(DOC_IDS), min_size=1, max_size=6),
)
def test_chunk_level_duplicates_match_trec_eval_on_best_chunk(chunks, gold):
    """Several chunks per release: a release ranks where its best chunk ranks."""
    best: dict[str, float] = {}
    for rid, score in chunks:
        best[rid] = max(score, best.get(rid, score))
    ranked = rank_with_ties(chunks)
    assert dedupe(ranked) == rank_with_ties(list(best.items()))
    ours = retrieval_metrics(ranked, gold)
    ref = trec_as_ours(best, gold)
    for key in RETRIEVAL_KEYS:
        assert ours[key] == pytest.approx(ref[key], abs=TOL), key


@settings(max_examples=200, deadline=None)
@given(runs_and_gold(), st.integers(min_value=1, max_value=25))
def test_retrieval_metric_bounds_and_monotonicity(case, k):
    run, gold = case
    ranked = rank_with_ties(list(run.items()))
    for fn in (hit_at_k, recall_at_k, mrr_at_k, ndcg_at_k):
        assert 0.0 <= fn(ranked, gold, k) <= 1.0 + TOL
    assert hit_at_k(ranked, gold, k) <= hit_at_k(ranked, gold, k + 1)
    assert recall_at_k(ranked, gold, k) <= recall_at_k(ranked, gold, k + 1)
    assert mrr_at_k(ranked, gold, k) <= mrr_at_k(ranked, gold, k + 1)
