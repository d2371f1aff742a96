"""perf.json -> perf.md: tables, the targets and whether they were met."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def _table(head: list[str], rows: list[list]) -> str:
    def cell(v):
        if v is None:
            return "–"
        if isinstance(v, float):
            return f"{v:.4g}" if abs(v) < 1000 else f"{v:,.0f}"
        return str(v)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def _dev_text(d: dict) -> str:
    p = d.get("prosecutors", {})
    return (f"all {d['n']} answerable questions: hybrid hit@1 {d['hybrid hit@1']} / MRR@10 {d['hybrid mrr@10']}, "
            f"dense {d['dense hit@1']} / {d['dense mrr@10']}; the {p.get('n')} prosecutor questions: hybrid "
            f"{p.get('hybrid hit@1')} / {p.get('hybrid mrr@10')}, dense {p.get('dense hit@1')} / {p.get('dense mrr@10')}")


def write_markdown(r: dict, path: Path) -> None:
    m, s = r["machine"], r["sections"]
    head = [
        "# Performance results",
        "",
        f"- date: {r['date']} (UTC); total bench time {r['total_s'] / 60:.1f} min{' (quick)' if r.get('quick') else ''}",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GiB RAM, flags: {m['cpu_flags']}; {m['platform']}",
        f"- command: `{r['command']}`",
        f"- load average (1/5/15 min) at start {r['loadavg_start']}, at end {r['loadavg_end']} "
        "(the machine is shared: a load above the core count means other processes took CPU during the runs, "
        "so every time below is pessimistic; per-CPU-second rates are the steadier comparison)",
        "",
    ]
    out: list[str] = []
    targets = []
    if "embed" in s:
        e = s["embed"]
        tut = _mean([t["chars_per_s"] for t in e["tutorial"]])
        tut_cpu = _mean([t.get("chars_per_cpu_s") for t in e["tutorial"]])
        base = next(x for x in e["runs"] if x["variant"] == "torch-float32")
        out += ["## a. Embedding throughput (fixed sample of real prosecutor chunks)", "",
                f"Sample: {base['chunks']} chunks of 160 tokens (+ title/date header), {base['chars']:,} characters. "
                f"Tutorial baseline: fp32 sentence-transformers on the same releases cut into 1,000-character chunks "
                f"(recursive splitter, 200 overlap): {e['tutorial'][0]['chunks']} chunks, measured before and after "
                f"the backends ({', '.join(str(t['chars_per_s']) for t in e['tutorial'])} chars/s; "
                f"{', '.join(str(t['chunks_per_s']) for t in e['tutorial'])} chunks/s). "
                "'× tutorial' compares characters per second (the chunks differ in size), wall clock and per "
                "CPU-second of the process; '× fp32' compares chunks/s with torch fp32 on the same chunks. Dev: the dev set's prosecutor questions whose answer release "
                "is in the sample, dense search only, release-level; 'query swap' = the sample embedded by torch fp32, "
                "questions by the backend (an index built by one backend, queried by another).", ""]
        rows = []
        for x in e["runs"]:
            v = x["variant"]
            ag, dv = e["agreement"].get(v, {}), e["dense_dev"].get(v, {})
            rows.append([v, x["chunks_per_s"], x["chars_per_s"], round(x["chars_per_s"] / tut, 2) if tut else None,
                         round(x["chars_per_cpu_s"] / tut_cpu, 2) if tut_cpu and x.get("chars_per_cpu_s") else None,
                         round(x["chunks_per_s"] / base["chunks_per_s"], 2), ag.get("min_cos"), ag.get("mean_cos"),
                         dv.get("same", {}).get("hit@1"), dv.get("same", {}).get("mrr@10"),
                         dv.get("fp32_docs", {}).get("hit@1"), dv.get("fp32_docs", {}).get("mrr@10"),
                         round(x["cpu_seconds"] and x["chunks"] / x["cpu_seconds"], 1), x["load_s"], x["maxrss_mb"],
                         x["loadavg"][0]])
        out += [_table(["variant", "chunks/s", "chars/s", "× tutorial", "× tutorial per CPU-s", "× fp32", "min cos",
                        "mean cos",
                        "dev hit@1", "dev MRR@10", "query swap hit@1", "query swap MRR@10", "chunks per CPU-s",
                        "load+export s", "peak RSS MB", "load avg"], rows), ""]
        best = max(e["runs"], key=lambda x: x["chars_per_s"])
        default = next((x for x in e["runs"] if x["variant"] == "openvino-int8"), best)
        cpu_ratio = default.get("chars_per_cpu_s", 0) / tut_cpu if tut_cpu else 0
        targets.append(["embedding >= 3x the fp32 tutorial baseline (chars/s)",
                        f"{default['variant']}: {default['chars_per_s'] / tut:.2f}x wall, {cpu_ratio:.2f}x per CPU-s"
                        if tut else "–", tut and default["chars_per_s"] / tut >= 3])
        if e.get("threads"):
            out += ["Threads (500 chunks each; torch.set_num_threads / ORT intra_op_num_threads / OpenVINO "
                    "INFERENCE_NUM_THREADS):", "",
                    _table(["variant", "threads", "chunks/s", "chunks per CPU-s", "load avg"],
                           [[t["variant"], t["threads"], t["chunks_per_s"], round(t["chunks"] / t["cpu_seconds"], 1),
                             t["loadavg"][0]] for t in e["threads"]]), ""]
    if "index" in s:
        i = s["index"]
        out += ["## b/c. Indexing", ""]
        rows = []
        for key, label in (("full", "full index"), ("no_change", "re-index, nothing changed"),
                           ("rebuild_cached", "--rebuild, vectors from the embedding cache"),
                           ("upgrade_copy", "copy of --index: re-index (upgrade, no embedding)"),
                           ("no_change_copy", "copy of --index: re-index, nothing changed")):
            if key in i and not (key == "no_change" and "full" not in i):  # else the same run as the copy's
                x = i[key]
                rows.append([label, x["variant"], x["releases"], x["chunks"], x["chunks_embedded"], x["cache_hits"],
                             x["build_s"], x["process_s"], x["chunks_per_s"], x["releases_per_s"], x["vector_index"],
                             x["maxrss_mb"], x["loadavg"][0]])
        out += [_table(["run", "embedder", "releases", "chunks", "embedded", "cache hits", "build s", "process s",
                        "chunks/s", "releases/s", "vector index", "peak RSS MB", "load avg"], rows), ""]
        if "full" in i:
            f = i["full"]
            out += [f"Full index stage seconds: {json.dumps(f['seconds'])}; vector index {f['vector_index']} "
                    f"{json.dumps(f['vector_params'])}", ""]
            nq = i.get("queries_on_new_index")
            if nq and nq.get("dev"):
                d = nq["dev"]
                out += [f"Dev retrieval on the new index (built and queried by {nq['query_variant']}): "
                        f"{_dev_text(d)}; retrieval p50 {nq['retrieval_p50_ms']} ms, ask p50 {nq['ask_p50_ms']} ms, "
                        f"serve peak RSS {nq['serve_maxrss_mb']} MB.", ""]
            targets.append(["full prosecutor index <= 15 min", f"{f['build_s'] / 60:.1f} min", f["build_s"] <= 900])
        if "no_change" in i:
            nc = i["no_change"].get("wall_s", i["no_change"]["process_s"])
            targets.append(["no-change re-index <= 10 s", f"{nc} s (whole `python` process)", nc <= 10])
    if "query" in s:
        q = s["query"]["runs"]
        out += ["## d/e. Queries on an existing index (one at a time, as `rag serve` answers them)", "",
                f"Index: a copy of --index brought up to date by a re-index with this code (no embedding; it "
                f"adds the releases(date) index) ({q[0].get('chunks')} chunks, {q[0].get('vector_index')}, built by "
                f"{q[0]['index_variant']}). Questions: dev set + 'last week' probes. Dev hit@1/MRR@10: full hybrid "
                "retriever, release level. Files opened: Python-level file opens during the timed queries.", ""]
        out += [_table(["query embedder", "queries", "retrieval p50 ms", "retrieval p95 ms", "ask p50 ms",
                        "ask p95 ms", "dev hybrid hit@1", "dev hybrid MRR@10", "dev dense hit@1", "dev dense MRR@10",
                        "prosecutor qs dense hit@1 / MRR@10", "serve peak RSS MB", "files opened", "load avg"],
                       [[x["query_variant"], x.get("queries"), x.get("retrieval_p50_ms"), x.get("retrieval_p95_ms"),
                         x.get("ask_p50_ms"), x.get("ask_p95_ms"), x.get("dev", {}).get("hybrid hit@1"),
                         x.get("dev", {}).get("hybrid mrr@10"), x.get("dev", {}).get("dense hit@1"),
                         x.get("dev", {}).get("dense mrr@10"),
                         f"{x.get('dev', {}).get('prosecutors', {}).get('dense hit@1')} / "
                         f"{x.get('dev', {}).get('prosecutors', {}).get('dense mrr@10')}",
                         x.get("serve_maxrss_mb"), x.get("files_opened_during_queries"),
                         (x.get("loadavg") or [None])[0]] for x in q]), ""]
        if any(x.get("error") for x in q):
            out += ["Refused query embedders: " + "; ".join(f"{x['query_variant']}: {x['error']}" for x in q
                                                          if x.get("error")), ""]
        first = q[0]
        if first.get("retrieval_p50_ms") is not None:
            targets.append(["retrieval p50 <= 30 ms", f"{first['retrieval_p50_ms']} ms ({first['query_variant']})",
                            first["retrieval_p50_ms"] <= 30])
    if "scale" in s:
        sc = s["scale"]
        out += ["## f. Scale curve (synthetic clustered unit vectors, dim 384; single-query latency)", ""]
        rows, sweeps = [], []
        for size in sc["synthetic"]:
            for x in size["rows"]:
                rows.append([f"{x['n']:,}", x["index"], x["build_s"], x["memory_mb"], x["p50_ms"], x["p95_ms"],
                             x["recall@10"], x.get("nlist"), x.get("nprobe"), x.get("note", "")])
                for w in x.get("sweep", []):
                    sweeps.append([f"{x['n']:,}", x["index"], x["nlist"], w["nprobe"], w["p50_ms"], w["p95_ms"],
                                   w["recall@10"]])
                if x["n"] == 1_000_000 and x["index"] == "faiss-ivf-sq8":
                    targets.append(["at 1M: p50 <= 20 ms with recall@10 >= 0.95",
                                    f"{x['p50_ms']} ms, recall {x['recall@10']}",
                                    x["p50_ms"] <= 20 and x["recall@10"] >= 0.95])
        out += [_table(["vectors", "index", "build s", "memory MB", "p50 ms", "p95 ms", "recall@10", "nlist",
                        "nprobe", "note"], rows), "", "nprobe sweep:", "",
                _table(["vectors", "index", "nlist", "nprobe", "p50 ms", "p95 ms", "recall@10"], sweeps), ""]
        if sc.get("real"):
            rl = sc["real"]
            out += [f"IVF-SQ8 on the real index's own {rl['n']:,} vectors ({rl['index']}), {rl['queries']} real "
                    "questions as queries:", "",
                    _table(["nlist", "nprobe", "auto", "recall@10", "p50 ms", "p95 ms"],
                           [[x["nlist"], x["nprobe"], x["auto"], x["recall@10"], x["p50_ms"], x["p95_ms"]]
                            for x in rl["rows"]]), ""]
    if targets:
        head += ["## Targets", "", _table(["target", "measured", "met"],
                                          [[t, m_, "yes" if ok else "no"] for t, m_, ok in targets]), ""]
    path.write_text("\n".join(head + out) + "\n")


if __name__ == "__main__":
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "results" / "perf.json"
    write_markdown(json.loads(src.read_text()), src.with_suffix(".md"))
