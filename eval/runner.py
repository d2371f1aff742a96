"""Run a question set through the real pipeline and score every stage.

Output (``results.json``) is the contract other tools read:
``{"settings": {...}, "metrics": {"overall": M, "by_type": {type: M}}, "questions": [...], "errors": [...]}``.
A question whose run raises (a bug, not a bad setting or a missing index, which stop the run) is
scored as an empty, unrefused answer, its row carries ``"error"`` (type, message, innermost frame of this project),
and ``errors`` lists those ids: one bad question never loses the rest of a long run.
"""
from __future__ import annotations

import datetime as dt
import traceback
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

from rag.errors import RagError
from rag.models import Answer
from rag.retrieval import NO_FILTERS, Filters
from rag.retrieval.hybrid import retriever_config

from . import metrics as m
from .metrics_collect import COLLECT_KEYS, collect_metrics
from .dataset import Question

RETRIEVAL_KEYS = ("hit@1", "hit@4", "hit@10", "recall@10", "mrr@10", "ndcg@10")
ANSWER_KEYS = ("key_fact_accuracy", "token_f1", "citation_validity", "citation_precision", "citation_support")
LATENCY_KEYS = ("latency_retrieve_p50_ms", "latency_retrieve_p95_ms", "latency_answer_p50_ms", "latency_answer_p95_ms",
                "latency_first_token_p50_ms", "latency_first_token_p95_ms", "latency_total_p50_ms",
                "latency_total_p95_ms")
METRIC_KEYS = (RETRIEVAL_KEYS + ANSWER_KEYS + ("refusal_rate_unanswerable", "false_refusal_rate") + COLLECT_KEYS
               + LATENCY_KEYS + ("n",))
RETRIEVE_DEPTH = 10  # releases ranked for retrieval metrics


def ranked_releases(hits) -> list[dict]:
    """Release ids in rank order (first chunk of each release wins) with their best score."""
    out: dict[str, float] = {}
    for h in hits:
        out.setdefault(h.release.id, h.score)
    return [{"release_id": rid, "score": round(float(s), 6)} for rid, s in out.items()]


def stage_timings(timings: dict) -> dict:
    """Milliseconds per stage, from ``Pipeline.ask_stream``'s timings. ``first_token`` is what a
    reader waits for before text appears: retrieval plus the answerer's first token (a
    non-streaming answerer's whole answer)."""
    retrieve, answer = timings["retrieve"], timings["answer"]
    first = timings.get("first_token", answer)
    return {"retrieve": retrieve, "answer": answer, "first_token": retrieve + min(first, answer),
            "total": retrieve + answer}


def score_question(q: Question, ranked: Sequence[str], answer) -> dict:
    """Every per-question metric; None where a metric does not apply."""
    scores: dict = dict.fromkeys(RETRIEVAL_KEYS)
    if q.answerable:
        scores.update(m.retrieval_metrics(list(ranked), set(q.gold_ids)))
    scores["key_fact_accuracy"] = m.key_fact_accuracy(answer.text, list(q.must_include)) if q.answerable else None
    scores["token_f1"] = m.token_f1(answer.text, q.answer) if q.answerable and not answer.refused else (
        0.0 if q.answerable else None)
    scores["citation_validity"] = m.citation_validity(answer.text, answer.citations)
    scores["citation_precision"] = m.citation_precision(answer.citations, set(q.gold_ids)) if q.answerable else None
    scores["citation_support"] = m.citation_support(answer.text, answer.citations)
    scores.update(collect_metrics(q.type, answer.route, answer.text, list(q.must_include),
                                  [(c.n, c.release_id) for c in answer.citations], list(q.gold_ids)))
    passed = (not answer.refused and scores["key_fact_accuracy"] == 1.0) if q.answerable else answer.refused
    scores["passed"] = bool(passed)
    return scores


def run_questions(pipeline, questions: Sequence[Question], *, answerer: str | None = None,
                  progress: bool = False) -> list[dict]:
    """Ask each question once through ``Pipeline.ask``, retrieving ``RETRIEVE_DEPTH * 2`` passages
    (releases are ranked over them) of which the settings' ``top_k`` reach the answerer."""
    rows = []
    pipeline.answerer(answerer)  # built (and validated) before the first question
    iterator = questions
    if progress:
        from tqdm import tqdm

        iterator = tqdm(questions, desc="questions", unit="q")
    prime = getattr(pipeline.retriever, "prime", None)
    if prime is not None:  # one batch for every question's embedding, outside the per-question timings
        prime([q.question for q in questions])
    for q in iterator:
        filters = Filters(as_of=q.as_of) if q.as_of else NO_FILTERS
        try:
            answer, hits = pipeline.ask(q.question, depth=RETRIEVE_DEPTH * 2, answerer=answerer, filters=filters)
            error = None
        except RagError:  # a setting, the index or the model: every question would fail alike
            raise
        except Exception as exc:  # a bug met by this question: scored as a failed answer, the run goes on
            error = failure(exc)
            answer, hits = Answer(text="", refused=False, note=f"error: {error}", route=""), []
        ranked = ranked_releases(hits)[:RETRIEVE_DEPTH]
        rows.append({
            "id": q.id, "type": q.type, "corpus": q.corpus, "question": q.question, "reference": q.answer,
            "must_include": list(q.must_include), "gold_ids": list(q.gold_ids), "as_of": q.as_of,
            "retrieved": ranked,
            "answer": answer.text, "refused": answer.refused, "answerer": answer.answerer, "note": answer.note,
            "route": answer.route,
            "citations": [asdict(c) for c in answer.citations],
            "timings_ms": stage_timings(answer.timings_ms) if error is None else {},
            "metrics": score_question(q, [r["release_id"] for r in ranked], answer),
            **({"error": error} if error else {}),
        })
    return rows


REPO_ROOT = Path(__file__).resolve().parents[1]


def failure(exc: BaseException) -> str:
    """One line for an exception a question raised: its type, message and the innermost frame of
    this project's code (the innermost of any when none is: a library's own frame says less)."""
    frames = traceback.extract_tb(exc.__traceback__) if exc.__traceback__ else []
    ours = [f for f in frames if Path(f.filename).resolve().is_relative_to(REPO_ROOT)
            and "site-packages" not in Path(f.filename).parts]
    frame = (ours or frames or [None])[-1]
    where = f" (at {Path(frame.filename).name}:{frame.lineno})" if frame else ""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}{': ' + message if message else ''}{where}"


def summarise(rows: Sequence[dict]) -> dict:
    """One M dict (the contract's metric names) over the given question rows."""
    answerable = [r for r in rows if r["gold_ids"]]
    out: dict = {}
    for key in RETRIEVAL_KEYS:
        out[key] = m.aggregate([r["metrics"] for r in answerable], [key])[key] if answerable else None
    for key in ANSWER_KEYS + COLLECT_KEYS:
        out[key] = m.aggregate([r["metrics"] for r in rows], [key])[key]
    out.update(m.refusal_rates([(not r["gold_ids"], r["refused"]) for r in rows]))
    for stage in ("retrieve", "answer", "first_token", "total"):
        values = [r["timings_ms"][stage] for r in rows if stage in r["timings_ms"]]
        out[f"latency_{stage}_p50_ms"] = round(m.percentile(values, 50), 2) if values else None
        out[f"latency_{stage}_p95_ms"] = round(m.percentile(values, 95), 2) if values else None
    out["n"] = len(rows)
    return {k: out.get(k) for k in METRIC_KEYS}


def retriever_settings(pipeline):
    """The retriever preset's HybridConfig as the settings resolve it (weights and switches)."""
    r = pipeline.settings.retrieval
    return retriever_config(r.retriever, dates=r.dates)


def evaluate(pipeline, questions: Sequence[Question], *, answerer: str | None = None, dataset: str = "",
             progress: bool = False) -> dict:
    rows = run_questions(pipeline, questions, answerer=answerer, progress=progress)
    by_type = {t: summarise([r for r in rows if r["type"] == t]) for t in sorted({r["type"] for r in rows})}
    settings = pipeline.settings.with_(answerer=answerer).to_dict(redact=True)  # the whole tree
    settings.update(
        dataset=dataset, retriever_name=pipeline.retriever.name, retriever_config=asdict(retriever_settings(pipeline)),
        index_manifest=asdict(pipeline.index.manifest), support_method=m.SUPPORT_METHOD,
        retrieve_depth=RETRIEVE_DEPTH, run_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    )
    errors = [{"id": r["id"], "error": r["error"]} for r in rows if "error" in r]
    return {"settings": settings, "metrics": {"overall": summarise(rows), "by_type": by_type}, "questions": rows,
            "errors": errors}
