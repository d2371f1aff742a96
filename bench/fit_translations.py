"""Fit when a release is a translation of another (rag/collect/translations.py).

    python bench/fit_translations.py --index .rag/shared [--out bench/results] [--weights rag/collect/translation_weights.json]

Labels: ``bench/datasets/translations.jsonl``, one row per dated release of the shared corpora
that ``rag.text.language`` reads as not English and that has an English release of its source
within ``MAX_DAYS``: the English release sharing most of its names and numbers
(``best_candidate``) and whether it is its translation, judged by hand from the two titles and
dates (pairs the titles could not settle were left out; ``titles`` keeps what was read).
Features are recomputed here on the given index. Logistic regression, stratified 5-fold cross
validation: C and the threshold are chosen by out-of-fold F1 (ties: the higher threshold, the
smaller C); then fitted on every row. Writes the weights and OUT/translation_fit.{md,json}.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from common import REPO, fit_arguments, fit_linear, machine, predict_linear, write_report

from rag.collect.translations import FEATURES, WEIGHTS, best_candidate, candidates
from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.text.language import language

LABELS = REPO / "bench" / "datasets" / "translations.jsonl"
CS = (0.01, 0.1, 1.0, 10.0)
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.3, 0.91, 0.05))
FOLDS = 5


def rows(index, labels: list[dict]) -> list[dict]:
    """Each label with its features on ``index`` (the best candidate recomputed; a row whose best
    candidate is no longer the labelled one is reported and left out)."""
    store, languages, out = index.store, {}, []
    for lab in labels:
        rel = store.release(lab["release"])
        if rel is None:
            print(f"left out: {lab['release']} is not in the index")
            continue
        found = best_candidate(rel, candidates(store, rel, "en", languages), index.lexical)
        if found is None or found[0].id != lab["candidate"]:
            print(f"left out: {lab['release']}: best candidate now {found[0].id if found else None}")
            continue
        out.append({"id": rel.id, "lang": language(f"{rel.title}\n{rel.body}"), "X": [found[1]],
                    "y": [int(lab["translation"])]})
    return out


def folds(data: list[dict]) -> list[int]:
    from sklearn.model_selection import StratifiedKFold

    fold = [0] * len(data)
    split = StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(np.zeros(len(data)), [r["y"][0] for r in data])
    for k, (_, test) in enumerate(split):
        for i in test:
            fold[i] = k
    return fold


def scores(pairs: list[tuple[float, int]], threshold: float) -> dict:
    tp = sum(1 for p, y in pairs if p >= threshold and y)
    fp = sum(1 for p, y in pairs if p >= threshold and not y)
    fn = sum(1 for p, y in pairs if p < threshold and y)
    tn = len(pairs) - tp - fp - fn
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "f1": round(f1, 4), "accuracy": round((tp + tn) / len(pairs), 4)}


def out_of_fold(data: list[dict], fold: list[int], c: float) -> list[tuple[float, int]]:
    pairs = [None] * len(data)
    for k in range(FOLDS):
        w = fit_linear([r for r, f in zip(data, fold) if f != k], c, FEATURES)
        test = [i for i, f in enumerate(fold) if f == k]
        for i, z in zip(test, predict_linear(w, [data[i] for i in test])):
            pairs[i] = (float(1 / (1 + np.exp(-z[0]))), data[i]["y"][0])
    return pairs


def main():
    args = fit_arguments(__doc__, WEIGHTS)
    index = Pipeline(Settings().with_(index_dir=args.index)).index
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    data = rows(index, labels)
    fold = folds(data)
    grid = {}
    for c in CS:
        pairs = out_of_fold(data, fold, c)
        for t in THRESHOLDS:
            grid[(c, t)] = scores(pairs, t)
    c, t = max(grid, key=lambda k: (grid[k]["f1"], k[1], -k[0]))
    shared_only = {s: scores([(r["X"][0][0], r["y"][0]) for r in data], s) for s in THRESHOLDS}
    s_best = max(shared_only, key=lambda s: (shared_only[s]["f1"], s))
    weights = fit_linear(data, c, FEATURES)
    weights.update(threshold=float(t), fit={"C": c, "rows": len(data), "translations": sum(r["y"][0] for r in data),
                                            "folds": FOLDS, "out_of_fold": grid[(c, t)], "labels": LABELS.name})
    Path(args.weights).write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    n_pos = sum(r["y"][0] for r in data)
    lines = [f"{len(data)} labelled pairs ({n_pos} translations, {len(data) - n_pos} not), features "
             f"{', '.join(FEATURES)}; stratified {FOLDS}-fold, out of fold. Chosen: C = {c}, threshold {t}.", "",
             "| row | threshold | TP | FP | FN | TN | F1 | accuracy |", "|---|---|---|---|---|---|---|---|"]
    for (cc, tt), sc in grid.items():
        if tt == t or cc == c:
            lines.append(f"| model, C={cc} | {tt} | {sc['tp']} | {sc['fp']} | {sc['fn']} | {sc['tn']} | {sc['f1']} | {sc['accuracy']} |")
    sc = shared_only[s_best]
    lines.append(f"| share of names and numbers alone (best threshold, in sample) | {s_best} | {sc['tp']} | {sc['fp']} | "
                 f"{sc['fn']} | {sc['tn']} | {sc['f1']} | {sc['accuracy']} |")
    write_report(args.out, "translation_fit", "\n".join(lines),
                 {"machine": machine(), "index": args.index, "chosen": {"C": c, "threshold": t},
                  "grid": [{"C": cc, "threshold": tt, **sc} for (cc, tt), sc in grid.items()]})


if __name__ == "__main__":
    main()
