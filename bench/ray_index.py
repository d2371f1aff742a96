"""Indexing with the embedding on Ray against the local build, on this machine.

    python bench/ray_index.py [--corpus ../shared/corpora/us-prosecutors/text] [--releases 1000]
        [--actors 1 2] [--out bench/results/ray_index.json]

Builds the same releases (the first N files, in path order, of the corpus) with the embedding cache
off: once locally, then with ``--ray local`` and each actor count (an in-process Ray cluster; the
embedding spread over that many model copies, the cores shared among them). Prints and writes
total and embedding seconds, chunks/s, and the overhead of Ray against the local build.
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
           "embed_s": round(report.seconds.get("embed", 0.0), 1),
           "chunks_per_s": round(report.chunks / max(1e-9, report.seconds.get("embed", total)), 1)}
    print(row, flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpora/us-prosecutors/text"))
    ap.add_argument("--releases", type=int, default=1000)
    ap.add_argument("--actors", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--out", type=Path, default=RESULTS / "ray_index.json")
    args = ap.parse_args()
    import ray

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
    result = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "load_avg_end": os.getloadavg(), "date": time.strftime("%Y-%m-%d %H:%M"), "ray": ray.__version__,
              "corpus": str(args.corpus), "rows": rows}
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
