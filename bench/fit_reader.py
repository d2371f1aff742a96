"""Fit the sentence reader (rag/answer/reader.py) on the dev sets' labelled sentences.

    python bench/fit_reader.py --index .rag/shared [--out bench/results] [--weights rag/answer/reader_weights.json]
        [--folds bench/results/reader_folds] [--objective pointwise|listwise]

The dev files: dev, dev-more-a, dev-more-b (../shared/eval) and facts-f, facts-g (bench/datasets,
helper-written training questions); facts-c, -d, -e are never fitted on (they judge). For every
answerable dev question, the passages the extractive answerer reads (retrieved as
``rag eval`` retrieves them, grounded as the answerer grounds them) give candidate sentences,
each with the reader's features; a sentence holding one of the question's key facts
(``must_include``, compared as the evaluation compares them) in a gold release is a positive.
A logistic regression (scikit-learn, standardised features, balanced classes) is fitted with
its regularisation chosen by cross-validation that leaves one dev file out at a time, so each
file's score comes from a model that never saw it. The measure is top-1: of the questions
where some candidate holds a key fact, how often the reader's best candidate is one (beside
the hand-set rank it replaces). The final model is fitted on all files and written with its
scores; ``--folds DIR`` also writes each leave-one-file-out model, for end-to-end checks of a
file with weights that never saw it.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from common import REPO, fit_linear, fit_listwise, machine, predict_linear as predict, write_report

from eval.dataset import read_dataset
from eval.reader import collect, top1
from rag.answer.evidence import SentenceRanker
from rag.answer.reader import ASK_KINDS, FEATURES
from rag.pipeline import Pipeline, index_corpus
from rag.settings import BUNDLED_CORPUS, load_settings

SHARED = REPO.parent / "shared" / "eval"
DATASETS = [SHARED / "dev.jsonl", SHARED / "dev-more-a.jsonl", SHARED / "dev-more-b.jsonl",
            REPO / "bench" / "datasets" / "facts-f.jsonl", REPO / "bench" / "datasets" / "facts-g.jsonl"]
BUNDLED_SET = REPO / "eval" / "datasets" / "bundled.jsonl"
# the regularisation grid of each objective: C of the pointwise logistic regression, the L2 penalty
# of the listwise one (``common.fit_listwise``)
GRIDS = {"pointwise": (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0), "listwise": (0.003, 0.01, 0.03, 0.1, 0.3)}
OBJECTIVE = "pointwise"  # the shipped weights'
CS = GRIDS[OBJECTIVE]  # read by bench/reader_elimination.py and bench/reader_variants.py


def fit(records: list[dict], c: float, objective: str = OBJECTIVE):
    if objective == "listwise":
        return fit_listwise(records, c, FEATURES)
    return fit_linear(records, c, FEATURES)


def pooled_top1(per_file: dict[str, dict]) -> float:
    """Top-1 over all files' questions (each file's score weighted by its answerable count)."""
    return sum(v["top1"] * v["answerable"] for v in per_file.values()) / sum(v["answerable"] for v in per_file.values())


# feature groups dropped one at a time (leave-one-file-out, the chosen C): does each earn its place?
GROUPS = {
    "similarity (dense, lexical, support and their gaps)": ("dense", "lexical", "support", "dense_gap", "lexical_gap",
                                                            "support_gap"),
    "lexical without names": ("lexical_other", "lexical_other_gap"),
    "focus": ("focus",), "asked clause vs context": ("lexical_asked", "lexical_asked_gap", "context_echo"),
    "names_here": ("names_here",),
    "rank of release and hit": ("release_rank", "hit_pos"), "position and opening": ("position", "opening"),
    "form (fragment, length, numbers)": ("fragment", "log_words", "numbers"),
    **{f"asks {k}": (f"asks_{k}_holds", f"asks_{k}_lacks") for k in ASK_KINDS},
    "outcome asked vs possible outcome stated": ("outcome_hypothetical", "potential_hypothetical"),
}


def without(records: list[dict], names: tuple[str, ...]) -> list[dict]:
    keep = [i for i, f in enumerate(FEATURES) if f not in names]
    return [{**r, "X": [[row[i] for i in keep] for row in r["X"]]} for r in records]


def ablation(data: dict[str, list[dict]], c: float, objective: str = OBJECTIVE) -> dict[str, dict[str, float]]:
    """Out-of-fold top-1 per file (and pooled) with each feature group left out."""
    out = {}
    for label, group in {"all features": (), **GROUPS}.items():
        cut = {n: without(rs, group) for n, rs in data.items()}
        per = {held: top1(cut[held], predict(fit([r for n in cut if n != held for r in cut[n]], c, objective), cut[held]))
               for held in cut}
        out[label] = {**{n: v["top1"] for n, v in per.items()}, "pooled": round(pooled_top1(per), 4)}
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--dataset", action="append", type=Path)
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    ap.add_argument("--weights", default=str(REPO / "rag" / "answer" / "reader_weights.json"))
    ap.add_argument("--folds", type=Path, help="also write each leave-one-file-out model here")
    ap.add_argument("--widen", type=int, default=1,
                    help="neighbouring chunks read with each passage while fitting (1: as the answerer reads them, the "
                         "first passage its whole release; the shipped weights were fitted so, on five dev files)")
    ap.add_argument("--objective", choices=sorted(GRIDS), default=OBJECTIVE,
                    help="pointwise (shipped): each sentence on its own, class-balanced; listwise: one softmax per "
                         "question, a positive first (measured in stop 51, not shipped: README)")
    ap.add_argument("--bundled-index", default=".rag/reader-bundled",
                    help="index of the bundled corpus (built if missing) for the committed bundled scores")
    args = ap.parse_args()
    objective = args.objective
    grid = GRIDS[objective]
    settings = load_settings().with_(index_dir=args.index, retrieval__widen=args.widen)
    pipe = Pipeline(settings)
    ranker = SentenceRanker(pipe.embedder, settings.extractive.evidence)
    files = args.dataset or DATASETS
    data = {Path(p).stem: collect(pipe, ranker, read_dataset(p), Path(p).stem) for p in files}
    names = list(data)

    # regularisation by leave-one-file-out: the C with the best pooled out-of-fold top-1
    oof: dict[float, dict[str, dict]] = {}
    for c in grid:
        oof[c] = {}
        for held in names:
            train = [r for n in names if n != held for r in data[n]]
            oof[c][held] = top1(data[held], predict(fit(train, c, objective), data[held]))
    pooled = {c: pooled_top1(oof[c]) for c in grid}
    best_c = max(grid, key=lambda c: (round(pooled[c], 4), c if objective == "listwise" else -c))  # ties: more regularised
    everything = [r for n in names for r in data[n]]
    weights = fit(everything, best_c, objective)
    report = {
        "machine": machine(), "index": args.index, "objective": objective, "C_grid": list(grid), "C": best_c,
        "out_of_fold_top1_by_C": {str(c): round(v, 4) for c, v in pooled.items()},
        "per_file": {n: {"reader_out_of_fold": oof[best_c][n],
                         "hand_set_rank": top1(data[n], [r["hand"] for r in data[n]]),
                         "reader_fitted_on_all": top1(data[n], predict(weights, data[n]))} for n in names},
        "positives": int(sum(sum(r["y"]) for r in everything)),
        "candidates": int(sum(len(r["y"]) for r in everything)),
        "ablation": ablation(data, best_c, objective),
    }
    # the bundled set, which the test suite re-scores with the shipped weights
    bundled = settings.with_(index_dir=args.bundled_index, corpus=str(BUNDLED_CORPUS))
    index_corpus(bundled)
    bpipe = Pipeline(bundled)
    brecords = collect(bpipe, SentenceRanker(bpipe.embedder, bundled.extractive.evidence),
                       read_dataset(BUNDLED_SET), "bundled")
    report["bundled"] = {"reader": top1(brecords, predict(weights, brecords)),
                         "hand_set_rank": top1(brecords, [r["hand"] for r in brecords])}
    weights["fit"] = {k: report[k] for k in ("objective", "C", "out_of_fold_top1_by_C", "per_file", "bundled", "positives",
                                             "candidates")}
    Path(args.weights).write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    if args.folds:
        args.folds.mkdir(parents=True, exist_ok=True)
        for held in names:
            fold = fit([r for n in names if n != held for r in data[n]], best_c, objective)
            (args.folds / f"without-{held}.json").write_text(json.dumps(fold, indent=1) + "\n", encoding="utf-8")

    what = "L2 penalty" if objective == "listwise" else "C"
    lines = [f"Sentence reader fitted ({objective}) on {report['candidates']} candidate sentences ({report['positives']} "
             f"hold a key fact) of {len(everything)} answerable dev questions (a two-part question once per part); "
             f"{what} = {best_c} "
             f"chosen by leave-one-file-out "
             f"cross-validation over {list(grid)}.", "",
             "Top-1: of the questions where some candidate holds a key fact, how often the best-scored one does.", "",
             "| dev file | answerable with a candidate | hand-set rank | reader, out of fold | reader fitted on all |",
             "|---|---|---|---|---|"]
    for n, v in report["per_file"].items():
        lines.append(f"| {n} | {v['hand_set_rank']['answerable']} of {v['hand_set_rank']['questions']} | "
                     f"{v['hand_set_rank']['top1']:.3f} | {v['reader_out_of_fold']['top1']:.3f} | "
                     f"{v['reader_fitted_on_all']['top1']:.3f} |")
    b = report["bundled"]
    lines.append(f"| bundled (not fitted on) | {b['reader']['answerable']} of {b['reader']['questions']} | "
                 f"{b['hand_set_rank']['top1']:.3f} | {b['reader']['top1']:.3f} | – |")
    lines += ["", "Each feature group left out (out-of-fold top-1, same C; a group that does not lower the pooled "
              "score does not earn its place):", "",
              "| features | " + " | ".join(names) + " | pooled |", "|---|" + "---|" * (len(names) + 1)]
    for label, row in report["ablation"].items():
        lines.append(f"| {label} | " + " | ".join(f"{row[n]:.3f}" for n in names) + f" | {row['pooled']:.3f} |")
    lines += ["", "Weights (standardised features): " + ", ".join(
        f"{f} {w:+.2f}" for f, w in sorted(zip(FEATURES, weights["coef"]), key=lambda t: -abs(t[1])))]
    write_report(args.out, "reader_fit", "\n".join(lines), report)


if __name__ == "__main__":
    main()
