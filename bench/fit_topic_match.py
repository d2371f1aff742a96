"""Fit which releases of a count's or list's window are about its topic (rag/collect/topic.py).

    python bench/fit_topic_match.py --index .rag/shared [--out bench/results] [--weights rag/collect/topic_weights.json]

Records: every count or list question ("aggregate") with a topic of the sets the count-and-case
work was tuned on (``FIT_SETS``: the shared dev file, ``bench/datasets/collect-a`` ... ``-i``, ``-p`` to ``-t``):
the releases of its sources and window that hold a topic word (``scored_releases``), labelled 1
when on the question's gold list. The judges (``collect-j`` to ``-o``, ``-u``, ``-v``) are never read here.

A question is complete when the releases taken reach recall >= 0.9 and precision >= 0.8 of its
gold list (the issue's target). Each set held out in turn: weights fitted on the others, the
threshold chosen on the others (most complete, the higher on ties), then the held-out set scored.
Rows: the word runs alone (shipped before), the model alone, and the model only where the word
runs find nothing. C is chosen by the pooled held-out count; each feature group is then left
out in turn. Writes the weights (fitted on every record, threshold chosen on them) and
OUT/topic_match_fit.{md,json}.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from collect import SETS
from collect_topic_match import complete
from common import fit_arguments, fit_linear, machine, predict_linear, write_report

from eval.dataset import read_dataset
from rag.collect.find import find_matches
from rag.collect.run import read_criteria
from rag.collect.topic import FEATURES, GROUPS, WEIGHTS, candidate_ids, scored_releases
from rag.fitted import logit
from rag.pipeline import Pipeline
from rag.question import analyse
from rag.question.route import read_route
from rag.settings import Settings

FIT_SETS = ("dev", "a", "b", "c", "d", "e", "f", "g", "h", "i", "p", "q", "r", "s", "t")
CS = (0.01, 0.1, 1.0)
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.3, 0.96, 0.05))


def records(pipe: Pipeline, path: Path) -> list[dict]:
    """One record per count or list question of ``path`` whose criteria hold a topic."""
    index, out = pipe.index, []
    for q in read_dataset(path):
        if q.type != "aggregate":
            continue
        crit = read_criteria(analyse(q.question, q.as_of), index, fitted=read_route(q.question)[1])
        if not crit.runs:
            continue
        words = {m.release.id for m in find_matches(index.store, index.lexical, crit, topic_model=False).counted}
        window = index.store.releases_where(sources=crit.sources, date_from=crit.start, date_to=crit.end,
                                            release_ids=candidate_ids(index.lexical, crit.runs, crit.words),
                                            dated=True if crit.windowed else None)
        scored = scored_releases(window, index.lexical, crit.topic, crit.runs, crit.words)
        gold = set(q.gold_ids)
        out.append({"id": q.id, "topic": crit.topic, "gold": gold, "words": words,
                    "ids": [r.id for r, _ in scored], "X": [x for _, x in scored],
                    "y": [int(r.id in gold) for r, _ in scored]})
    return out


def taken(r: dict, logits, threshold: float) -> set:
    z = logit(threshold)
    return {rid for rid, s in zip(r["ids"], logits) if s >= z}


def f1(predicted: set, gold: set) -> float:
    found = len(predicted & gold)
    return 2 * found / (len(predicted) + len(gold)) if predicted or gold else 1.0


def count(recs, logits, threshold, mode, score=complete) -> float:
    n = 0.0
    for r, lg in zip(recs, logits):
        model = taken(r, lg, threshold)
        pred = {"model": model, "model where words find none": r["words"] or model}[mode]
        n += score(pred, r["gold"])
    return n


def logits(weights: dict, recs: list[dict]) -> list[list[float]]:
    return [predict_linear(weights, [r])[0] if r["X"] else [] for r in recs]


def held_out(data: dict, c: float, features, mode: str) -> dict:
    """Per set: the held-out count of complete questions, weights and threshold from the others."""
    cols = [FEATURES.index(f) for f in features]
    sub = {s: [dict(r, X=[[x[i] for i in cols] for x in r["X"]]) for r in rs] for s, rs in data.items()}
    out, f = {}, {}
    for s in sub:
        train = [r for t, rs in sub.items() if t != s for r in rs if r["X"]]
        w = fit_linear(train, c, features)
        lg = logits(w, train)
        best = max(THRESHOLDS, key=lambda t: (count(train, lg, t, mode), t))
        test = sub[s]
        out[s] = int(count(test, logits(w, test), best, mode))
        f[s] = count(test, logits(w, test), best, mode, f1)
    out["F1"] = round(sum(f.values()) / max(1, sum(len(rs) for rs in sub.values())), 3)
    return out


def total(per: dict) -> int:
    return sum(v for k, v in per.items() if k != "F1")


def main():
    args = fit_arguments(__doc__, WEIGHTS)
    pipe = Pipeline(Settings().with_(index_dir=args.index))
    data = {s: records(pipe, SETS[s]) for s in FIT_SETS}
    n = {s: len(rs) for s, rs in data.items()}
    words = {s: sum(complete(r["words"], r["gold"]) for r in rs) for s, rs in data.items()}
    words["F1"] = round(sum(f1(r["words"], r["gold"]) for rs in data.values() for r in rs) / sum(n.values()), 3)
    rows = [("word runs (shipped before)", "–", words)]
    grid = {}
    for mode in ("model", "model where words find none"):
        for c in CS:
            grid[(mode, c)] = held_out(data, c, FEATURES, mode)
            rows.append((f"{mode}, C={c}", "all", grid[(mode, c)]))
    mode, c = max(grid, key=lambda k: (grid[k]["F1"], total(grid[k]), k[0] == "model", -k[1]))
    kept_groups, dropped = list(GROUPS), []
    base = grid[(mode, c)]
    while len(kept_groups) > 1:  # backward elimination: drop the group whose removal helps mean F1 most
        trials = {}
        for group in kept_groups:
            feats = [f for g in kept_groups if g != group for f in GROUPS[g]]
            trials[group] = held_out(data, c, feats, mode)
            rows.append((f"{mode}, C={c}", "without " + ", ".join([group, *dropped]), trials[group]))
        group = max(trials, key=lambda g: (trials[g]["F1"], total(trials[g])))
        if (trials[group]["F1"], total(trials[group])) <= (base["F1"], total(base)):
            break
        kept_groups.remove(group)
        dropped.append(group)
        base = trials[group]
    features = [f for g in kept_groups for f in GROUPS[g]]
    cols = [FEATURES.index(f) for f in features]
    every = [dict(r, X=[[x[i] for i in cols] for x in r["X"]]) for rs in data.values() for r in rs if r["X"]]
    weights = fit_linear(every, c, features)
    lg = logits(weights, every)
    threshold = max(THRESHOLDS, key=lambda t: (count(every, lg, t, mode), t))
    weights.update(threshold=float(threshold), mode=mode, fit={
        "C": c, "mode": mode, "sets": list(FIT_SETS), "questions": n, "releases": sum(len(r["y"]) for r in every),
        "groups": kept_groups, "dropped": dropped, "held_out_complete": base, "words_complete": words})
    Path(args.weights).write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    sets = list(FIT_SETS)
    lines = [f"Counts and lists with a topic, complete (recall >= 0.9, precision >= 0.8), each set held out in turn; "
             f"n = {', '.join(f'{s} {n[s]}' for s in sets)} ({sum(n.values())}); {weights['fit']['releases']} "
             f"releases scored. Chosen: {mode}, C = {c} (by mean F1), feature groups {', '.join(kept_groups)} "
             f"(backward elimination by mean F1; dropped: {', '.join(dropped) or 'none'}), threshold {threshold} "
             "(on all records).", "",
             "| row | features | " + " | ".join(sets) + " | all | mean F1 |", "|---|---|" + "---|" * (len(sets) + 2)]
    for label, feats, per in rows:
        lines.append(f"| {label} | {feats} | " + " | ".join(str(per[s]) for s in sets)
                     + f" | {total(per)} | {per['F1']} |")
    write_report(args.out, "topic_match_fit", "\n".join(lines),
                 {"machine": machine(), "index": args.index, "chosen": {"mode": mode, "C": c, "threshold": threshold},
                  "rows": [{"row": lab, "features": f, "complete": per} for lab, f, per in rows]})
    print("\n".join(lines))


if __name__ == "__main__":
    main()
