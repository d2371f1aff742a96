"""The VectorIndex seam: id-addressed vectors, inner-product search.

``faiss-flat`` is exact search over normalised vectors (cosine); ``numpy`` is a
brute-force reference used by the contract tests and needs nothing but numpy.
The approximate ``faiss-ivf-*`` types for large indexes are in ann.py; the registry of
types, the choice of type by size and loading a saved index are in vector_registry.py.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from ..errors import ConfigError, IndexUnavailable


@runtime_checkable
class VectorIndex(Protocol):
    name: str
    dim: int

    def __len__(self) -> int: ...
    def add(self, ids: Sequence[int], vectors: np.ndarray, payload: Sequence[dict] | None = None) -> None:
        """``payload``: per vector, its chunk's release_id, source, date (YYYYMMDD int or None), start
        and end, for a backend that filters on them itself (Qdrant); FAISS keeps ids only."""
        ...
    def remove(self, ids: Sequence[int]) -> None: ...
    def search(self, queries: np.ndarray, k: int, allowed: Sequence[int] | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each of shape (len(queries), k); missing results have id -1.
        ``allowed`` (ids; a :class:`ChunkIds` also says which conditions chose them) restricts the
        search; None searches everything."""
        ...
    def save(self, path: Path) -> None: ...


def day_number(iso: str | None) -> int | None:
    """``2024-07-31`` -> 20240731: a payload's date (integer order is date order)."""
    return int(iso.replace("-", "")) if iso else None


class ChunkIds(list):
    """Chunk ids with the conditions that chose them (``where``: date_from/date_to as ISO days,
    sources, release_ids), so a backend holding those fields can filter on them itself."""

    def __init__(self, ids, where: dict):
        super().__init__(ids)
        self.where = where


def _check(ids: Sequence[int], vectors: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    ids = np.asarray(ids, dtype=np.int64)
    if vectors.ndim != 2 or vectors.shape[1] != dim:
        raise ConfigError(f"vectors must have shape (n, {dim}), got {vectors.shape}")
    if len(ids) != len(vectors):
        raise ConfigError(f"{len(ids)} ids for {len(vectors)} vectors")
    return ids, vectors


@contextmanager
def few_query_threads(faiss, n_queries: int):
    """One OpenMP thread for a search of a few queries (the retriever's one at a time).

    Splitting one query's scan over threads gains little and, on a busy 2-core
    machine, OpenMP's waiting threads cost far more: flat search of 100k vectors
    measured 92 ms p50 with 2 threads, 13 ms with 1. Batches keep every thread."""
    if n_queries > 8:
        yield
        return
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


class FaissFlatIndex:
    name = "faiss-flat"

    def __init__(self, dim: int, _index=None):
        import faiss

        if not isinstance(dim, int) or dim < 1:
            raise ConfigError(f"vector dimension must be a positive integer, got {dim!r}")
        self.dim = dim
        self._faiss = faiss
        self.index = _index if _index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids, vectors, payload=None) -> None:
        ids, vectors = _check(ids, vectors, self.dim)
        if len(ids):
            self.index.add_with_ids(vectors, ids)

    def remove(self, ids) -> None:
        ids = np.asarray(list(ids), dtype=np.int64)
        if len(ids):
            self.index.remove_ids(ids)

    def search(self, queries, k, allowed=None):
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = max(1, int(k))
        if len(self) == 0 or (allowed is not None and len(allowed) == 0):
            return (np.full((len(queries), k), -np.inf, dtype=np.float32), np.full((len(queries), k), -1, dtype=np.int64))
        with few_query_threads(self._faiss, len(queries)):
            if allowed is None:
                return self.index.search(queries, k)
            selector = self._faiss.IDSelectorBatch(np.asarray(list(allowed), dtype=np.int64))
            return self.index.search(queries, k, params=self._faiss.SearchParameters(sel=selector))

    @property
    def params(self) -> dict:
        return {}

    def save(self, path: Path) -> None:
        self._faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path) -> "FaissFlatIndex":
        import faiss

        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise IndexUnavailable(f"cannot read vector index {path}: {str(exc).splitlines()[0]}") from None
        return cls(index.d, _index=index)


class NumpyIndex:
    """Exact brute force in numpy: the reference every VectorIndex is tested against."""

    name = "numpy"

    def __init__(self, dim: int):
        self.dim = dim
        self.ids = np.zeros(0, dtype=np.int64)
        self.vectors = np.zeros((0, dim), dtype=np.float32)

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, ids, vectors, payload=None) -> None:
        ids, vectors = _check(ids, vectors, self.dim)
        self.ids = np.concatenate([self.ids, ids])
        self.vectors = np.vstack([self.vectors, vectors])

    def remove(self, ids) -> None:
        keep = ~np.isin(self.ids, np.asarray(list(ids), dtype=np.int64))
        self.ids, self.vectors = self.ids[keep], self.vectors[keep]

    def search(self, queries, k, allowed=None):
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        k = max(1, int(k))
        scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        keep = np.ones(len(self.ids), bool) if allowed is None else np.isin(self.ids, np.asarray(list(allowed)))
        if keep.any():
            sims = queries @ self.vectors[keep].T
            kept_ids = self.ids[keep]
            for q, row in enumerate(sims):
                order = np.lexsort((kept_ids, -row))[:k]
                scores[q, : len(order)] = row[order]
                ids[q, : len(order)] = kept_ids[order]
        return scores, ids

    def save(self, path: Path) -> None:
        np.savez(path, ids=self.ids, vectors=self.vectors)
