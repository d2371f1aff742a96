"""How long a count, list or case answer takes (#16: <= 2 s with the extractive answerer on the full index).

    python bench/collect_latency.py --index .rag/shared [--sets dev,a,...,v] [--out bench/results]

Every count-and-case question of the sets (``bench/collect.py``'s ``SETS``; all of them by default) is
asked through ``Pipeline.ask`` in this one process, as ``rag eval`` asks it (its ``as_of``), twice: the
first pass meets each question's releases for the first time in this process (after one warm-up
question has loaded the models), the second meets them again, as a server does when people ask about
the same sources. Wall-clock seconds per question, by the route taken (``count``, ``list``, ``case``;
``fact`` when a question of these sets is answered as a fact), p50 / p95 / max and the share within 2 s.
The second pass must give the same answers as the first (remembered sentence spans and stems are
only a cache): the script says so, or exits 1. Timings depend on the machine and on what else runs;
the load average is recorded beside them.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from collect import SETS
from common import REPO, loadavg, machine, pct, write_report

from eval.dataset import read_dataset
from rag.pipeline import Pipeline
from rag.retrieval.filters import NO_FILTERS, Filters
from rag.settings import load_settings

TARGET_S = 2.0
PASSES = ("first", "again")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated names of bench/collect.py's SETS")
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    args = ap.parse_args()
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = [s for s in names if s not in SETS]
    if unknown:
        sys.exit(f"unknown set {unknown[0]!r}; the sets are {', '.join(SETS)}")
    questions = [q for s in names for q in read_dataset(SETS[s]) if q.type in ("aggregate", "timeline")]
    pipe = Pipeline(load_settings().with_path("index_dir", args.index))
    pipe.ask("How many releases were published in 2020?")  # loads the models and the index
    seconds: dict[str, list[tuple[str, float]]] = {p: [] for p in PASSES}
    answers: dict[str, list[str]] = {p: [] for p in PASSES}
    for name in PASSES:
        for q in questions:
            t0 = time.perf_counter()
            answer, _ = pipe.ask(q.question, filters=Filters(as_of=q.as_of) if q.as_of else NO_FILTERS)
            seconds[name].append((answer.route or "fact", time.perf_counter() - t0))
            answers[name].append(answer.text)
    same = answers["first"] == answers["again"]
    rows = []
    for name in PASSES:
        for route in ("count", "list", "case", "fact", "all"):
            xs = sorted(s for r, s in seconds[name] if route in ("all", r))
            if xs:
                rows.append({"pass": name, "route": route, "n": len(xs), "p50_s": pct(xs, 50), "p95_s": pct(xs, 95),
                             "max_s": xs[-1], "within_2s": sum(x <= TARGET_S for x in xs) / len(xs)})
    table = ("| pass | route | n | p50 s | p95 s | max s | within 2 s |\n|---|---|---|---|---|---|---|\n"
             + "".join(f"| {r['pass']} | {r['route']} | {r['n']} | {r['p50_s']:.2f} | {r['p95_s']:.2f} | "
                       f"{r['max_s']:.2f} | {r['within_2s']:.3f} |\n" for r in rows)
             + f"\nSets: {', '.join(names)}. Same answers on both passes: {same}. Load average after: "
               f"{', '.join(f'{x:.2f}' for x in loadavg())}.")
    write_report(Path(args.out), "collect_latency", table,
                 {"machine": machine(), "index": args.index, "sets": names, "rows": rows, "same_answers": same,
                  "seconds": {p: [s for _, s in v] for p, v in seconds.items()},
                  "ids": [q.id for q in questions]})
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
