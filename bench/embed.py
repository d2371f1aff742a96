"""Embedding throughput, vector agreement and dev retrieval per backend, on a fixed sample.

    python bench/embed.py sample --corpus /work/shared/corpora/us-prosecutors/text   # (re)make the sample
    python bench/embed.py worker --variant onnx-int8 --threads 2 --out /tmp/v.npy      # one measurement
    python bench/run.py ...                                                           # all of them

The sample (bench/datasets/embed_sample.jsonl, made from the corpus on first run and
not committed: corpus text stays out of the repo) is fixed: the releases holding the
answers of the prosecutor questions of the dev set, plus releases drawn with a
fixed seed, until there are >= 2,000 chunks of 160 tokens. Each measurement runs in
its own process (clean memory, thread settings); only ``embed`` is timed, after a
warm-up, never the model load (reported apart).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DEV, SAMPLE, maxrss_mb, read_sample, sample_chunks, tutorial_chunks  # noqa: E402

VARIANTS = ("torch-float32", "torch-bfloat16", "onnx-float32", "onnx-int8", "openvino-float32", "openvino-bfloat16",
            "openvino-int8")


def split_variant(variant: str) -> tuple[str, str]:
    if variant.endswith("-int8"):
        return variant, "float32"
    backend, dtype = variant.rsplit("-", 1)
    return backend, dtype


def make_sample(corpus: Path, target_chunks: int = 2000, seed: int = 7) -> Path:
    from rag.ingest import load_corpus

    releases = {r.id: r for r in load_corpus([corpus]).releases}
    gold = []
    if DEV.is_file():
        for line in DEV.read_text().splitlines():
            q = json.loads(line)
            if q.get("corpus") == "prosecutors":
                gold += [g for g in q["gold_ids"] if g in releases]
    chosen = list(dict.fromkeys(gold))
    rest = sorted(set(releases) - set(chosen))
    random.Random(seed).shuffle(rest)
    rows = [releases[i] for i in chosen]
    texts, _ = sample_chunks([_row(r) for r in rows])
    n = len(texts)
    for rid in rest:
        if n >= target_chunks:
            break
        rows.append(releases[rid])
        n += len(sample_chunks([_row(releases[rid])])[0])
    SAMPLE.parent.mkdir(parents=True, exist_ok=True)
    with open(SAMPLE, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(_row(r), ensure_ascii=False) + "\n")
    return SAMPLE


def _row(r) -> dict:
    return {"id": r.id, "title": r.title, "date": r.date, "source": r.source, "path": r.path, "body": r.body}


def worker(variant: str, threads: int | None, out: Path | None, limit: int | None, tutorial: bool,
           batch_size: int) -> dict:
    from rag.embedding import SentenceTransformerEmbedder

    releases = read_sample()
    texts = tutorial_chunks(releases) if tutorial else sample_chunks(releases)[0]
    if limit:
        texts = texts[:limit]
    backend, dtype = split_variant(variant)
    emb = SentenceTransformerEmbedder(backend=backend, dtype=dtype, batch_size=batch_size, threads=threads)
    t0 = time.perf_counter()
    emb.embed(texts[:8])  # load (and export, the first time) + warm-up
    load_s = time.perf_counter() - t0
    cpu0, t1 = time.process_time(), time.perf_counter()
    vectors = emb.embed(texts)
    seconds, cpu = time.perf_counter() - t1, time.process_time() - cpu0
    if out is not None:
        np.save(out, vectors)
    chars = sum(len(t) for t in texts)
    return {"variant": variant, "threads": threads, "tutorial": tutorial, "chunks": len(texts), "chars": chars,
            "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "chunks_per_s": round(len(texts) / seconds, 2),
            "chars_per_s": round(chars / seconds), "chunks_per_cpu_s": round(len(texts) / cpu, 2),
            "chars_per_cpu_s": round(chars / cpu), "load_s": round(load_s, 2), "maxrss_mb": maxrss_mb(),
            "batch_size": batch_size, "loadavg": [round(x, 2) for x in os.getloadavg()]}


def dense_dev(vectors: np.ndarray, owners: list[str], query_vectors: np.ndarray, questions: list[dict]) -> dict:
    """Release-level hit@1 and MRR@10 of dense search over the sample (prosecutor dev questions)."""
    from eval.metrics_retrieval import dedupe, hit_at_k, mrr_at_k

    hits, mrrs = [], []
    sims = query_vectors @ vectors.T
    for q, row in zip(questions, sims):
        ranked = dedupe([owners[i] for i in np.argsort(-row, kind="stable")[:200]])
        hits.append(hit_at_k(ranked, q["gold_ids"], 1))
        mrrs.append(mrr_at_k(ranked, q["gold_ids"], 10))
    return {"n": len(questions), "hit@1": round(float(np.mean(hits)), 4), "mrr@10": round(float(np.mean(mrrs)), 4)}


def dev_questions(owners: list[str]) -> list[dict]:
    present = set(owners)
    qs = [json.loads(line) for line in DEV.read_text().splitlines() if line.strip()] if DEV.is_file() else []
    return [q for q in qs if q.get("corpus") == "prosecutors" and set(q["gold_ids"]) & present]


def query_worker(variant: str, out: Path) -> dict:
    """Embed the dev questions with ``variant`` (for the dense dev evaluation)."""
    from rag.embedding import SentenceTransformerEmbedder

    _, owners = sample_chunks(read_sample())
    questions = dev_questions(owners)
    backend, dtype = split_variant(variant)
    emb = SentenceTransformerEmbedder(backend=backend, dtype=dtype)
    np.save(out, emb.embed([q["question"] for q in questions]))
    return {"variant": variant, "questions": len(questions)}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--corpus", type=Path, required=True)
    s.add_argument("--chunks", type=int, default=2000)
    w = sub.add_parser("worker")
    w.add_argument("--variant", choices=VARIANTS, required=True)
    w.add_argument("--threads", type=int)
    w.add_argument("--out", type=Path)
    w.add_argument("--limit", type=int)
    w.add_argument("--batch-size", type=int, default=64)
    w.add_argument("--tutorial", action="store_true", help="the tutorial's 1,000-character chunks")
    q = sub.add_parser("queries")
    q.add_argument("--variant", choices=VARIANTS, required=True)
    q.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    if args.cmd == "sample":
        path = make_sample(args.corpus, args.chunks)
        print(json.dumps({"sample": str(path), "releases": len(read_sample(path)),
                          "chunks": len(sample_chunks(read_sample(path))[0])}))
    elif args.cmd == "worker":
        print(json.dumps(worker(args.variant, args.threads, args.out, args.limit, args.tutorial, args.batch_size)))
    else:
        print(json.dumps(query_worker(args.variant, args.out)))


if __name__ == "__main__":
    main()
