"""Fit the LLM answer policy's rescue threshold (``local.policy.rescue_support``) on the dev sets.

    python bench/fit_rescue.py --index .rag/shared [--bundled-index .rag/bundled] [--dataset FILE ...]

When the model declines (or every sentence it wrote fails the support check), the ``rescue``
step shows the extractive answer instead if its best support is at least ``rescue_support``
or it visibly states what was asked. Each threshold of the grid is run end to end through
``evaluate`` with the ``local`` answerer; the model's generations come from the cache of
``bench/answer_ablation.py`` (temperature 0: the same prompt, the same answer; the rescue
does not change the prompt), the sentence ranking is memoised, so only the decision changes.
Chosen as ``fit_refusal.py`` chooses (balanced accuracy of answering, each file held out in
turn). Writes OUT/rescue_fit.{md,json}.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from answer_ablation import CachedChat
from common import REPO
from fit_refusal import MemoRanker, counts, cross_validate, pooled

from eval.dataset import read_dataset
from eval.runner import evaluate
from rag.pipeline import Pipeline, index_corpus
from rag.settings import BUNDLED_CORPUS, load_settings

SHARED = REPO.parent / "shared" / "eval"
DATASETS = [SHARED / "dev.jsonl", SHARED / "dev-more-a.jsonl", SHARED / "dev-more-b.jsonl"]
BUNDLED_SET = REPO / "eval" / "datasets" / "bundled.jsonl"
GRID = (0.40, 0.42, 0.45, 0.48, 0.50, 0.55, 0.60, 1.0)  # 1.0: only answers that state what was asked


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--dataset", action="append", type=Path)
    ap.add_argument("--cache", type=Path, default=REPO / "bench" / "results" / "local_cache.jsonl")
    ap.add_argument("--reader-folds", type=Path, help="reader weights fitted without each file: without-<file>.json")
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    ap.add_argument("--bundled-index", help="also hold out the bundled set, over this index of corpus/ (built if missing)")
    args = ap.parse_args()
    base = load_settings().with_(index_dir=args.index)
    shipped = base.local.policy.rescue_support
    files = args.dataset or DATASETS
    indexes = [args.index] * len(files)
    if args.bundled_index:  # the project's own set, over its own corpus
        index_corpus(base.with_(index_dir=args.bundled_index, corpus=str(BUNDLED_CORPUS)))
        files, indexes = [*files, BUNDLED_SET], [*indexes, args.bundled_index]
    names = [Path(p).stem for p in files]
    results: dict[float, dict[str, dict]] = {t: {} for t in sorted(set(GRID) | {shipped})}
    generated, pipe = 0, None
    for path, name, index in zip(files, names, indexes):
        settings = base.with_(index_dir=index)
        fold = args.reader_folds / f"without-{name}.json" if args.reader_folds else None
        if fold is not None and fold.is_file():  # no fold for a file the shipped weights never saw
            settings = settings.with_(extractive__reader_weights=str(fold))
        pipe = Pipeline(settings, embedder=pipe.embedder if pipe else None)
        llm = pipe.answerer("local")
        llm.backend = CachedChat(llm.backend, args.cache)
        llm.ranker = llm.fallback.ranker = MemoRanker(llm.ranker)
        questions = read_dataset(path)
        policy = llm.policy
        for t in results:
            llm.policy = policy.with_(rescue_support=t)
            results[t][name] = counts(evaluate(pipe, questions, answerer="local", dataset=name)["questions"])
        generated += llm.backend.generated
        print(name, {t: pooled(results[t], [name]) for t in results}, flush=True)

    title = ("Rescue threshold (`local.policy.rescue_support`) by leave-one-file-out cross-validation: chosen on "
             f"the other files by balanced accuracy of answering, over {sorted(results)}; index `{args.index}`; the "
             f"model's generations from the cache ({generated} new).")
    cross_validate(results, shipped, title, Path(args.out) / "rescue_fit", index=args.index, new_generations=generated)


if __name__ == "__main__":
    main()
