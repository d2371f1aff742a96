"""Stage timings in eval results: first token is what a reader waits for."""
from eval.runner import LATENCY_KEYS, stage_timings, summarise


def test_streaming_answerer_first_token_is_retrieval_plus_its_first_token():
    t = stage_timings({"retrieve": 30.0, "first_token": 2000.0, "answer": 5000.0})
    assert round(t["retrieve"]) == 30 and round(t["answer"]) == 5000
    assert round(t["first_token"]) == 2030 and round(t["total"]) == 5030


def test_non_streaming_answerer_first_token_is_the_whole_answer():
    t = stage_timings({"retrieve": 10.0, "answer": 100.0})
    assert round(t["first_token"]) == 110 == round(t["total"])


def test_first_token_never_exceeds_the_answer_time():
    t = stage_timings({"retrieve": 0.0, "answer": 1000.0, "first_token": 5000.0})  # a fallback timed the failed try
    assert t["first_token"] == t["total"] == 1000.0


def test_summary_reports_first_token_and_total_percentiles():
    rows = [{"gold_ids": ["a"], "refused": False, "metrics": {},
             "timings_ms": {"retrieve": 10.0, "answer": a, "first_token": 10.0 + f, "total": 10.0 + a}}
            for a, f in ((1000.0, 400.0), (3000.0, 600.0), (2000.0, 500.0))]
    out = summarise(rows)
    assert {"latency_first_token_p50_ms", "latency_total_p50_ms"} <= set(LATENCY_KEYS)
    assert out["latency_first_token_p50_ms"] == 510.0 and out["latency_total_p50_ms"] == 2010.0
    # results written before first_token existed still summarise
    old = [{"gold_ids": [], "refused": True, "metrics": {}, "timings_ms": {"retrieve": 1.0, "answer": 2.0}}]
    assert summarise(old)["latency_first_token_p50_ms"] is None
