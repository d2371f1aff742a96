"""bench/fit_fusion.py: the remembered searches a grid of weights reuses, and the real retriever fused over them.

``_Memo`` must hand back exactly what the wrapped search returns, searching once per distinct arguments, so a
weight grid scored through it scores what the uncached retriever would (the reference: the same retriever over
the unwrapped index, every weight setting of a small grid).
"""
from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from conftest import BUNDLED, hash_pipeline  # noqa: E402
from fit_fusion import _Memo, remember_searches  # noqa: E402


class _Counting:
    def __init__(self):
        self.calls = []

    def search_chunks(self, query, k, allowed=None):
        self.calls.append((query, k, allowed))
        return [(len(query), float(k))]

    def other(self):
        return "passed through"


def test_memo_searches_once_per_arguments_and_passes_the_rest_through():
    inner = _Counting()
    memo = _Memo(inner)
    first = memo.search_chunks("knives", 5, allowed={3, 1})
    assert memo.search_chunks("knives", 5, allowed={1, 3}) is first  # the same set, another object
    assert memo.search_chunks("knives", 5) == first and memo.search_chunks("knives", 6) == [(6, 6.0)]
    vector = np.ones((1, 4), dtype=np.float32)
    memo.search_chunks(vector, 5)
    memo.search_chunks(vector.copy(), 5)  # a vector by its bytes
    assert len(inner.calls) == 4
    assert memo.other() == "passed through"


def test_a_grid_scored_through_the_memo_ranks_as_the_plain_retriever(tmp_path_factory):
    import shutil

    from rag.pipeline import Pipeline
    from rag.retrieval.hybrid import HybridRetriever, retriever_config

    plain = hash_pipeline(tmp_path_factory, lambda root: shutil.copytree(BUNDLED, root, dirs_exist_ok=True))
    cached = Pipeline(plain.settings)
    remember_searches(cached.index)
    base = retriever_config("hybrid")
    questions = ["how many knives were seized in Luton parks?", "what did police announce about burglary?"]
    for weights in ({}, {"bm25_weight": 3.0, "release_weight": 0.0}, {"title_weight": 1.0, "other_title_weight": 1.0}):
        config = replace(base, **weights)
        for q in questions:
            want = HybridRetriever(plain.index, plain.embedder, config).retrieve(q, 5)
            got = HybridRetriever(cached.index, cached.embedder, config).retrieve(q, 5)
            assert [(h.release.id, h.chunk.seq, h.score) for h in got] == [(h.release.id, h.chunk.seq, h.score) for h in want]
