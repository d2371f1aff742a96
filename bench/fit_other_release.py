"""Choose ``extractive.other_release`` by leave-one-file-out: the reader probability a quoted
sentence needs when it comes from another release than the lead's.

    python bench/fit_other_release.py --index .rag/shared [--out bench/results]

After the lead, the extractive answerer quotes the reader's next likeliest sentences; those from
other releases are often about another case, and each one lowers citation precision (a citation
of a release that is not the answer's). Each threshold of the grid is run end to end through
``rag eval``'s own code on the tuning files (dev, dev-more-a, dev-more-b, facts-f, facts-g; each
scored with reader weights fitted without it, ``bench/results/reader_folds``). A threshold is
admissible on a set of files when their key facts, pooled, are not below the grid's 0.0 (no
threshold); the admissible one with the best pooled citation precision is chosen. Each file is
held out in turn (chosen on the others, scored on it); the choice on all files is printed last.
Writes OUT/other_release_fit.{md,json}.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from common import REPO, machine, write_report

from eval.dataset import read_dataset
from eval.runner import evaluate
from rag.pipeline import Pipeline
from rag.settings import load_settings

SHARED = REPO.parent / "shared" / "eval"
DATASETS = [SHARED / "dev.jsonl", SHARED / "dev-more-a.jsonl", SHARED / "dev-more-b.jsonl",
            REPO / "bench" / "datasets" / "facts-f.jsonl", REPO / "bench" / "datasets" / "facts-g.jsonl"]
GRID = (0.0, 0.3, 0.5, 0.7, 0.9)
FOLDS = REPO / "bench" / "results" / "reader_folds"


def score(rows: list[dict]) -> dict:
    """Key facts (count) and citation precision (sum, count) of the answerable questions."""
    able = [r for r in rows if r["gold_ids"]]
    cps = [r["metrics"]["citation_precision"] for r in able if r["metrics"]["citation_precision"] is not None]
    return {"n": len(able), "key_facts": sum((r["metrics"]["key_fact_accuracy"] or 0) == 1 and not r["refused"]
                                             for r in able),
            "cp_sum": sum(cps), "cp_n": len(cps)}


def pooled(cells: list[dict]) -> dict:
    n, kf = sum(c["n"] for c in cells), sum(c["key_facts"] for c in cells)
    cp_n = sum(c["cp_n"] for c in cells)
    return {"key_facts": round(kf / n, 4) if n else None,
            "citation_precision": round(sum(c["cp_sum"] for c in cells) / cp_n, 4) if cp_n else None}


def choose(results: dict[float, dict[str, dict]], names: list[str]) -> float:
    """The admissible threshold (pooled key facts on ``names`` not below 0.0's) with the best pooled
    citation precision; ties: the lowest."""
    base = pooled([results[0.0][n] for n in names])["key_facts"]
    ok = [t for t in GRID if pooled([results[t][n] for n in names])["key_facts"] >= base]
    return max(ok, key=lambda t: (pooled([results[t][n] for n in names])["citation_precision"], -t))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    args = ap.parse_args()
    base = load_settings().with_(index_dir=args.index)
    data = {Path(p).stem: read_dataset(p) for p in DATASETS}
    names = list(data)
    results: dict[float, dict[str, dict]] = {}
    embedder = None
    for t in GRID:
        results[t] = {}
        for name, questions in data.items():
            settings = base.with_(extractive__other_release=t)
            fold = FOLDS / f"without-{name}.json"
            if fold.is_file():
                settings = settings.with_(extractive__reader_weights=str(fold))
            pipe = Pipeline(settings, embedder=embedder)
            embedder = pipe.embedder
            results[t][name] = score(evaluate(pipe, questions, answerer="extractive", dataset=name)["questions"])
        print(t, {n: pooled([results[t][n]]) for n in names}, flush=True)
    folds = []
    for held in names:
        t = choose(results, [n for n in names if n != held])
        folds.append({"held_out": held, "chosen": t, "held_out_chosen": pooled([results[t][held]]),
                      "held_out_off": pooled([results[0.0][held]])})
    on_all = choose(results, names)
    cell = "key facts {key_facts:.3f} / citation precision {citation_precision:.3f}".format
    lines = ["`extractive.other_release` by leave-one-file-out (chosen on the other files: the best pooled citation "
             "precision among thresholds whose pooled key facts are not below no threshold's), index "
             f"`{args.index}`, reader weights fitted without the file scored.", "",
             "| held out | chosen on the others | held out: chosen | held out: 0.0 (off) |", "|---|---|---|---|"]
    for f in folds:
        lines.append(f"| {f['held_out']} | {f['chosen']} | {cell(**f['held_out_chosen'])} | "
                     f"{cell(**f['held_out_off'])} |")
    lines += ["", f"Chosen on all files: {on_all}.", "", "| threshold | " + " | ".join(names) + " | pooled |",
              "|---" * (len(names) + 2) + "|"]
    for t in GRID:
        lines.append(f"| {t} | " + " | ".join(cell(**pooled([results[t][n]])) for n in names)
                     + f" | {cell(**pooled([results[t][n] for n in names]))} |")
    report = {"machine": machine(), "index": args.index, "grid": list(GRID), "folds": folds, "chosen_on_all": on_all,
              "per_threshold": {str(t): {n: pooled([r[n]]) for n in names} | {"pooled": pooled(list(r.values()))}
                                for t, r in results.items()}}
    write_report(args.out, "other_release_fit", "\n".join(lines), report)


if __name__ == "__main__":
    main()
