"""Query latency and serve-like memory on an existing index, plus dev retrieval per query backend.

    python bench/query.py --index /work/idx-all [--variant torch-float32] [--repeat 2]

Loads rag.pipeline.Pipeline once (as ``rag serve`` does), then times
``Pipeline.search`` (retrieval alone: query embedding, dense + BM25, fusion) and
``Pipeline.ask`` with the extractive answerer, one question at a time, over the
dev questions and the 'last week' probes. The process's peak RSS is the
serve-like footprint. Python-level file opens during the queries are counted
(an audit hook): the query path must read nothing from disk but SQLite pages.
With ``--dev``, also the dev set's release-level hit@1 / MRR@10 of the full
hybrid retriever with this query embedder (the index's vectors unchanged).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BENCH, DEV, maxrss_mb, pct  # noqa: E402


def questions() -> list[dict]:
    out = []
    for path in (DEV, BENCH / "datasets" / "time_probes.jsonl"):
        if path.is_file():
            out += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [q for q in out if q.get("question")]


def run(index: Path, variant: str | None, repeat: int, dev: bool) -> dict:
    from rag.embedding import SentenceTransformerEmbedder
    from rag.index import Index
    from rag.pipeline import Pipeline
    from rag.settings import load_settings

    from embed import split_variant

    manifest_variant = Index(index).manifest.variant
    variant = variant or manifest_variant
    backend, dtype = split_variant(variant)
    settings = load_settings(env={}).with_(index_dir=str(index))
    t0 = time.perf_counter()
    embedder = SentenceTransformerEmbedder(backend=backend, dtype=dtype, batch_size=settings.embedding.batch_size,
                                           cache_dir=settings.cache.dir)
    result = {"index": str(index), "index_variant": manifest_variant, "query_variant": variant}
    try:
        pipe = Pipeline(settings, embedder=embedder)
    except Exception as exc:  # noqa: BLE001 - an incompatible variant is a result here
        result["error"] = str(exc)
        return result
    pipe.ask("warm-up question about a sentencing")
    result["load_s"] = round(time.perf_counter() - t0, 2)
    qs = questions()
    opened: list[str] = []
    watching = [False]

    def hook(event, args):
        if watching[0] and event == "open" and not str(args[0]).endswith((".py", ".pyc", ".so")):
            opened.append(str(args[0]))  # data files; a module imported lazily on first use is not counted

    sys.addaudithook(hook)
    search_ms, ask_ms = [], []
    watching[0] = True
    for _ in range(repeat):
        for q in qs:
            t = time.perf_counter()
            pipe.search(q["question"])
            search_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            pipe.ask(q["question"])
            ask_ms.append((time.perf_counter() - t) * 1000)
    watching[0] = False
    result.update(
        queries=len(search_ms), retrieval_p50_ms=pct(search_ms, 50), retrieval_p95_ms=pct(search_ms, 95),
        ask_p50_ms=pct(ask_ms, 50), ask_p95_ms=pct(ask_ms, 95), files_opened_during_queries=len(opened),
        files_opened_sample=sorted(set(opened))[:5], chunks=len(pipe.index), vector_index=pipe.index.vectors.name,
        serve_maxrss_mb=maxrss_mb(), loadavg=[round(x, 2) for x in os.getloadavg()],
    )
    if dev:
        result["dev"] = dev_metrics(pipe, settings)
    return result


def dev_metrics(pipe, settings) -> dict:
    """Release-level hit@1 / MRR@10 on the dev questions whose gold release is indexed: the hybrid
    retriever (what users get) and dense search alone (the most sensitive to the embedder), over all
    such questions and over the prosecutor ones (comparable between a prosecutor-only index and one of
    both corpora)."""
    from eval.metrics_retrieval import dedupe, hit_at_k, mrr_at_k

    dev = [json.loads(line) for line in DEV.read_text().splitlines() if line.strip()]
    rows = {}
    for q in dev:
        if not any(pipe.index.release(g) for g in q["gold_ids"]):
            continue
        hybrid = dedupe([h.release.id for h in pipe.search(q["question"], 10)])
        vector = pipe.embedder.embed([q["question"]])[0]
        dense = dedupe([h.release.id for h in pipe.index.search_vector(vector, 60)])
        rows[q["id"]] = (q.get("corpus"), {
            name: (hit_at_k(ranked, q["gold_ids"], 1), mrr_at_k(ranked, q["gold_ids"], 10))
            for name, ranked in (("hybrid", hybrid), ("dense", dense))})

    def summary(items):
        n = len(items)
        out = {"n": n}
        for name in ("hybrid", "dense"):
            out[f"{name} hit@1"] = round(sum(r[name][0] for r in items) / max(1, n), 4)
            out[f"{name} mrr@10"] = round(sum(r[name][1] for r in items) / max(1, n), 4)
        return out

    result = summary([r for _, r in rows.values()])
    result["hit@1"], result["mrr@10"] = result["hybrid hit@1"], result["hybrid mrr@10"]
    result["prosecutors"] = summary([r for c, r in rows.values() if c == "prosecutors"])
    return result


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--variant", help="query embedder variant (default: the one that built the index)")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--dev", action="store_true")
    args = ap.parse_args(argv)
    print(json.dumps(run(args.index, args.variant, args.repeat, args.dev)))


if __name__ == "__main__":
    main()
