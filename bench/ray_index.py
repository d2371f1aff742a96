"""Indexing with the embedding on Ray against the local build, on this machine.

    python bench/ray_index.py [--corpus ../shared/corpora/us-prosecutors/text] [--releases 1000]
        [--actors 1 2] [--out bench/results/ray_index.json]
    python bench/ray_index.py --stages-only [--corpus DIR] [--out bench/results/ray_stages.json]

Builds the same releases (the first N files, in path order, of the corpus) with the embedding cache
off: once locally, then with ``--ray local`` and each actor count (an in-process Ray cluster; the
embedding spread over that many model copies, the cores shared among them). Prints and writes
total seconds, the seconds of reading and cleaning, of chunking and tokenizing (Ray tasks under
``--ray``) and of embedding (Ray actors), chunks/s, and the overhead of Ray against the local build.

``--stages-only``: the whole corpus through the stages before embedding (read and clean, then chunk,
tokenize and find names), here and as Ray tasks on an in-process cluster: releases/s of each; then a
whole local build with the ``hash`` embedder (a fake: no model time), whose "write" seconds are what
stays on the driver of a Ray build (SQLite store, BM25 matrix, vector index, files).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.chunking import ChunkerSettings  # noqa: E402
from rag.index.prepare import prepare  # noqa: E402
from rag.ingest import load_corpus  # noqa: E402
from rag.mapping import LocalMap  # noqa: E402
from rag.pipeline import index_corpus  # noqa: E402
from rag.settings import Settings  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def sample(corpus: Path, n: int, into: Path) -> Path:
    files = sorted(p for p in corpus.rglob("*.txt") if not p.name.startswith("."))[:n]
    for f in files:
        target = into / f.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, target)
    return into


def build(root: Path, workdir: Path, label: str, **ray) -> dict:
    settings = Settings(index_dir=str(workdir / label)).with_(cache__embed_cache="off", **ray)
    t0 = time.perf_counter()
    report = index_corpus(settings, [str(root)])
    total = time.perf_counter() - t0
    row = {"run": label, "releases": report.releases, "chunks": report.chunks, "total_s": round(total, 1),
           "read_clean_s": round(report.seconds.get("ingest", 0.0), 1),
           "chunk_tokenize_s": round(report.seconds.get("chunk", 0.0), 1),
           "embed_s": round(report.seconds.get("embed", 0.0), 1),
           # the rest, on the driver: SQLite store, BM25 matrix, vector index, files
           "write_s": round(report.seconds.get("total", 0.0) - sum(report.seconds.get(k, 0.0)
                                                                   for k in ("ingest", "chunk", "embed")), 1),
           "chunks_per_s": round(report.chunks / max(1e-9, report.seconds.get("embed", total)), 1)}
    print(row, flush=True)
    return row


def stages(corpus: Path, label: str, mapper) -> dict:
    import functools

    t0 = time.perf_counter()
    ingested = load_corpus([corpus], mapper=mapper)
    t1 = time.perf_counter()
    prepared = mapper(functools.partial(prepare, chunker=ChunkerSettings()), list(ingested.releases))
    t2 = time.perf_counter()
    row = {"run": label, "releases": len(ingested.releases), "chunks": sum(len(p.chunks) for p in prepared),
           "read_clean_s": round(t1 - t0, 1), "chunk_tokenize_s": round(t2 - t1, 1),
           "releases_per_s": round(len(ingested.releases) / (t2 - t0), 1)}
    print(row, flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpora/us-prosecutors/text"))
    ap.add_argument("--releases", type=int, default=1000)
    ap.add_argument("--actors", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--stages-only", action="store_true")
    args = ap.parse_args()
    import ray

    if args.stages_only:
        from rag.index.distributed import RayMap

        rows = [stages(args.corpus, "local", LocalMap())]
        stages(args.corpus, "ray warm-up", RayMap("local"))  # the cluster's start and the workers' imports
        rows.append(stages(args.corpus, "--ray local (tasks on 2 CPUs)", RayMap("local")))
        ray.shutdown()
        with tempfile.TemporaryDirectory() as tmp:
            row = build(args.corpus, Path(tmp), "local build, hash embedder", embedding__model="hash")
            rows.append(row | {"releases_per_s": round(row["releases"] / row["total_s"], 1)})
        write(args.out or RESULTS / "ray_stages.json", args.corpus, rows)
        return

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        root = sample(args.corpus, args.releases, work / "corpus")
        rows = [build(root, work, "local")]
        for n in args.actors:
            rows.append(build(root, work, f"ray-{n}-actor", ray__address="local", ray__actors=n))
            ray.shutdown()
    base = rows[0]["total_s"]
    for row in rows[1:]:
        row["overhead_vs_local"] = round(row["total_s"] / base - 1, 2)
    write(args.out or RESULTS / "ray_index.json", args.corpus, rows)


def write(out: Path, corpus: Path, rows: list[dict]) -> None:
    import ray

    result = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "load_avg_end": os.getloadavg(), "date": time.strftime("%Y-%m-%d %H:%M"), "ray": ray.__version__,
              "corpus": str(corpus), "rows": rows}
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
