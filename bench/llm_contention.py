"""Does the local model need to be alone? llama.cpp beside the query embedder on 2 cores.

    python bench/llm_contention.py [--out bench/results] [--repeats 3]

Each scenario runs in a fresh process (OMP_WAIT_POLICY is read at start-up):

- ``alone``: one generation, nothing else running;
- ``beside embedder``: the same generation while another thread embeds queries non-stop;
- ``beside embedder, OMP_WAIT_POLICY=passive``: the same, with idle OpenMP threads sleeping
  instead of spinning;
- ``serialised``: the embedder thread takes the model lock too, so it waits while the
  model generates (what ``rag serve`` does).

Reports time to first token, generated tokens/s and how many queries the embedder
thread got through, and writes OUT/llm_contention.{md,json}.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone

from common import write_report

QUESTION = "How many knives were seized in Luton parks?"
SCENARIOS = [("alone", {}, False, False), ("beside embedder", {}, True, False),
             ("beside embedder, OMP_WAIT_POLICY=passive", {"OMP_WAIT_POLICY": "passive"}, True, False),
             ("serialised (embedder waits for the model lock)", {}, True, True)]


def child(background: bool, serialised: bool, repeats: int) -> dict:
    from rag.answer.llm import MODEL_LOCK, LlamaChat
    from rag.embedding import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    embedder.embed(["warm-up"])
    chat = LlamaChat(max_tokens=64)
    def messages(run: int) -> list[dict]:  # a different passage each run: no prompt-cache hit
        return [{"role": "system", "content": "Answer in one sentence."},
                {"role": "user", "content": f"Passage {run}: The force's community policing team in Luton has "
                 f"undertaken {20 + run} weapons sweeps in parks across the town, where officers have located and "
                 f"seized {10 + run} knives. Patrols in the town centre will continue for {run + 2} more weeks, "
                 "and residents can report concerns online or by calling 101.\n"
                 f"Question: {QUESTION}"}]

    list(chat.stream(messages(99)))  # load and warm the model
    stop = threading.Event()
    embedded = [0]

    def embed_loop():
        while not stop.is_set():
            if serialised:
                with MODEL_LOCK:
                    embedder.embed([QUESTION])
            else:
                embedder.embed([QUESTION])
            embedded[0] += 1

    runs = []
    for run in range(repeats):
        thread = threading.Thread(target=embed_loop, daemon=True) if background else None
        embedded[0] = 0
        if thread:
            thread.start()
            time.sleep(0.5)
        t0 = time.perf_counter()
        first, n = None, 0
        with MODEL_LOCK:
            for _delta in chat.stream(messages(run)):
                first = first or time.perf_counter()
                n += 1
        t1 = time.perf_counter()
        stop.set()
        if thread:
            thread.join()
        stop.clear()
        runs.append({"first_token_s": (first - t0) if first else None, "total_s": t1 - t0,
                     "tokens_per_s": (n - 1) / (t1 - first) if first and n > 1 else None,
                     "queries_embedded": embedded[0]})
    return {"runs": runs, "first_token_s": sorted(r["first_token_s"] for r in runs)[len(runs) // 2],
            "tokens_per_s": sorted(r["tokens_per_s"] for r in runs)[len(runs) // 2],
            "queries_embedded": sorted(r["queries_embedded"] for r in runs)[len(runs) // 2]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="bench/results")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0] == "1", args.child[1] == "1", args.repeats)))
        return
    results = {}
    for label, env, background, serialised in SCENARIOS:
        out = subprocess.run([sys.executable, __file__, "--repeats", str(args.repeats), "--child",
                              "1" if background else "0", "1" if serialised else "0"],
                             env={**os.environ, "HF_HUB_OFFLINE": "1", **env}, capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"scenario {label!r} failed:\n{out.stderr[-2000:]}")
        results[label] = json.loads(out.stdout.strip().splitlines()[-1])
        r = results[label]
        print(f"{label:50s} first token {r['first_token_s']:.2f} s  {r['tokens_per_s']:.1f} tok/s  "
              f"embedder queries during generation {r['queries_embedded']}", flush=True)
    load = os.getloadavg()
    lines = [f"Local model beside the embedder: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
             f"{datetime.now(timezone.utc):%Y-%m-%d}, load average before start {load[0]:.2f}; median of "
             f"{args.repeats} runs, 64 tokens max.", "",
             "| scenario | first token (s) | generated tokens/s | queries embedded meanwhile |", "|---|---|---|---|"]
    for label, r in results.items():
        lines.append(f"| {label} | {r['first_token_s']:.2f} | {r['tokens_per_s']:.1f} | {r['queries_embedded']} |")
    write_report(args.out, "llm_contention", "\n".join(lines), results)


if __name__ == "__main__":
    main()
