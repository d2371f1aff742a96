"""Backward elimination of the reader's feature groups: which groups earn their place.

    python bench/reader_elimination.py --index .rag/shared [--records FILE] [--out bench/results]

The records are those of ``bench/fit_reader.py`` (the five dev files' candidate sentences, widen 1).
Starting from every group, each remaining group of ``fit_reader.GROUPS`` is left out in turn and the
reader refitted by leave-one-file-out cross-validation (C chosen over ``fit_reader.CS`` by pooled
out-of-fold top-1); the group whose removal scores best goes when the pooled top-1 does not fall
("a group that does not lower the pooled score does not earn its place"), and the search repeats
until every removal lowers it. ``--records FILE`` keeps the collected records (a pickle) for
re-runs. Writes OUT/reader_elimination.{md,json}.
"""
from __future__ import annotations

import argparse
import pickle
from pathlib import Path

from common import REPO, machine, write_report

import fit_reader as F
from eval.dataset import read_dataset
from eval.reader import collect, top1
from rag.answer.evidence import SentenceRanker
from rag.pipeline import Pipeline
from rag.settings import load_settings


def records(index: str, cache: Path | None) -> dict[str, list[dict]]:
    if cache is not None and cache.is_file():
        return pickle.loads(cache.read_bytes())
    settings = load_settings().with_(index_dir=index, retrieval__widen=1)
    pipe = Pipeline(settings)
    ranker = SentenceRanker(pipe.embedder, settings.extractive.evidence)
    data = {Path(p).stem: collect(pipe, ranker, read_dataset(p), Path(p).stem) for p in F.DATASETS}
    if cache is not None:
        cache.write_bytes(pickle.dumps(data))
    return data


def score(data: dict[str, list[dict]], dropped: tuple[str, ...]) -> dict:
    """Pooled out-of-fold top-1 without ``dropped``, at the best C of the grid."""
    cut = {n: F.without(rs, dropped) for n, rs in data.items()}
    best = None
    for c in F.CS:
        per = {h: top1(cut[h], F.predict(F.fit([r for n in cut if n != h for r in cut[n]], c), cut[h])) for h in cut}
        pooled = round(F.pooled_top1(per), 4)
        if best is None or pooled > best["pooled"]:
            best = {"pooled": pooled, "C": c, "per_file": {n: v["top1"] for n, v in per.items()}}
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--records", type=Path)
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    args = ap.parse_args()
    data = records(args.index, args.records)
    dropped: tuple[str, ...] = ()
    current = score(data, dropped)
    steps = [{"dropped": "(none: every group)", **current}]
    while True:
        trials = {g: score(data, dropped + fs) for g, fs in F.GROUPS.items() if not set(fs) <= set(dropped)}
        if not trials:
            break
        group = max(trials, key=lambda g: trials[g]["pooled"])
        if trials[group]["pooled"] < current["pooled"]:
            steps.append({"stopped": f"every removal lowers the pooled top-1 (best: {group}, {trials[group]['pooled']})"})
            break
        dropped += F.GROUPS[group]
        current = trials[group]
        steps.append({"dropped": group, **current})
    names = list(data)
    lines = ["Backward elimination of the reader's feature groups (pooled out-of-fold top-1, C re-chosen at each step).",
             "", "| step: group left out | C | " + " | ".join(names) + " | pooled |", "|---|---|" + "---|" * (len(names) + 1)]
    for s in steps:
        if "stopped" in s:
            lines += ["", f"Stopped: {s['stopped']}."]
        else:
            lines.append(f"| {s['dropped']} | {s['C']} | " + " | ".join(f"{s['per_file'][n]:.3f}" for n in names)
                         + f" | {s['pooled']:.3f} |")
    lines += ["", "Features left out: " + ", ".join(dropped) + "."]
    write_report(args.out, "reader_elimination", "\n".join(lines),
                 {"machine": machine(), "index": args.index, "steps": steps, "dropped": list(dropped)})


if __name__ == "__main__":
    main()
