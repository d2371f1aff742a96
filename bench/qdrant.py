"""Qdrant beside FAISS: the same index served from another vector backend, and query latency.

    python bench/qdrant.py convert SRC_INDEX DST_INDEX [--kind qdrant-edge|qdrant]
        DST_INDEX = SRC_INDEX's live generation with its vectors moved into Qdrant (same chunk ids,
        metadata and BM25), so `rag eval --index DST_INDEX` measures only the backend's effect.
    python bench/qdrant.py latency [--n 100000] [--dim 384] [--queries 200] [--kinds ...] [--keep DIR]
        p50/p95 of one-query searches (k=10) on N random unit vectors, per backend, and restricted to a
        tenth of them two ways: as a list of ids (random ids; Qdrant gets ``has_id``) and as one "source"
        of ten (id % 10 == 0; Qdrant gets the payload condition, as a date or source filter does);
        recall@10 against exact search; writes bench/results/qdrant_latency_N[_real].json.
        --base INDEX: instead of random vectors, INDEX's real chunk vectors, filled up to N with mixes of two
        of them (0.6-0.9 of one, the rest of another, normalised) so the data has the clusters of real
        embeddings (random unit vectors are the worst case for HNSW and IVF alike).
        --keep DIR saves each built index there and loads it on the next run instead of building
        (so a long build can run once, and the latencies be measured later on a quiet machine).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.index import generations  # noqa: E402
from rag.index.build import META, VECTORS  # noqa: E402
from rag.index.manifest import Manifest, record_files  # noqa: E402
from rag.index.vector_registry import all_vectors, fit_index, load_vector_index, new_vector_index  # noqa: E402
from rag.index.vectors import ChunkIds  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def convert(src: Path, dst: Path, kind: str) -> None:
    live = generations.current(src)
    manifest = Manifest.read(live)
    vectors = load_vector_index(live / VECTORS, manifest.vector_params)
    ids, vecs = all_vectors(vectors)
    t0 = time.perf_counter()
    target = new_vector_index(kind, manifest.dim, {"path": str(dst / "qdrant-local"), "collection": "bench"})
    for s in range(0, len(ids), 8192):
        target.add(ids[s:s + 8192], vecs[s:s + 8192])
    loaded = time.perf_counter() - t0
    folder = generations.new_generation(dst)
    shutil.copyfile(live / META, folder / META)
    shutil.copytree(live / "bm25", folder / "bm25")
    target.save(folder / VECTORS)
    data = json.loads((live / "manifest.json").read_text())
    data.update(vector_index=target.name, vector_params=target.params, files=record_files(folder))
    (folder / "manifest.json").write_text(json.dumps(data, indent=2))
    generations.publish(dst, folder)
    print(f"{dst}: {len(ids)} vectors into {kind} in {loaded:.1f}s")


def built(kind: str, dim: int, vecs: np.ndarray, keep: Path | None):
    """The index of ``kind`` over ``vecs`` (ids 0..n-1) and its build seconds; from ``keep`` when saved there."""
    n = len(vecs)
    saved = keep / f"{kind}-{n}.json" if keep else None
    if saved and saved.is_file():
        info = json.loads(saved.read_text())
        return load_vector_index(keep / f"{kind}-{n}.faiss", info["params"]), info["build_s"]
    idx = new_vector_index(kind, dim, {"path": ":memory:", "collection": "bench"})
    t0 = time.perf_counter()
    for s in range(0, n, 8192):  # payload "source" s<id % 10>: Qdrant filters one source by it, FAISS by ids
        ids = np.arange(s, min(n, s + 8192))
        idx.add(ids, vecs[s:s + 8192], payload=[{"source": f"s{i % 10}"} for i in ids])
    if hasattr(idx, "shard"):
        idx.shard.optimize()  # build the HNSW graph as a served shard would have it
    idx = fit_index(idx, n, kind)  # as a build does: IVF buckets trained on all the vectors, not the first batch
    seconds = round(time.perf_counter() - t0, 1)
    if saved:
        keep.mkdir(parents=True, exist_ok=True)
        idx.save(keep / f"{kind}-{n}.faiss")
        saved.write_text(json.dumps({"params": idx.params, "build_s": seconds}))
    return idx, seconds


def data(n: int, dim: int, rng, base: Path | None) -> np.ndarray:
    """N unit vectors: random, or ``base``'s real ones topped up with mixes of two (see the module doc)."""
    if base is None:
        vecs = rng.normal(size=(n, dim)).astype(np.float32)
    else:
        live = generations.current(base)
        real = all_vectors(load_vector_index(live / VECTORS, Manifest.read(live).vector_params))[1][:n]
        extra = n - len(real)
        a, b = rng.integers(0, len(real), extra), rng.integers(0, len(real), extra)
        w = rng.uniform(0.6, 0.9, size=(extra, 1)).astype(np.float32)
        vecs = np.vstack([real, w * real[a] + (1 - w) * real[b]]).astype(np.float32)
    return vecs / np.linalg.norm(vecs, axis=1, keepdims=True)


def latency(n: int, dim: int, n_queries: int, kinds: list[str], keep: Path | None = None,
            base: Path | None = None) -> dict:
    rng = np.random.default_rng(0)
    vecs = data(n, dim, rng, base)
    queries = vecs[rng.choice(n, n_queries, replace=False)] + 0.05 * rng.normal(size=(n_queries, dim)).astype(np.float32)
    allowed = np.sort(rng.choice(n, n // 10, replace=False))
    one_source = ChunkIds(np.arange(0, n, 10), {"sources": ["s0"]})
    out = {"n": n, "dim": dim, "queries": n_queries, "k": 10, "data": f"real+mixed ({base})" if base else "random",
           "backends": {}}
    exact = np.argsort(-(queries @ vecs.T), axis=1)[:, :10]  # the true top 10 of each query
    for kind in kinds:
        idx, seconds = built(kind, dim, vecs, keep)
        row = {"build_s": seconds}
        print(kind, "built", row, flush=True)
        found = idx.search(queries, 10)[1]
        row["recall@10"] = round(float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, exact)])), 3)
        for label, where in (("all", None), ("10% ids", allowed), ("1 source of 10", one_source)):
            times = []
            for q in queries:
                t = time.perf_counter()
                idx.search(q[None, :], 10, allowed=where)
                times.append((time.perf_counter() - t) * 1000)
            row[label] = {"p50_ms": round(float(np.percentile(times, 50)), 2),
                          "p95_ms": round(float(np.percentile(times, 95)), 2)}
        out["backends"][kind] = row
        print(kind, row, flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("convert")
    c.add_argument("src", type=Path)
    c.add_argument("dst", type=Path)
    c.add_argument("--kind", default="qdrant-edge", choices=["qdrant-edge", "qdrant"])
    lat = sub.add_parser("latency")
    lat.add_argument("--n", type=int, default=100_000)
    lat.add_argument("--dim", type=int, default=384)
    lat.add_argument("--queries", type=int, default=200)
    lat.add_argument("--kinds", nargs="+", default=["faiss-flat", "faiss-ivf-sq8", "qdrant-edge"])
    lat.add_argument("--keep", type=Path, default=None)
    lat.add_argument("--base", type=Path, default=None)
    args = ap.parse_args()
    if args.cmd == "convert":
        convert(args.src, args.dst, args.kind)
    else:
        result = latency(args.n, args.dim, args.queries, args.kinds, args.keep, args.base)
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"qdrant_latency_{args.n}{'_real' if args.base else ''}.json"
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
