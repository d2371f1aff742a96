"""Fit the support floor for a refused part of a two-part question (``extractive.part_support``).

    python bench/fit_part_support.py --index .rag/shared [--dataset FILE ...] [--out bench/results]

A question asking two things is answered once per part; when the extractive answerer refuses one part
and answers the other, ``rag.answer.combine.rescue_parts`` answers the refused part again at this lower
support floor over both parts' passages (1.0: never). Only such questions can change, and none of them
can become a refusal or stop being one (a question is refused only when every part is), so each value of
the grid is run end to end through ``rag eval``'s own code (``evaluate``) on the two-part questions of
the tuning files and scored by key facts (the sum over answerable questions), then citation precision.
Each file is held out in turn and the value chosen on the others (best pooled key facts, then citation
precision, then the value nearest to off); the value chosen on all files is printed last. Writes
OUT/part_support_fit.{md,json}.
"""
from __future__ import annotations

from pathlib import Path

from common import machine, write_report
from fit_refusal import arguments, sweep

from eval.dataset import read_dataset
from rag.question import analyse
from rag.settings import load_settings

GRID = (1.0, 0.33, 0.25, 0.2, 0.15, 0.1, 0.0)


def two_part(questions) -> list:
    """The questions the pipeline answers part by part."""
    return [q for q in questions if len(analyse(q.question, q.as_of).parts) > 1]


def scores(rows: list[dict]) -> dict:
    able = [r for r in rows if r["gold_ids"]]
    precision = [r["metrics"]["citation_precision"] for r in able if r["metrics"].get("citation_precision") is not None]
    return {"answerable": len(able), "key_facts": sum(r["metrics"]["key_fact_accuracy"] or 0.0 for r in able),
            "precision_sum": sum(precision), "precision_n": len(precision)}


def pooled(per_file: dict[str, dict], names) -> dict:
    c = {k: sum(per_file[n][k] for n in names) for k in ("answerable", "key_facts", "precision_sum", "precision_n")}
    return {"answerable": c["answerable"], "key_facts": c["key_facts"],
            "citation_precision": round(c["precision_sum"] / c["precision_n"], 4) if c["precision_n"] else None}


def choose(results: dict[float, dict[str, dict]], names, off: float = 1.0) -> float:
    """Best pooled key facts on ``names``, then citation precision, then the value nearest to ``off``."""
    def key(v):
        p = pooled(results[v], names)
        return p["key_facts"], p["citation_precision"] or 0.0, -abs(v - off)
    return max(results, key=key)


def cross_validate(results: dict[float, dict[str, dict]], data: dict, setting: str, off: float, meaning: str,
                   near: str, out: Path, name: str, index: str) -> None:
    """Each file of ``data`` held out in turn, the value of ``setting`` chosen on the others (``choose``, ties
    towards ``off``, which means ``meaning``; ``near`` names it in the text); the report written to
    ``out``/``name``.{md,json}."""
    names, grid = list(data), list(results)
    folds = []
    for held in names:
        v = choose(results, [n for n in names if n != held], off)
        folds.append({"held_out": held, "chosen": v, "held_out_chosen": pooled(results[v], [held]),
                      "held_out_off": pooled(results[off], [held])})
    on_all = choose(results, names, off)
    cell = "key facts {key_facts:.0f} of {answerable} / citation precision {citation_precision}".format
    counts = ", ".join(f"{n} {len(qs)}" for n, qs in data.items())
    lines = [f"`{setting}` by leave-one-file-out cross-validation over {grid} ({off}: {meaning}): chosen on the other "
             f"files by pooled key facts, then citation precision, then nearest to {near}; the two-part questions of "
             f"each file (n = {counts}); index `{index}`.", "",
             f"| held out | chosen on the others | held out: chosen | held out: {near} |", "|---|---|---|---|"]
    lines += [f"| {f['held_out']} | {f['chosen']} | {cell(**f['held_out_chosen'])} | {cell(**f['held_out_off'])} |"
              for f in folds]
    lines += ["", f"Chosen on all files: {on_all}.", "", "| value | " + " | ".join(names) + " | pooled |",
              "|---" * (len(names) + 2) + "|"]
    for v in grid:
        lines.append(f"| {v} | " + " | ".join(cell(**pooled(results[v], [n])) for n in names)
                     + f" | {cell(**pooled(results[v], names))} |")
    write_report(out, name, "\n".join(lines),
                 {"machine": machine(), "index": index, "grid": grid, "folds": folds, "chosen_on_all": on_all,
                  "per_value": {str(v): {n: pooled(r, [n]) for n in names} | {"pooled": pooled(r, names)}
                                for v, r in results.items()}})


def main():
    args = arguments(__doc__)
    base = load_settings().with_(index_dir=args.index)
    data = {Path(p).stem: two_part(read_dataset(p)) for p in args.dataset}
    results = sweep(base, "extractive__part_support", GRID, data, scores, pooled)
    cross_validate(results, data, "extractive.part_support", 1.0, "off", "off", Path(args.out), "part_support_fit",
                   args.index)


if __name__ == "__main__":
    main()
