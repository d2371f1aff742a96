"""The Retriever seam: a question (and filters) in, ranked Hits out.

Stages, each switchable so the evaluation can ablate them:
dense (FAISS) · bm25 (bm25s, chunk text and titles) · time words in the question
("in March 2019", "last week") · reciprocal rank fusion · rerank · diversity cap.
"""
from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

from ..models import Chunk, Hit
from ..question import Question
from .filters import NO_FILTERS, Filters


@runtime_checkable
class Retriever(Protocol):
    name: str

    def retrieve(self, query: Question | str, k: int, filters: Filters = NO_FILTERS) -> list[Hit]:
        """The ``k`` best passages, best first, ranked 1..k (a question as text is analysed
        against ``filters.as_of``)."""
        ...


def diversify(hits: Sequence[Hit], k: int, per_release: int) -> list[Hit]:
    """Keep rank order, at most ``per_release`` chunks of one release, re-ranked 1..k."""
    seen: dict[str, int] = {}
    out: list[Hit] = []
    for hit in hits:
        rid = hit.release.id
        if seen.get(rid, 0) >= per_release:
            continue
        seen[rid] = seen.get(rid, 0) + 1
        out.append(Hit(hit.chunk, hit.release, hit.score, len(out) + 1))
        if len(out) == k:
            break
    return out


def widen(hit: Hit, store, neighbours: int = 1) -> Hit:
    """The hit's passage grown to include ``neighbours`` chunks either side (same release)."""
    if neighbours <= 0:
        return hit
    chunks = store.chunks_of(hit.release.id)
    around = [c for c in chunks if abs(c.seq - hit.chunk.seq) <= neighbours] or [hit.chunk]
    start, end = min(c.start for c in around), max(c.end for c in around)
    start, end = min(start, hit.chunk.start), max(end, hit.chunk.end)
    body = hit.release.body
    return Hit(Chunk(hit.release.id, hit.chunk.seq, start, end, body[start:end]), hit.release, hit.score, hit.rank)


def whole(hit: Hit) -> Hit:
    """The hit's passage grown to its whole release."""
    body = hit.release.body
    return Hit(Chunk(hit.release.id, hit.chunk.seq, 0, len(body), body), hit.release, hit.score, hit.rank)


__all__ = ["Retriever", "Filters", "NO_FILTERS", "diversify", "widen", "whole"]
