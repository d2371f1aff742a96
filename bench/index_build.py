"""Indexing throughput: one ``rag index``-equivalent build (or re-index) in its own process.

    python bench/index_build.py --corpus /work/shared/corpora/us-prosecutors/text --index /tmp/idx [--rebuild]

Runs rag.index.build_index with the default settings (the embedder variant from
``--variant`` or the ``embed_backend`` setting) and prints the BuildReport, the process's
wall time (imports included, as a user waits for them) and its peak RSS.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

T_START = time.perf_counter()
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import maxrss_mb  # noqa: E402


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, action="append", required=True)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--variant")
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args(argv)

    from rag.embedding import SentenceTransformerEmbedder
    from rag.index import build_index
    from rag.settings import load_settings

    from embed import VARIANTS, split_variant

    settings = load_settings()  # RAG_EMBED_BACKEND and the rest, as `rag index` reads them
    variant = args.variant or settings.embedding.backend
    backend, dtype = split_variant(variant) if variant in VARIANTS else (variant, settings.embedding.dtype)
    embedder = SentenceTransformerEmbedder(backend=backend, dtype=dtype, batch_size=settings.embedding.batch_size,
                                           threads=settings.embedding.threads, cache_dir=settings.cache.dir)
    t0 = time.perf_counter()
    report = build_index(args.corpus, args.index, embedder, settings.chunking, rebuild=args.rebuild,
                         vector_index=settings.vectors.kind, embed_cache=settings.cache.embed_cache)
    seconds = time.perf_counter() - t0
    from rag.index import Manifest, generations

    manifest = Manifest.read(generations.current(args.index))
    print(json.dumps({
        "variant": embedder.variant, "rebuild": args.rebuild, "written": report.written,
        "releases": report.releases, "chunks": report.chunks, "added": report.added, "updated": report.updated,
        "removed": report.removed, "chunks_embedded": report.chunks_embedded, "cache_hits": report.cache_hits,
        "cache_misses": report.cache_misses, "build_s": round(seconds, 2),
        "process_s": round(time.perf_counter() - T_START, 2),
        "seconds": {k: round(v, 2) for k, v in report.seconds.items()},
        "chunks_per_s": round(report.chunks_embedded / seconds, 2) if report.chunks_embedded else None,
        "releases_per_s": round((report.added + report.updated) / seconds, 2) if report.written else None,
        "vector_index": manifest.vector_index, "vector_params": manifest.vector_params,
        "maxrss_mb": maxrss_mb(), "loadavg": [round(x, 2) for x in os.getloadavg()],
    }))


if __name__ == "__main__":
    main()
