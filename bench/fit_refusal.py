"""Fit the extractive answerer's refusal threshold (``extractive.min_support``) on the dev sets.

    python bench/fit_refusal.py --index .rag/shared [--dataset FILE ...] [--out bench/results]

The extractive answerer declines when its best sentence's support is below ``min_support``
(and, for "how many"/"when", when no sentence that well supported states a number or date).
Each threshold of the grid is run end to end through ``rag eval``'s own code (``evaluate``)
on every dev file, the sentence ranking memoised so only the decision changes; a threshold
is scored by balanced accuracy of the decision to answer: (share of unanswerable questions
declined + share of answerable questions answered) / 2. Each file is held out in turn and
the threshold chosen on the others (ties: the middle of the best run of the grid), which is
the estimate of how the choice does where it was not tuned; the threshold chosen on all
files is printed last, and the shipped one changes only when the held-out files agree.
Refusals by grounding (a name no retrieved release contains) do not depend on the threshold
and are counted as they fall. Writes OUT/refusal_fit.{md,json}.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from common import REPO, machine, write_report

from eval.dataset import read_dataset
from eval.runner import evaluate
from rag.answer.evidence import SentenceRanker
from rag.pipeline import Pipeline
from rag.settings import load_settings

SHARED = REPO.parent / "shared" / "eval"
BENCH = REPO / "bench" / "datasets"
# the tuning files (facts-c, -d, -e, -h, -i and refuse-b, -c, -e are kept for judging)
DATASETS = [SHARED / "dev.jsonl", SHARED / "dev-more-a.jsonl", SHARED / "dev-more-b.jsonl", BENCH / "facts-f.jsonl",
            BENCH / "facts-g.jsonl", BENCH / "refuse-a.jsonl", BENCH / "refuse-d.jsonl"]  # refuse-d: stop 58
GRID = (0.20, 0.25, 0.30, 0.33, 0.36, 0.38, 0.40, 0.42, 0.45, 0.50, 0.55)


class MemoRanker(SentenceRanker):
    """The shipped ranker, its ``rank`` remembered per (question, passages): thresholds differ
    only in what is done with the ranking."""

    def __init__(self, inner: SentenceRanker):
        super().__init__(inner.embedder, inner.config, inner.reader)
        self._seen: dict = {}

    def rank(self, question, hits, timings=None):
        key = (getattr(question, "text", question), tuple((h.release.id, h.chunk.start, h.chunk.end) for h in hits))
        if key not in self._seen:
            self._seen[key] = super().rank(question, hits, timings)
        return self._seen[key]


def counts(rows: list[dict]) -> dict:
    able = [r for r in rows if r["gold_ids"]]
    unable = [r for r in rows if not r["gold_ids"]]
    return {"answerable": len(able), "answerable_refused": sum(r["refused"] for r in able),
            "unanswerable": len(unable), "unanswerable_refused": sum(r["refused"] for r in unable),
            "key_facts": sum(r["metrics"]["key_fact_accuracy"] or 0.0 for r in able)}


def pooled(per_file: dict[str, dict], names) -> dict:
    c = {k: sum(per_file[n][k] for n in names) for k in next(iter(per_file.values()))}
    fr = c["answerable_refused"] / c["answerable"] if c["answerable"] else 0.0
    ur = c["unanswerable_refused"] / c["unanswerable"] if c["unanswerable"] else 1.0
    return {"false_refusals": round(fr, 4), "unanswerable_refused": round(ur, 4),
            "balanced": round((ur + 1 - fr) / 2, 4),
            "key_facts": round(c["key_facts"] / c["answerable"], 4) if c["answerable"] else None}


def choose(results: dict[float, dict[str, dict]], names, grid=GRID) -> float:
    """The grid threshold with the best pooled balanced accuracy on ``names``; ties: the middle
    of the longest run of best ones."""
    score = {t: pooled(results[t], names)["balanced"] for t in grid}
    best = max(score.values())
    runs, run = [], []
    for t in grid:
        if score[t] == best:
            run.append(t)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    longest = max(runs, key=len)
    return longest[(len(longest) - 1) // 2]


def sweep(base, setting: str, values, data: dict, score, pooled_score) -> dict:
    """``{value: {file: score(rows)}}``: each value of ``setting`` (a ``Settings.with_`` key) run end to end
    through ``evaluate`` on every file of ``data`` with the extractive answerer, the sentence ranking
    memoised (``MemoRanker``) so only what is done with it changes; each value's ``pooled_score`` per file
    printed as it finishes."""
    pipe, memo, results = None, None, {}
    for v in values:
        pipe = Pipeline(base.with_(**{setting: v}), embedder=pipe.embedder if pipe else None)
        answerer = pipe.answerer("extractive")
        memo = memo or MemoRanker(answerer.ranker)
        answerer.ranker = memo
        results[v] = {n: score(evaluate(pipe, qs, answerer="extractive", dataset=n)["questions"])
                      for n, qs in data.items()}
        print(v, {n: pooled_score(results[v], [n]) for n in data}, flush=True)
    return results


def arguments(doc: str, datasets=None) -> argparse.Namespace:
    """The arguments of a script run end to end on the tuning files: ``--index`` (required), ``--dataset``
    (repeatable; default ``datasets``, else ``DATASETS``) and ``--out`` (results folder)."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--dataset", action="append", type=Path)
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    args = ap.parse_args()
    args.dataset = args.dataset or datasets or DATASETS
    return args


def main():
    args = arguments(__doc__)
    base = load_settings().with_(index_dir=args.index)
    shipped = base.extractive.min_support
    data = {Path(p).stem: read_dataset(p) for p in args.dataset}
    results = sweep(base, "extractive__min_support", sorted(set(GRID) | {shipped}), data, counts, pooled)

    title = ("Refusal threshold (`extractive.min_support`) by leave-one-file-out cross-validation: chosen on the "
             f"other files by balanced accuracy of answering, over {list(GRID)}; index `{args.index}`.")
    cross_validate(results, shipped, title, Path(args.out) / "refusal_fit", index=args.index)


def cross_validate(results: dict[float, dict[str, dict]], shipped: float, title: str, out: Path, **extra) -> dict:
    """Each file held out in turn, the threshold chosen on the others; the report written to
    ``out``.md/.json (``title`` heads the Markdown) and returned."""
    grid = sorted(results)
    names = list(next(iter(results.values())))
    folds = []
    for held in names:
        t = choose(results, [n for n in names if n != held], grid)
        folds.append({"held_out": held, "chosen": t, "held_out_chosen": pooled(results[t], [held]),
                      "held_out_shipped": pooled(results[shipped], [held])})
    on_all = choose(results, names, grid)
    report = {"machine": machine(), **extra, "grid": grid, "shipped": shipped, "folds": folds,
              "chosen_on_all": on_all, "per_threshold": {str(t): {n: pooled(r, [n]) for n in names} | {
                  "pooled": pooled(r, names)} for t, r in results.items()}}
    cell = "FR {false_refusals:.3f} / UR {unanswerable_refused:.3f} / key facts {key_facts:.3f}".format
    lines = [title + " FR: answerable declined; UR: unanswerable declined.", "",
             "| held out | chosen on the others | held out: chosen | held out: shipped " + f"({shipped}) |",
             "|---|---|---|---|"]
    for f in folds:
        lines.append(f"| {f['held_out']} | {f['chosen']} | {cell(**f['held_out_chosen'])} | "
                     f"{cell(**f['held_out_shipped'])} |")
    lines += ["", f"Chosen on all files: {on_all}.", "", "| threshold | " + " | ".join(names) + " | pooled |",
              "|---" * (len(names) + 2) + "|"]
    for t in grid:
        r = results[t]
        lines.append(f"| {t} | " + " | ".join(cell(**pooled(r, [n])) for n in names) + f" | {cell(**pooled(r, names))} |")
    write_report(out.parent, out.name, "\n".join(lines), report)
    return report

if __name__ == "__main__":
    main()
