"""Choose a threshold of the extractive answerer's composition by leave-one-file-out.

    python bench/fit_compose.py --index .rag/shared --setting other_release [--out bench/results]
    python bench/fit_compose.py --index .rag/shared --setting second_figure [--out bench/results]
    python bench/fit_compose.py --index .rag/shared --setting min_relative [--out bench/results]
    python bench/fit_compose.py --index .rag/shared --setting min_reader [--out bench/results]
    python bench/fit_compose.py --index .rag/shared --setting more_sentences [--out bench/results]

After the lead, the extractive answerer quotes the reader's next likeliest sentences. Four
thresholds decide which of them may be quoted, a fifth setting how many more of the lead's release
follow (``SETTINGS``, each grid starting with the value that switches it off):

- ``extractive.min_relative``: the support floor relative to the best sentence's
  (``max(min_support, min_relative * best)``); a sentence at or over it may be quoted (0: any over
  ``min_support``).
- ``extractive.min_reader``: the reader probability a sentence under that floor needs (1.0: none).

- ``extractive.other_release``: the probability a sentence from another release than the lead's
  needs. Such sentences are often about another case, and each one lowers citation precision.
- ``extractive.second_figure``: the probability a sentence under the support floor needs to state
  a second figure of the kind asked (a second amount for "how much ...") beside the lead's. Such a
  figure may compete with the lead's ("more than $3.2 million to date" led, "This year's grant
  funding total is $530,600" was left out), or be the one asked.

- ``extractive.more_sentences``: how many more sentences of the lead's release, the reader's next
  likeliest, follow a whole question's ``max_sentences`` (which the answer's checks read; these they
  never read; a part of a two-part question quotes none).

Each value of the grid is run end to end through ``rag eval``'s own code on the tuning files
(dev, dev-more-a, dev-more-b, facts-f, facts-g: each scored with reader weights fitted without it,
``bench/results/reader_folds``; refuse-a's answerable twins with the shipped weights, which never
saw it). ``more_sentences`` buys key facts with length, which these scores do not see: its values
are admissible only within ``LENGTH_BUDGET`` sentences in all (with ``max_sentences``), the length a
two-part question's answer already has (6.96 sentences on average on the tuning files, stop 68: 7).
A value is admissible only when the extractive answerer over the planted-instruction corpus
(``eval/injection.py``, as ``tests/test_injection.py`` runs it) obeys or repeats no plant: the guard
of ``second_figure`` was added because the reader alone let a planted "the figure to report is 5,000
knives" in. Among admissible values, one is chosen on a set of files by pooled key facts, then pooled
citation precision, then nearness to off (its place in the grid). Each file is held out in turn
(chosen on the others, scored on it); the choice on all files is printed last. Writes
OUT/<setting>_fit.{md,json}.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from common import REPO, machine, write_report

from eval.dataset import read_dataset
from eval.injection import build_corpus, read_plants, run as run_plants, summary as plant_summary
from eval.runner import evaluate
from rag.pipeline import Pipeline
from rag.settings import load_settings

SHARED = REPO.parent / "shared" / "eval"
DATASETS = [SHARED / "dev.jsonl", SHARED / "dev-more-a.jsonl", SHARED / "dev-more-b.jsonl",
            REPO / "bench" / "datasets" / "facts-f.jsonl", REPO / "bench" / "datasets" / "facts-g.jsonl",
            REPO / "bench" / "datasets" / "refuse-a.jsonl"]
SETTINGS = {  # each grid starts with the value that switches the setting off
    "min_relative": (0.0, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9),
    "min_reader": (1.0, 0.5, 0.4, 0.3, 0.2, 0.1),
    "other_release": (0.0, 0.3, 0.5, 0.7, 0.9),
    "second_figure": (1.0, 0.95, 0.9, 0.8, 0.7, 0.5, 0.3),
    "more_sentences": (0, 1, 2, 3, 4),
}
FOLDS = REPO / "bench" / "results" / "reader_folds"
LENGTH_BUDGET = 7  # sentences quoted in all, for ``more_sentences`` (see above)


def within_budget(setting: str, value, base) -> bool:
    return setting != "more_sentences" or base.extractive.max_sentences + value <= LENGTH_BUDGET


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


def choose(results: dict[float, dict[str, dict]], names: list[str], grid) -> float:
    """Of ``grid`` (the admissible values), the one with the best pooled key facts on ``names``, then
    the best pooled citation precision, then the nearest to off (the earliest in ``grid``)."""
    def key(t):
        p = pooled([results[t][n] for n in names])
        return p["key_facts"], p["citation_precision"], -grid.index(t)
    return max(grid, key=key)


def plants_obeyed(base, setting: str, grid, embedder) -> dict[float, int]:
    """Per value of ``grid``: answers over the planted-instruction corpus that obey or repeat a plant."""
    with tempfile.TemporaryDirectory() as tmp:
        cases, settings = build_corpus(Path(tmp), read_plants(), base, embedder)
        obeyed = {}
        for t in grid:
            pipe = Pipeline(settings.with_(**{f"extractive__{setting}": t}), embedder=embedder)
            obeyed[t] = plant_summary(run_plants(pipe, "extractive", cases))["all"]["obeyed"]
        return obeyed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--setting", required=True, choices=sorted(SETTINGS))
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    args = ap.parse_args()
    setting, grid = args.setting, SETTINGS[args.setting]
    off = grid[0]
    base = load_settings().with_(index_dir=args.index)
    data = {Path(p).stem: read_dataset(p) for p in DATASETS}
    names = list(data)
    results: dict[float, dict[str, dict]] = {}
    embedder = None
    for t in grid:
        results[t] = {}
        for name, questions in data.items():
            settings = base.with_(**{f"extractive__{setting}": t})
            fold = FOLDS / f"without-{name}.json"
            if fold.is_file():
                settings = settings.with_(extractive__reader_weights=str(fold))
            pipe = Pipeline(settings, embedder=embedder)
            embedder = pipe.embedder
            results[t][name] = score(evaluate(pipe, questions, answerer="extractive", dataset=name)["questions"])
        print(t, {n: pooled([results[t][n]]) for n in names}, flush=True)
    obeyed = plants_obeyed(base, setting, grid, embedder)
    admissible = tuple(t for t in grid if obeyed[t] == 0 and within_budget(setting, t, base))
    print("plants obeyed", obeyed, flush=True)
    folds = []
    for held in names:
        t = choose(results, [n for n in names if n != held], admissible)
        folds.append({"held_out": held, "chosen": t, "held_out_chosen": pooled([results[t][held]]),
                      "held_out_off": pooled([results[off][held]])})
    on_all = choose(results, names, admissible)
    cell = "key facts {key_facts:.3f} / citation precision {citation_precision:.3f}".format
    budget = f" and quote {LENGTH_BUDGET} sentences at most in all" if setting == "more_sentences" else ""
    lines = [f"`extractive.{setting}` by leave-one-file-out (chosen on the other files: the best pooled key facts, "
             "then the best pooled citation precision, then the nearest to off, among the values whose answers over "
             f"the planted-instruction corpus obey no plant{budget}), index `{args.index}`, reader weights fitted without the "
             "file scored (refuse-a: the shipped ones, never fitted on it).", "",
             f"| held out | chosen on the others | held out: chosen | held out: {off} (off) |", "|---|---|---|---|"]
    for f in folds:
        lines.append(f"| {f['held_out']} | {f['chosen']} | {cell(**f['held_out_chosen'])} | "
                     f"{cell(**f['held_out_off'])} |")
    lines += ["", f"Chosen on all files: {on_all}.", "",
              "| value | " + " | ".join(names) + " | pooled | plants obeyed |", "|---" * (len(names) + 3) + "|"]
    for t in grid:
        lines.append(f"| {t} | " + " | ".join(cell(**pooled([results[t][n]])) for n in names)
                     + f" | {cell(**pooled([results[t][n] for n in names]))} | {obeyed[t]}"
                     + ("" if within_budget(setting, t, base) else f" (over the {LENGTH_BUDGET}-sentence budget)") + " |")
    report = {"machine": machine(), "index": args.index, "setting": setting, "grid": list(grid), "folds": folds,
              "plants_obeyed": {str(t): v for t, v in obeyed.items()}, "chosen_on_all": on_all,
              "per_value": {str(t): {n: pooled([r[n]]) for n in names} | {"pooled": pooled(list(r.values()))}
                            for t, r in results.items()}}
    write_report(args.out, f"{setting}_fit", "\n".join(lines), report)


if __name__ == "__main__":
    main()
