"""Fit the topic match's second look: releases like the ones it took (rag/collect/feedback.py).

    python bench/fit_topic_feedback.py --index .rag/shared [--out bench/results] [--weights rag/collect/feedback_weights.json]

Records: those of ``bench/fit_topic_match.py`` (every count or list with a topic of its tuning sets, the
releases of its window holding a topic word, labelled by the gold list; the judges are never read). The
topic match's logits are taken *out of fold*: for each set, from weights fitted (its shipped features and
C) on the other sets, as the shipped weights never saw a new question. With them, each release's
likeness to the releases taken at the topic match's shipped threshold (``feedback_rows``) makes the
second stage's rows. Each set held out in turn: the second stage fitted on the other sets (C from
``CS``), its threshold chosen on them (most complete, the higher on ties), the held-out set scored;
beside it, the topic match alone at its shipped threshold and at one chosen on the other sets. C is
chosen by the pooled held-out count. Writes the weights (fitted on every record, threshold chosen on
them) and OUT/topic_feedback_fit.{md,json}.
"""
from __future__ import annotations

import json
from pathlib import Path

from collect import SETS
from common import fit_arguments, fit_linear, machine, write_report
from fit_topic_match import FIT_SETS, THRESHOLDS, count, logits, records

from rag.collect import topic
from rag.collect.feedback import FEATURES, WEIGHTS, feedback_rows
from rag.collect.topic import FEATURES as TOPIC_FEATURES
from rag.pipeline import Pipeline
from rag.settings import Settings

CS = (0.01, 0.1, 1.0, 10.0)


def first_stage(data: dict) -> tuple[dict, float]:
    """Per record id, the topic match's out-of-fold logits; and its shipped threshold."""
    shipped = json.loads(Path(topic.WEIGHTS).read_text(encoding="utf-8"))
    feats, c = shipped["features"], shipped["fit"]["C"]
    cols = [TOPIC_FEATURES.index(f) for f in feats]
    sub = {s: [dict(r, X=[[x[i] for i in cols] for x in r["X"]]) for r in rs] for s, rs in data.items()}
    out = {}
    for s in sub:
        w = fit_linear([r for t, rs in sub.items() if t != s for r in rs if r["X"]], c, feats)
        out.update({r["id"]: lg for r, lg in zip(sub[s], logits(w, sub[s]))})
    return out, float(shipped["threshold"])


def best_threshold(recs: list[dict], lg: list) -> float:
    return max(THRESHOLDS, key=lambda t: (count(recs, lg, t, "model"), t))


def main() -> None:
    args = fit_arguments(__doc__, WEIGHTS)
    pipe = Pipeline(Settings(index_dir=args.index))
    store = pipe.index.store
    data = {s: records(pipe, SETS[s]) for s in FIT_SETS}
    first, thr1 = first_stage(data)
    runs = TOPIC_FEATURES.index("runs_sentence")
    second = {s: [dict(r, X=feedback_rows([store.release(i) for i in r["ids"]], first[r["id"]], thr1,
                                          [x[runs] for x in r["X"]])) for r in rs] for s, rs in data.items()}
    n = {s: len(rs) for s, rs in data.items()}
    alone = {s: int(count(rs, [first[r["id"]] for r in rs], thr1, "model")) for s, rs in data.items()}
    chosen_alone = {}
    for s in data:
        train = [r for t, rs in data.items() if t != s for r in rs]
        t = best_threshold(train, [first[r["id"]] for r in train])
        chosen_alone[s] = int(count(data[s], [first[r["id"]] for r in data[s]], t, "model"))
    grid = {}
    for c in CS:
        grid[c] = {}
        for s in second:
            train = [r for t, rs in second.items() if t != s for r in rs if r["X"]]
            w = fit_linear(train, c, FEATURES)
            t = best_threshold(train, logits(w, train))
            grid[c][s] = int(count(second[s], logits(w, second[s]), t, "model"))
    best_c = max(CS, key=lambda c: (sum(grid[c].values()), -c))
    every = [r for rs in second.values() for r in rs if r["X"]]
    weights = fit_linear(every, best_c, FEATURES)
    threshold = best_threshold(every, logits(weights, every))
    weights.update(threshold=float(threshold), fit={
        "script": "bench/fit_topic_feedback.py", "C": best_c, "sets": list(FIT_SETS), "questions": n,
        "first_threshold": thr1, "held_out_complete": grid[best_c], "topic_match_alone": alone,
        "topic_match_threshold_chosen": chosen_alone})
    Path(args.weights).write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")

    sets, total = list(FIT_SETS), sum(n.values())
    rows = [("topic match alone, shipped threshold", alone), ("topic match alone, threshold chosen on the others",
                                                              chosen_alone)]
    rows += [(f"with the second look, C={c}", grid[c]) for c in CS]
    lines = [f"Counts and lists with a topic, complete (recall >= 0.9, precision >= 0.8), each set held out in turn "
             f"(the topic match's logits out of fold; the second stage and its threshold fitted on the other sets); "
             f"n = {', '.join(f'{s} {n[s]}' for s in sets)} ({total}). Chosen C = {best_c}, threshold {threshold} "
             f"(on all records); index `{args.index}`.", "",
             "| row | " + " | ".join(sets) + " | all |", "|---|" + "---|" * (len(sets) + 1)]
    lines += [f"| {label} | " + " | ".join(str(per[s]) for s in sets) + f" | {sum(per.values())} |" for label, per in rows]
    write_report(args.out, "topic_feedback_fit", "\n".join(lines),
                 {"machine": machine(), "index": args.index, "chosen": {"C": best_c, "threshold": threshold},
                  "rows": [{"row": label, "complete": per} for label, per in rows]})
    print("\n".join(lines))


if __name__ == "__main__":
    main()
