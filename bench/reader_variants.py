"""Variants of the sentence reader that were tried and not kept, measured as the fit measures
the shipped one (bench/fit_reader.py: leave-one-file-out top-1 over the three dev files).

    python bench/reader_variants.py --index .rag/shared [--out bench/results]

Models on the shipped features: the logistic regression (shipped), a pairwise logistic loss
(positive minus negative candidate of one question), gradient-boosted trees, random forests.
Candidate sets: the passages read (shipped), plus the whole of the top two releases, plus each
top release's opening ~600 characters. "picked" counts the records (question parts) whose
best-scored candidate holds a key fact: comparable across candidate sets, where top-1 (over
the records with any positive) is not.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from common import REPO, machine, write_report
from fit_reader import CS, DATASETS, fit, pooled_top1, predict

from eval.dataset import read_dataset
from eval.reader import collect, top1
from rag.answer.evidence import SentenceRanker
from rag.models import Chunk, Hit
from rag.pipeline import Pipeline
from rag.settings import load_settings
from rag.text.sentences import split_sentences


def whole(n: int):
    """The whole body of each of the first ``n`` releases of the passages read."""
    def more(top: list[Hit]) -> list[Hit]:
        rels = list({h.release.id: h.release for h in top}.values())[:n]
        return [Hit(Chunk(r.id, -1, 0, len(r.body), r.body), r, 0.0, len(top) + i) for i, r in enumerate(rels)]
    return more


def opening(chars: int):
    """Each release's opening sentences up to ``chars`` characters (the lede)."""
    def more(top: list[Hit]) -> list[Hit]:
        out = []
        for i, r in enumerate({h.release.id: h.release for h in top}.values()):
            end = next((e for _, e in split_sentences(r.body) if e >= chars), len(r.body))
            out.append(Hit(Chunk(r.id, -1, 0, end, r.body[:end]), r, 0.0, len(top) + i))
        return out
    return more


def fit_pairwise(records: list[dict], c: float) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    X = np.array([row for r in records for row in r["X"]], dtype=float)
    scaler = StandardScaler().fit(X)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    diffs, labels, weights = [], [], []
    for r in records:
        x, y = (np.array(r["X"], dtype=float) - scaler.mean_) / scale, np.array(r["y"])
        pos, neg = x[y == 1], x[y == 0]
        if len(pos) and len(neg):
            d = (pos[:, None, :] - neg[None, :, :]).reshape(-1, x.shape[1])
            diffs += [d, -d]
            labels += [np.ones(len(d)), np.zeros(len(d))]
            weights += [np.full(len(d), 1.0 / len(d))] * 2  # each question weighs the same
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000).fit(
        np.vstack(diffs), np.concatenate(labels), sample_weight=np.concatenate(weights))
    return {"mean": scaler.mean_.tolist(), "scale": scale.tolist(), "coef": model.coef_[0].tolist(), "intercept": 0.0}


def trees(make):
    def fit_trees(records: list[dict], _c) -> object:
        X = np.array([row for r in records for row in r["X"]], dtype=float)
        return make().fit(X, np.array([label for r in records for label in r["y"]]))
    return fit_trees


def scores(model, records: list[dict]) -> list[list[float]]:
    if isinstance(model, dict):
        return predict(model, records)
    return [list(model.predict_proba(np.array(r["X"], dtype=float))[:, 1]) for r in records]


def held_out(data: dict[str, list[dict]], fitter, c) -> dict:
    per, picked = {}, 0
    for held in data:
        model = fitter([r for n in data if n != held for r in data[n]], c)
        s = scores(model, data[held])
        per[held] = top1(data[held], s)
        picked += sum(r["y"][int(np.argmax(x))] for r, x in zip(data[held], s))
    return {**{n: v["top1"] for n, v in per.items()}, "pooled": round(pooled_top1(per), 4), "picked": int(picked),
            "with_positive": sum(v["answerable"] for v in per.values())}


def main():
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    args = ap.parse_args()
    settings = load_settings().with_(index_dir=args.index)
    pipe = Pipeline(settings)
    ranker = SentenceRanker(pipe.embedder, settings.extractive.evidence)
    questions = {Path(p).stem: read_dataset(p) for p in DATASETS}
    sets = {"passages read (shipped)": None, "+ whole top-2 releases": whole(2), "+ opening 600 chars": opening(600)}
    data = {label: {n: collect(pipe, ranker, qs, n, more) for n, qs in questions.items()} for label, more in sets.items()}
    def best_c(records: dict[str, list[dict]], fitter) -> tuple[float, dict]:
        """The C with the best pooled held-out top-1, and its scores (each C fitted once)."""
        by_c = {c: held_out(records, fitter, c) for c in CS}
        c = max(CS, key=lambda c: by_c[c]["pooled"])
        return c, by_c[c]

    rows = []
    for label in sets:
        c, scored = best_c(data[label], fit)
        rows.append((label, f"logistic regression (C {c})", scored))
    base = data["passages read (shipped)"]
    c, scored = best_c(base, fit_pairwise)
    rows.append(("passages read (shipped)", f"pairwise logistic (C {c})", scored))
    for lr in (0.03, 0.1):
        for depth in (2, 3):
            make = lambda: HistGradientBoostingClassifier(learning_rate=lr, max_depth=depth, max_iter=200,  # noqa: E731
                                                          class_weight="balanced", random_state=0)
            rows.append(("passages read (shipped)", f"gradient-boosted trees (lr {lr}, depth {depth})",
                         held_out(base, trees(make), None)))
    for leaf in (5, 20):
        make = lambda: RandomForestClassifier(n_estimators=300, min_samples_leaf=leaf,  # noqa: E731
                                              class_weight="balanced", random_state=0, n_jobs=2)
        rows.append(("passages read (shipped)", f"random forest (min leaf {leaf})", held_out(base, trees(make), None)))
    names = list(questions)
    lines = ["Reader variants, leave-one-file-out (each file scored by a model fitted on the other two). Top-1 over "
             "the records with a positive candidate; picked: records whose best candidate holds a key fact.", "",
             "| candidates | model | " + " | ".join(names) + " | pooled | picked / with a positive |",
             "|---|---|" + "---|" * (len(names) + 2)]
    for cands, model, r in rows:
        lines.append(f"| {cands} | {model} | " + " | ".join(f"{r[n]:.3f}" for n in names)
                     + f" | {r['pooled']:.3f} | {r['picked']} / {r['with_positive']} |")
    write_report(args.out, "reader_variants", "\n".join(lines),
                 {"machine": machine(), "index": args.index, "rows": [{"candidates": c, "model": m, **r}
                                                                       for c, m, r in rows]})


if __name__ == "__main__":
    main()
