"""One contract for every reranker in the registry: the hits come back reordered, none lost,
none added, ranked 1..n. ``cross-encoder`` needs a local model folder (none ships on PyPI)
and is covered where one is given."""
from __future__ import annotations

import os

import pytest

from rag.errors import ConfigError
from rag.models import Chunk, Hit, Release
from rag.question import analyse
from rag.retrieval.rerank import RERANKERS, Reranker, make_reranker

QUESTION = "How much extra time did Juan Ramos get in 2016?"
TEXTS = ["A man was sentenced for a robbery.", "Juan Ramos received an additional six years in 2016.",
         "Another case entirely.", "Ramos appealed.", "The court sat in 2016."]


def hits() -> list[Hit]:
    out = []
    for i, text in enumerate(TEXTS):
        rel = Release(f"r{i}", f"Release {i}", "2016-03-01", None, "test", text, f"r{i}")
        out.append(Hit(Chunk(rel.id, 0, 0, len(text), text), rel, 1.0 / (60 + i + 1), i + 1))
    return out


def rerankers():
    for name in RERANKERS.names():
        if name == "cross-encoder":
            path = os.environ.get("RAG_TEST_CROSS_ENCODER", "")
            if not path:
                continue
            yield pytest.param(make_reranker(name, path), id=name)
        else:
            yield pytest.param(make_reranker(name), id=name)


@pytest.mark.parametrize("reranker", list(rerankers()))
@pytest.mark.parametrize("question", [QUESTION, analyse(QUESTION), "nothing specific here"])
def test_a_permutation_of_its_input_ranked_one_to_n(reranker, question):
    assert isinstance(reranker, Reranker)
    given = hits()
    out = reranker.rerank(question, given)
    assert sorted(h.release.id for h in out) == sorted(h.release.id for h in given)
    assert [h.rank for h in out] == list(range(1, len(given) + 1))
    assert {(h.chunk, h.release) for h in out} == {(h.chunk, h.release) for h in given}
    assert reranker.rerank(question, []) == []


def test_none_is_no_reranker_and_unknown_names_are_listed():
    assert make_reranker("none") is None and make_reranker("") is None
    with pytest.raises(ConfigError, match="unknown reranker 'magic'; choose one of: none, cross-encoder, overlap"):
        make_reranker("magic")
    with pytest.raises(ConfigError, match="cross-encoder folder not found"):
        make_reranker("cross-encoder", "/no/such/model")
