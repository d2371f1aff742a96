"""The performance benchmark: one command, results in bench/results/perf.json and perf.md.

    python bench/run.py --corpus /work/shared/corpora/us-prosecutors/text --index /work/idx-all \\
        [--quick] [--full-index] [--scale 10k,100k,1M,5M]

Sections (each measurement in its own process, so memory and threads are clean):
  a. embedding throughput per backend on the fixed 2,004-chunk sample, beside the
     tutorial baseline (fp32 sentence-transformers on 1,000-character chunks),
     vector agreement with torch fp32, dense dev hit@1/MRR@10 on the sample;
  b. (--full-index, long) a full index of --corpus into a temp folder with the
     default settings; c. re-index with nothing changed, and --rebuild from the
     embedding cache (without --full-index: no-change re-index of a copy of --index);
  d. query latency p50/p95 (retrieval; retrieval + extractive answer) on --index,
     and dev hit@1/MRR@10 of the full hybrid retriever per query backend;
  e. peak RSS of every process, the serve-like one included;
  f. scale curve of flat vs IVF on synthetic clustered vectors, and IVF recall on
     --index's own vectors.
--quick: 500-chunk embedding runs, no thread sweep, scale up to 100k (~5 min).
The machine, date and load average are written next to the results.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RESULTS, SAMPLE, loadavg, machine, run_worker  # noqa: E402
from report import write_markdown  # noqa: E402

BASELINE = "torch-float32"
CANDIDATES = ("torch-bfloat16", "onnx-float32", "onnx-int8", "openvino-float32", "openvino-bfloat16", "openvino-int8")
DEFAULT_VARIANT = "openvino-int8"  # the recommendation (see perf.md)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def embedding_section(args, tmp: Path) -> dict:
    if not SAMPLE.is_file():
        log(f"making the fixed sample from {args.corpus}")
        run_worker(["bench/embed.py", "sample", "--corpus", str(args.corpus)])
    limit = ["--limit", "500"] if args.quick else []
    out: dict = {"runs": [], "threads": [], "agreement": {}, "dense_dev": {}}
    vectors, queries = {}, {}

    def measure(variant, *extra, save=True, tutorial=False):
        npy = tmp / f"{variant}{'-tut' if tutorial else ''}.npy"
        cmd = ["bench/embed.py", "worker", "--variant", variant, *limit, *extra]
        cmd += ["--out", str(npy)] if save else []
        cmd += ["--tutorial"] if tutorial else []
        row = run_worker(cmd)
        log(f"  {variant}{' (tutorial chunks)' if tutorial else ''} {' '.join(extra)}: {row['chunks_per_s']} chunks/s "
            f"({row['chars_per_s']} chars/s, load {row['loadavg'][0]})")
        if save and not tutorial:
            vectors[variant] = np.load(npy)
        return row

    log("a. embedding throughput")
    out["tutorial"] = [measure(BASELINE, tutorial=True, save=False)]
    out["runs"].append(measure(BASELINE))
    for variant in CANDIDATES:
        out["runs"].append(measure(variant))
    out["tutorial"].append(measure(BASELINE, tutorial=True, save=False))  # again: load drifts on a shared machine
    if not args.quick:
        for variant in (BASELINE, "onnx-int8", "openvino-bfloat16", "openvino-int8"):
            for threads in sorted({1, os.cpu_count() or 1}):
                out["threads"].append(measure(variant, "--threads", str(threads), "--limit", "500", save=False))
    ref = vectors[BASELINE]
    for variant, v in vectors.items():
        cos = (v * ref).sum(axis=1)
        out["agreement"][variant] = {"min_cos": round(float(cos.min()), 5), "mean_cos": round(float(cos.mean()), 5),
                                     "p01_cos": round(float(np.percentile(cos, 1)), 5)}
    from common import read_sample, sample_chunks
    from embed import dense_dev, dev_questions

    _, owners = sample_chunks(read_sample())
    owners = owners[: len(ref)]
    questions = dev_questions(owners)
    for variant in vectors:
        npy = tmp / f"q-{variant}.npy"
        run_worker(["bench/embed.py", "queries", "--variant", variant, "--out", str(npy)])
        queries[variant] = np.load(npy)
    for variant in vectors:
        out["dense_dev"][variant] = {
            "same": dense_dev(vectors[variant], owners, queries[variant], questions),
            "fp32_docs": dense_dev(ref, owners, queries[variant], questions),  # query-only swap
        }
    return out


def index_section(args, tmp: Path) -> dict:
    out: dict = {}
    if args.index:
        from rag.index import Index

        # the query section runs on a copy of --index brought up to date by this code (a re-index with
        # nothing changed adds what an older index lacks, e.g. the releases(date) index; no embedding)
        manifest = Index(args.index).manifest
        copy = tmp / "index-copy"
        shutil.copytree(args.index, copy)
        cmd = ["bench/index_build.py", "--index", str(copy), "--variant", manifest.variant]
        for root in manifest.corpus:
            cmd += ["--corpus", root]
        log(f"c. re-index of a copy of {args.index} (upgrade), then again with nothing changed")
        out["upgrade_copy"] = run_worker(cmd)
        out["no_change_copy"] = run_worker(cmd)
        args.query_index = copy
    if args.full_index:
        target = tmp / "full-index"
        log(f"b. full index of {args.corpus} with {args.variant} (long)")
        out["full"] = run_worker(["bench/index_build.py", "--corpus", str(args.corpus), "--index", str(target),
                                  "--variant", args.variant])
        log(f"   {out['full']['build_s']} s, {out['full']['chunks_per_s']} chunks/s")
        log("c. re-index with nothing changed; rebuild from the embedding cache")
        out["no_change"] = run_worker(["bench/index_build.py", "--corpus", str(args.corpus), "--index", str(target),
                                       "--variant", args.variant])
        out["rebuild_cached"] = run_worker(["bench/index_build.py", "--corpus", str(args.corpus), "--index",
                                            str(target), "--variant", args.variant, "--rebuild"])
        log("   dev retrieval and query latency on the new index")
        out["queries_on_new_index"] = run_worker(["bench/query.py", "--index", str(target), "--variant",
                                                  args.variant, "--dev"])
        shutil.rmtree(target, ignore_errors=True)
    elif "no_change_copy" in out:
        out["no_change"] = out["no_change_copy"]
    if "no_change" in out:
        log(f"   no-change re-index: {out['no_change']['process_s']} s (process), written={out['no_change']['written']}")
    return out


def query_section(args) -> dict:
    from rag.embedding import compatible_variants
    from rag.index import Index

    index = getattr(args, "query_index", None) or args.index
    built = Index(index).manifest.variant
    variants = [built] + [v for v in (BASELINE, *CANDIDATES) if v != built and compatible_variants(built, v)]
    if args.quick:
        variants = variants[:1] + ([args.variant] if args.variant in variants[1:] else [])
    out = {"runs": []}
    log(f"d. query latency and dev retrieval on {index} (built by {built})")
    for i, variant in enumerate(variants):
        row = run_worker(["bench/query.py", "--index", str(index), "--variant", variant, "--dev",
                          "--repeat", "1" if args.quick or i else "2"])
        log(f"   {variant}: retrieval p50 {row.get('retrieval_p50_ms')} ms, ask p50 {row.get('ask_p50_ms')} ms, "
            f"dev {row.get('dev')}, rss {row.get('serve_maxrss_mb')} MB")
        out["runs"].append(row)
    return out


def scale_section(args) -> dict:
    out = {"synthetic": [], "real": None}
    for size in args.scale.split(","):
        kinds = "faiss-flat,faiss-ivf-sq8" + (",faiss-ivf-pq" if size.strip().lower() == "1m" else "")
        log(f"f. scale curve: {size} ({kinds})")
        row = run_worker(["bench/scale.py", "--n", size, "--sweep", "--kinds", kinds])
        for r in row["rows"]:
            log(f"   {r['index']}: build {r['build_s']} s, {r['memory_mb']} MB, p50 {r['p50_ms']} ms, "
                f"recall@10 {r['recall@10']}")
        out["synthetic"].append(row)
    if args.index:
        out["real"] = run_worker(["bench/scale.py", "--real", str(args.index)])
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=Path("/work/shared/corpora/us-prosecutors/text"))
    ap.add_argument("--index", type=Path, help="an existing index for query latency (e.g. /work/idx-all)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--full-index", action="store_true", help="also index --corpus from scratch (15+ min)")
    ap.add_argument("--variant", default=DEFAULT_VARIANT,
                    help=f"embedder variant for the full index (default {DEFAULT_VARIANT}, the recommendation)")
    ap.add_argument("--scale", help="vector counts for the scale curve (default 10k,100k,1M,5M; quick 10k,100k)")
    ap.add_argument("--skip", default="", help="comma-separated sections to skip: embed,index,query,scale")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    args.scale = args.scale or ("10k,100k" if args.quick else "10k,100k,1M,5M")
    skip = set(filter(None, args.skip.split(",")))
    started = time.time()
    results: dict = {
        "command": " ".join(["python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(), "loadavg_start": loadavg(), "quick": args.quick, "sections": {},
    }
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        tmp = Path(tmp)
        args.query_index = None
        for name, fn in (("embed", lambda: embedding_section(args, tmp)), ("index", lambda: index_section(args, tmp)),
                         ("query", lambda: query_section(args)), ("scale", lambda: scale_section(args))):
            if name in skip or (name == "query" and not args.index):
                continue
            t0 = time.time()
            results["sections"][name] = fn()
            results["sections"][name]["seconds"] = round(time.time() - t0, 1)
            results["sections"][name]["loadavg_end"] = loadavg()
    results["loadavg_end"] = loadavg()
    results["total_s"] = round(time.time() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "perf.json").write_text(json.dumps(results, indent=2) + "\n")
    write_markdown(results, args.out / "perf.md")
    log(f"done in {results['total_s']} s: {args.out / 'perf.json'}, {args.out / 'perf.md'}")


if __name__ == "__main__":
    main()
