"""Choose ``retrieval.widen`` (neighbouring chunks read with each passage) by leave-one-file-out
cross-validation over the extractive ablation's rows, no new runs:

    python bench/answer_ablation.py --index .rag/shared --answerer extractive --reader-folds bench/results/reader_folds
    python bench/choose_widen.py      # -> bench/results/widen_choice.{md,json}

Each file is held out in turn; the value with the best mean key facts on the other files is chosen
and scored on the held-out file. Reads the rows "shipped" and "... (widen N)" of
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
    lines += ["", f"Chosen on all files: {choose(scores, files)}. Files where a value is below widen 0: "
              + "; ".join(f"widen {w}: " + (", ".join(f for f in files if scores[w][f] < scores[0][f]) or "none")
                          for w in values if w)]
    write_report(args.out, "widen_choice", "\n".join(lines), {"scores": scores, "folds": folds})


if __name__ == "__main__":
    main()
