"""Topic matching for counts and lists by the embedder, beside the word runs (measured, not shipped).

    python bench/collect_topic_match.py --index .rag/shared [--out bench/results]

For every count or list question of ``bench/datasets/collect-{a..i}.jsonl``: the releases the
word runs match (``rag.collect.match``; ``find_matches(..., topic_model=False)``), and each release of the question's sources and
window scored by the embedder: its best chunk's cosine with the topic words (the index's own
chunk vectors, one search restricted to those chunks). A question is complete when the predicted
releases reach recall >= 0.9 and precision >= 0.8 of its gold list (the issue's target). Rows: the
word runs alone; the embedder alone, its releases at or above a threshold; the union; the embedder
only when the word runs find nothing.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from common import REPO, machine, write_report

from eval.dataset import read_dataset
from rag.collect.find import find_matches
from rag.collect.run import read_criteria
from rag.pipeline import Pipeline
from rag.question import analyse
from rag.settings import load_settings

SETS = "abcdefghi"
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65)


def records(pipe, path: Path) -> list[dict]:
    index, out = pipe.index, []
    for q in read_dataset(path):
        if q.type != "aggregate":
            continue
        crit = read_criteria(analyse(q.question, q.as_of), index)
        words = {m.release.id for m in find_matches(index.store, index.lexical, crit, topic_model=False).counted}
        cosine: dict[str, float] = {}
        ids = index.store.chunk_ids_where(date_from=crit.start, date_to=crit.end, sources=crit.sources)
        if crit.topic and ids:
            ids = list(ids)
            vector = np.asarray(pipe.embedder.embed([crit.topic])[0])
            for hit in index.search_vector(vector, len(ids), allowed=ids):
                cosine[hit.release.id] = max(cosine.get(hit.release.id, 0.0), hit.score)
        out.append({"id": q.id, "topic": crit.topic, "gold": set(q.gold_ids), "words": words, "cosine": cosine})
    return out


def complete(predicted: set, gold: set) -> bool:
    if not gold:
        return not predicted
    found = len(predicted & gold)
    return found / len(gold) >= 0.9 and bool(predicted) and found / len(predicted) >= 0.8


def predict(r: dict, mode: str, threshold: float) -> set:
    if not r["topic"]:
        return r["words"]
    near = {rid for rid, c in r["cosine"].items() if c >= threshold}
    return {"words": r["words"], "embedder": near, "union": r["words"] | near,
            "embedder when words find none": r["words"] or near}[mode]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    args = ap.parse_args()
    pipe = Pipeline(load_settings().with_(index_dir=args.index))
    data = {s: records(pipe, REPO / "bench" / "datasets" / f"collect-{s}.jsonl") for s in SETS}
    rows = [("words (shipped)", None, {s: sum(complete(r["words"], r["gold"]) for r in rs) for s, rs in data.items()})]
    for mode in ("embedder", "union", "embedder when words find none"):
        for t in THRESHOLDS:
            rows.append((mode, t, {s: sum(complete(predict(r, mode, t), r["gold"]) for r in rs) for s, rs in data.items()}))
    lines = ["Counts and lists complete (recall >= 0.9, precision >= 0.8), per set; n = " +
             ", ".join(f"{s} {len(rs)}" for s, rs in data.items()) + ".", "",
             "| topic match | threshold | " + " | ".join(SETS) + " | all |", "|---|---|" + "---|" * (len(SETS) + 1)]
    for mode, t, per in rows:
        lines.append(f"| {mode} | {'–' if t is None else t} | " + " | ".join(str(per[s]) for s in SETS)
                     + f" | {sum(per.values())} |")
    write_report(args.out, "collect_topic_match", "\n".join(lines),
                 {"machine": machine(), "index": args.index,
                  "rows": [{"mode": m, "threshold": t, "complete": per} for m, t, per in rows]})


if __name__ == "__main__":
    main()
