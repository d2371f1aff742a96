"""Fit how many passages each part of a two-part question reads (``retrieval.part_top_k``).

    python bench/fit_part_depth.py --index .rag/shared [--dataset FILE ...] [--out bench/results]

A question asking two things is searched and answered once per part (``rag.pipeline``); each part reads
the first ``part_top_k`` passages of its own search (a whole question reads ``retrieval.top_k``, 5).
A part's own release -- the sentencing after the charge, the year after -- often ranks below the first
5, behind the chunks of the release both parts name. Only two-part questions can change, so each value
of the grid is run end to end through ``rag eval``'s own code (``evaluate``) on the two-part questions
of the tuning files with the extractive answerer and scored by key facts (the sum over answerable
questions), then citation precision. Each file is held out in turn and the value chosen on the others
(best pooled key facts, then citation precision, then the value nearest to 5, the old depth); the
value chosen on all files is printed last. The extractive answerer reads at most
``extractive.evidence.top_k`` of the passages it is handed; the sweep sets it to the grid's largest
value, so the row for 5 reads 5 passages a part and differs from the code before stop 67 (cap 5) only
in a refused part's second look (``extractive.part_support``), which is handed both parts' passages.
The default files are the tuning files that hold two-part questions (dev, dev-more-a, dev-more-b,
facts-f, -g, -j, -k); facts-c, -d, -e, -h, -i judge. Writes OUT/part_depth_fit.{md,json}.
"""
from __future__ import annotations

from pathlib import Path

from common import REPO
from fit_part_support import cross_validate, pooled, scores, two_part
from fit_refusal import arguments, sweep

from eval.dataset import read_dataset
from rag.settings import load_settings

GRID = (5, 6, 8, 10)
OFF = 5  # what a part read before: retrieval.top_k
SHARED = REPO.parent / "shared" / "eval"
BENCH = REPO / "bench" / "datasets"
DATASETS = [SHARED / "dev.jsonl", SHARED / "dev-more-a.jsonl", SHARED / "dev-more-b.jsonl",
            *(BENCH / f"facts-{x}.jsonl" for x in "fgjk")]


def main():
    args = arguments(__doc__, DATASETS)
    # the ranker reads as many passages as the deepest value hands it
    base = load_settings().with_(index_dir=args.index, extractive__evidence__top_k=max(GRID))
    data = {Path(p).stem: two_part(read_dataset(p)) for p in args.dataset}
    results = sweep(base, "retrieval__part_top_k", GRID, data, scores, pooled)
    cross_validate(results, data, "retrieval.part_top_k", OFF, "what a whole question reads", str(OFF),
                   Path(args.out), "part_depth_fit", args.index)


if __name__ == "__main__":
    main()
