"""Choose ``retrieval.widen`` (neighbouring chunks read with each passage) by leave-one-file-out
cross-validation over the extractive ablation's rows, no new runs:

    python bench/answer_ablation.py --index .rag/shared --answerer extractive --reader-folds bench/results/reader_folds
    python bench/choose_widen.py      # -> bench/results/widen_choice.{md,json}

Each file is held out in turn; the value with the best mean key facts on the other files is chosen
and scored on the held-out file. The value chosen on all files replaces the shipped one only when
choosing so beats it where it was not tuned: the held-out files' key facts at their out-of-fold
choices sum to more than at the shipped value (as ``bench/fit_refusal.py``: the shipped value
changes only when the held-out files agree). Reads the rows "shipped" and "... (widen N)" of
``bench/results/extractive_ablation.json``; the shipped row's value is read from the settings.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from common import REPO, write_report

from rag.settings import load_settings


def widen_rows(report: dict) -> dict[int, dict[str, float]]:
    """widen value -> {file: key facts} from the ablation rows that set it (and the shipped row)."""
    out = {}
    for row in report["rows"]:
        if row["label"] == "shipped":
            value = load_settings(env={}).retrieval.widen  # the default, whatever the environment says
        elif set(row["changes"]) == {"retrieval__widen"}:
            value = row["changes"]["retrieval__widen"]
        else:
            continue
        out[value] = {f: v["overall"]["key_fact_accuracy"] for f, v in row["files"].items()}
    return dict(sorted(out.items()))


def choose(scores: dict[int, dict[str, float]], files: list[str]) -> int:
    """The value with the best mean key facts over ``files``; the smaller value on ties."""
    return max(scores, key=lambda w: (round(sum(scores[w][f] for f in files) / len(files), 9), -w))


def decide(scores: dict[int, dict[str, float]], files: list[str], shipped: int) -> int:
    """The value to ship: the one chosen on all ``files`` if the out-of-fold choices beat ``shipped`` on
    the held-out files (summed key facts), else ``shipped``."""
    chosen = [(choose(scores, [f for f in files if f != held]), held) for held in files]
    out_of_fold = sum(scores[w][held] for w, held in chosen)
    stays = sum(scores[shipped][held] for held in files)
    return choose(scores, files) if round(out_of_fold - stays, 9) > 0 else shipped


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ablation", type=Path, default=REPO / "bench" / "results" / "extractive_ablation.json")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    args = ap.parse_args()
    scores = widen_rows(json.loads(args.ablation.read_text(encoding="utf-8")))
    files = list(next(iter(scores.values())))
    folds = []
    for held in files:
        chosen = choose(scores, [f for f in files if f != held])
        folds.append({"held_out": held, "chosen": chosen, "held_out_key_facts": {w: scores[w][held] for w in scores}})
    values = list(scores)
    lines = ["`retrieval.widen` by leave-one-file-out cross-validation (extractive answerer, reader out of fold; "
             f"values {values}; key facts from `{args.ablation.relative_to(REPO)}`):", "",
             "| held out | chosen on the others | " + " | ".join(f"held out: widen {w}" for w in values) + " |",
             "|---|---|" + "---|" * len(values)]
    for f in folds:
        lines.append(f"| {f['held_out']} | {f['chosen']} | "
                     + " | ".join(f"{f['held_out_key_facts'][w]:.3f}" for w in values) + " |")
    shipped = load_settings(env={}).retrieval.widen
    oof = sum(scores[f["chosen"]][f["held_out"]] for f in folds)
    lines += ["", f"Chosen on all files: {choose(scores, files)}. Held out, the out-of-fold choices score {oof:.3f} "
              f"(summed key facts) against {sum(scores[shipped][f] for f in files):.3f} at the shipped widen {shipped}: "
              f"ship {decide(scores, files, shipped)}. Files where a value is below widen 0: "
              + "; ".join(f"widen {w}: " + (", ".join(f for f in files if scores[w][f] < scores[0][f]) or "none")
                          for w in values if w)]
    write_report(args.out, "widen_choice", "\n".join(lines), {"scores": scores, "folds": folds})


if __name__ == "__main__":
    main()
