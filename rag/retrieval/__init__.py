"""The Retriever seam: a question in, ranked Hits out."""
from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

from ..embedding import Embedder
from ..errors import ConfigError
from ..models import Hit


@runtime_checkable
class Retriever(Protocol):
    name: str

    def retrieve(self, query: str, k: int) -> list[Hit]: ...


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


class DenseRetriever:
    """Cosine similarity of the question embedding to chunk embeddings (FAISS)."""

    name = "dense"

    def __init__(self, index, embedder: Embedder, *, per_release: int = 2, fetch_factor: int = 4):
        if not isinstance(per_release, int) or per_release < 1:
            raise ConfigError(f"per_release must be a positive integer, got {per_release!r}")
        if not isinstance(fetch_factor, int) or fetch_factor < 1:
            raise ConfigError(f"fetch_factor must be a positive integer, got {fetch_factor!r}")
        self.index = index
        self.embedder = embedder
        self.per_release = per_release
        self.fetch_factor = fetch_factor

    def retrieve(self, query: str, k: int) -> list[Hit]:
        if not isinstance(k, int) or k < 1:
            raise ConfigError(f"k must be a positive integer, got {k!r}")
        vector = self.embedder.embed([query])[0]
        hits = self.index.search_vector(vector, k * self.fetch_factor)
        return diversify(hits, k, self.per_release)
