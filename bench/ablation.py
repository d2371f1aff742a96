"""Retrieval ablation on an eval set: each stage of the hybrid retriever switched on in turn.

    python bench/ablation.py --dataset ../shared/eval/dev.jsonl --index .rag/shared [--out bench/results] [--name ablation]

Prints a Markdown table (hit@1/4/10, MRR@10 overall and per question type, retrieval
latency p50/p95) and writes it with the raw numbers to OUT/NAME.{md,json}. Run it on
bench/datasets/time_probes.jsonl too (``--name ablation-time``): "what did X announce
last week?" questions that the dev set has few of.
"""
from __future__ import annotations

import argparse
import platform
import time
from datetime import datetime, timezone

from common import write_report

from eval import metrics as m
from eval.dataset import read_dataset
from eval.runner import RETRIEVE_DEPTH, ranked_releases
from rag.pipeline import Pipeline, make_retriever
from rag.retrieval import NO_FILTERS, Filters
from rag.settings import load_settings

CONFIGS = [  # (label, settings changes: each variant is the settings tree with these replaced)
    ("dense only", {"retriever": "dense", "dates": False}),
    ("BM25 only", {"retriever": "bm25-chunks", "dates": False}),
    ("hybrid, RRF k=60 (dense + BM25 + titles)", {"retriever": "hybrid-rrf", "dates": False}),
    ("hybrid, score fusion", {"retriever": "hybrid", "dates": False}),
    ("+ built-in rerank", {"retriever": "hybrid", "dates": False, "rerank": "overlap"}),
    ("+ dates (full stack)", {"retriever": "hybrid", "rerank": "overlap"}),
    ("hybrid + dates, no rerank (default)", {"retriever": "hybrid"}),
    ("hybrid RRF + dates (previous default)", {"retriever": "hybrid-rrf"}),
    ("hybrid + dates, weights fitted on the dev files alone (default until stop 66)", {"retriever": "hybrid-dev-fit"}),
]
KEYS = ("hit@1", "hit@4", "hit@10", "mrr@10")


def run(pipe, retriever, questions):
    rows, latencies = [], []
    for q in questions:
        filters = Filters(as_of=q.as_of) if q.as_of else NO_FILTERS
        t0 = time.perf_counter()
        hits = retriever.retrieve(q.question, RETRIEVE_DEPTH * 2, filters)
        latencies.append((time.perf_counter() - t0) * 1000)
        ranked = [r["release_id"] for r in ranked_releases(hits)][:RETRIEVE_DEPTH]
        if q.gold_ids:
            row = m.retrieval_metrics(ranked, set(q.gold_ids))
            row["type"] = q.type
            row["all_gold_in_10"] = float(set(q.gold_ids) <= set(ranked))
            rows.append(row)
    return rows, latencies


def summary(rows, latencies):
    out = {"overall": m.aggregate(rows, KEYS + ("all_gold_in_10",))}
    for t in sorted({r["type"] for r in rows}):
        out[t] = m.aggregate([r for r in rows if r["type"] == t], KEYS + ("all_gold_in_10",))
    out["latency_p50_ms"] = m.percentile(latencies, 50)
    out["latency_p95_ms"] = m.percentile(latencies, 95)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--index", required=True)
    ap.add_argument("--out", default="bench/results")
    ap.add_argument("--name", default="ablation")
    args = ap.parse_args()
    settings = load_settings().with_(index_dir=args.index)
    pipe = Pipeline(settings)
    questions = read_dataset(args.dataset)
    results = {}
    for label, changes in CONFIGS:
        variant = settings.with_(**changes)
        retriever = make_retriever(variant, pipe.index, pipe.embedder)
        run(pipe, retriever, questions[:3])  # warm caches
        results[label] = summary(*run(pipe, retriever, questions))
        results[label]["settings"] = variant.retrieval.to_dict()
        o = results[label]["overall"]
        print(f"{label:40s} " + " ".join(f"{k} {o[k]:.3f}" for k in KEYS) +
              f"  p50 {results[label]['latency_p50_ms']:.1f} ms", flush=True)
    types = [t for t in results[CONFIGS[0][0]] if t not in ("overall", "latency_p50_ms", "latency_p95_ms", "settings")]
    lines = [f"Retrieval ablation on `{args.dataset}` ({len(questions)} questions, answerable only for these metrics), "
             f"index `{args.index}`, {platform.processor() or platform.machine()}, "
             f"{datetime.now(timezone.utc):%Y-%m-%d}.", "",
             "| configuration | " + " | ".join(f"{k} overall" for k in KEYS) + " | multi_doc all gold in top 10 | "
             + " | ".join(f"{t} hit@1 / MRR@10" for t in types) + " | p50 / p95 ms |",
             "|---" * (len(KEYS) + len(types) + 3) + "|"]
    for label, r in results.items():
        cells = [f"{r['overall'][k]:.3f}" for k in KEYS]
        cells.append(f"{r.get('multi_doc', {}).get('all_gold_in_10') or 0:.2f}")
        cells += [f"{r[t]['hit@1']:.2f} / {r[t]['mrr@10']:.2f}" for t in types]
        cells.append(f"{r['latency_p50_ms']:.0f} / {r['latency_p95_ms']:.0f}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    write_report(args.out, args.name, "\n".join(lines), results)


if __name__ == "__main__":
    main()
