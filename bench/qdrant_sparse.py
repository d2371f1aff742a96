"""Qdrant's sparse BM25 beside bm25s on the dev sets: can the lexical index move into Qdrant too?

    python bench/qdrant_sparse.py --index INDEX --datasets ../shared/eval/dev.jsonl ... \
        [--out bench/results/qdrant_sparse.json]

Over every chunk of INDEX, for each dev question with gold releases: release-level hit@1 and MRR@10 (a
release ranks by its best chunk, top 50 chunks) and per-query latency, of
* ``bm25s``: the shipped chunk field (rag.index.lexical: bm25s, Lucene variant, k1 1.2, b 0.75, the
  tokens of rag.text.tokenize) - what ``bench/ablation.py`` calls "BM25 only", without dates;
* ``qdrant-sparse``: the same tokens as sparse vectors in a Qdrant Edge shard, each document weight
  tf·(k1+1)/(tf + k1·(1-b+b·dl/avgdl)), the IDF applied by Qdrant (modifier ``idf``) - BM25 itself, so
  it should rank as bm25s does;
* ``qdrant-bm25``: Qdrant's own BM25 model (its tokenizer, English stemmer and stop words, avg_len the
  corpus's mean), the IDF applied by Qdrant: what a Qdrant-only deployment would use.
Writes the table and numbers; the shard is built in a temporary folder.
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval import metrics as m  # noqa: E402
from eval.dataset import read_dataset  # noqa: E402
from rag.index import generations  # noqa: E402
from rag.index.lexical import LexicalIndex  # noqa: E402
from rag.text.tokenize import bm25_tokens  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
K1, B, CHUNK_DEPTH, BATCH = 1.2, 0.75, 50, 512


def chunks(folder: Path):
    """(chunk id, release id, text, stored BM25 tokens) of every chunk, in id order."""
    db = sqlite3.connect(folder / "meta.sqlite")
    tokens = dict(db.execute("SELECT chunk_id, tokens FROM chunk_tokens"))
    rows = db.execute('SELECT c.id, c.release_id, substr(r.body, c.start + 1, c."end" - c.start) '
                      "FROM chunks c JOIN releases r ON r.id = c.release_id ORDER BY c.id")
    return [(cid, rid, text, tokens.get(cid, "").split()) for cid, rid, text in rows]


def build_shard(rows, workdir: str):
    import qdrant_edge as qe

    vocab: dict[str, int] = {}
    avgdl = float(np.mean([len(t) for *_, t in rows]))
    model = qe.Bm25(qe.Bm25Config(k=K1, b=B, avg_len=float(np.mean([len(text.split()) for _, _, text, _ in rows])),
                                  language="english"))
    sparse = {name: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf) for name in ("ours", "qdrant")}
    shard = qe.EdgeShard.create(os.path.join(workdir, "shard"), qe.EdgeConfig(vectors={}, sparse_vectors=sparse))
    for s in range(0, len(rows), BATCH):
        points = []
        for cid, _rid, text, toks in rows[s:s + BATCH]:
            tf = Counter(toks)
            ids = [vocab.setdefault(t, len(vocab)) for t in tf]
            norm = K1 * (1 - B + B * len(toks) / avgdl)
            values = [tf[t] * (K1 + 1) / (tf[t] + norm) for t in tf]
            points.append(qe.Point(id=int(cid), vector={"ours": qe.SparseVector(indices=ids, values=values),
                                                        "qdrant": model.embed_document(text)}, payload=None))
        shard.update(qe.UpdateOperation.upsert_points(points))
    shard.optimize()
    return shard, vocab, model


def ranked(chunk_hits, release_of) -> list[str]:
    out: list[str] = []
    for cid in chunk_hits:
        rid = release_of[cid]
        if rid not in out:
            out.append(rid)
    return out[:10]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--datasets", nargs="+", required=True)
    ap.add_argument("--out", type=Path, default=RESULTS / "qdrant_sparse.json")
    args = ap.parse_args()
    import qdrant_edge as qe

    folder = generations.current(args.index)
    rows = chunks(folder)
    release_of = {cid: rid for cid, rid, *_ in rows}
    lexical = LexicalIndex.load(folder)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        shard, vocab, model = build_shard(rows, tmp)
        built = time.perf_counter() - t0
        print(f"{len(rows)} chunks into a Qdrant Edge shard with two sparse vectors in {built:.0f} s", flush=True)

        def ours(q: str):
            toks = Counter(t for t in bm25_tokens(q) if t in vocab)  # a repeated word counts again, as in bm25s
            return qe.SparseVector(indices=[vocab[t] for t in toks], values=[float(n) for n in toks.values()])

        searches = {
            "bm25s": lambda q: [c for c, _ in lexical.search_chunks(q, CHUNK_DEPTH)],
            "qdrant-sparse": lambda q: [int(p.id) for p in shard.query(qe.QueryRequest(
                limit=CHUNK_DEPTH, query=qe.Query.Nearest(ours(q), using="ours")))],
            "qdrant-bm25": lambda q: [int(p.id) for p in shard.query(qe.QueryRequest(
                limit=CHUNK_DEPTH, query=qe.Query.Nearest(model.embed_query(q), using="qdrant")))],
        }
        result = {"index": str(args.index), "chunks": len(rows), "shard_build_s": round(built, 1), "sets": {}}
        for path in args.datasets:
            questions = [q for q in read_dataset(path) if q.gold_ids]
            bm25s_top = [ranked(searches["bm25s"](q.question), release_of)[:1] for q in questions]
            per = {}
            for name, search in searches.items():
                metrics, times, same_top = [], [], 0
                for q, top in zip(questions, bm25s_top):
                    t = time.perf_counter()
                    hits = search(q.question)
                    times.append((time.perf_counter() - t) * 1000)
                    releases = ranked(hits, release_of)
                    metrics.append(m.retrieval_metrics(releases, set(q.gold_ids)))
                    same_top += releases[:1] == top
                agg = m.aggregate(metrics, ("hit@1", "mrr@10"))
                per[name] = {"hit@1": round(agg["hit@1"], 3), "mrr@10": round(agg["mrr@10"], 3),
                             "same_top_release_as_bm25s": f"{same_top}/{len(questions)}",
                             "p50_ms": round(float(np.percentile(times, 50)), 2)}
                print(Path(path).name, name, per[name], flush=True)
            result["sets"][Path(path).name] = {"questions": len(questions), **per}
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    lines = ["| set (questions) | " + " | ".join(f"{n} hit@1 / MRR@10 / p50 ms" for n in searches) + " |",
             "|---" * (len(searches) + 1) + "|"]
    for name, per in result["sets"].items():
        lines.append(f"| {name} ({per['questions']}) | " + " | ".join(
            f"{per[n]['hit@1']:.3f} / {per[n]['mrr@10']:.3f} / {per[n]['p50_ms']:.1f}" for n in searches) + " |")
    args.out.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
