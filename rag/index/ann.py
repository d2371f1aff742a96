"""Approximate vector search for large indexes, and the choice of index type by size.

Exact flat search (``faiss-flat``) costs one pass over every vector per query:
on this project's 2-core machine, one thread, ~1.3 ms per 10k vectors of
dimension 384 under load, so it stays near 10 ms (a third of the 30 ms retrieval
budget) up to ``FLAT_MAX`` vectors. Beyond that the index becomes an inverted file
(IVF): vectors are bucketed around ``nlist`` (~sqrt n) k-means centroids and a
query scans only the ``nprobe`` (nlist/8, 16 to 128) nearest buckets.

* ``faiss-ivf-sq8`` (chosen above FLAT_MAX): IVF with 8-bit scalar-quantised
  vectors, 384 bytes a vector (a quarter of float32: 5M vectors in ~1.9 GB),
  scores within ~1e-3 of exact; recall@10 0.98 on the real chunk vectors.
* ``faiss-ivf-flat``: IVF with float32 vectors (exact scores, 4x the memory).
* ``faiss-ivf-pq``: IVF with product quantisation, 48 bytes a vector: opt-in
  only (setting ``vector_index = "faiss-ivf-pq"``), as its recall@10 measured ~0.5.

HNSW was ruled out: FAISS HNSW cannot remove vectors, and an incremental update
must (changed and deleted releases), and its build is slow on 2 cores. IVF
supports ``remove_ids`` and ID-selector search, so updates stay incremental; the
index is rebuilt from its own vectors (decoded) when it crosses FLAT_MAX (back
to flat below half of it) or has grown 4x past what its centroids were trained on
(vector_registry.fit_index).

``allowed`` restricts a search with an ID selector; as a selector keeps only a
fraction of each bucket, ``nprobe`` is widened by 1/fraction (all buckets for
small allowed sets), so a filtered search is as good as an unfiltered one.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from .vectors import _check, few_query_threads

ENCODINGS = {"faiss-ivf-flat": "Flat", "faiss-ivf-sq8": "SQ8", "faiss-ivf-pq": "PQ"}


def auto_nlist(n: int) -> int:
    """~sqrt(n) buckets (a power of two), at least 39 training points each."""
    if n < 2 * 39:
        return 1
    nlist = 2 ** round(math.log2(max(1.0, math.sqrt(n))))
    return int(max(1, min(nlist, n // 39, 65536)))


def auto_nprobe(nlist: int) -> int:
    """Buckets scanned per query: an eighth of them, at least 16, at most 128. Measured (bench/scale.py)
    on the 46k real chunk vectors: recall@10 0.96 at nlist/16, 0.98 at nlist/8; the cap keeps a 5M-vector
    query near 12 ms (nprobe 256: 25 ms) where synthetic recall@10 is already 0.98 at nprobe 4."""
    return int(min(nlist, max(16, min(128, nlist // 8))))


def _pq_m(dim: int) -> int:
    """Sub-quantizers: 8 dimensions each (48 bytes for 384-d); one per dimension for tiny dims."""
    if dim < 64:
        return dim
    for m in (dim // 8, dim // 4, dim // 2, dim):
        if m >= 1 and dim % m == 0:
            return m
    return 1  # pragma: no cover


class FaissIVFIndex:
    """An IVF index in FAISS; trained on its first ``add`` (buckets from that size)."""

    def __init__(self, dim: int, name: str = "faiss-ivf-sq8", nlist: int | None = None,
                 nprobe: int | None = None, _index=None, _trained_on: int = 0):
        import faiss

        if not isinstance(dim, int) or dim < 1:
            raise ConfigError(f"vector dimension must be a positive integer, got {dim!r}")
        if name not in ENCODINGS:
            raise ConfigError(f"unknown IVF index {name!r}; choose one of: {', '.join(sorted(ENCODINGS))}")
        self._faiss = faiss
        self.dim, self.name = dim, name
        self.index = _index
        self._nlist, self._nprobe = nlist, nprobe
        self.trained_on = _trained_on
        if _index is not None:
            ivf = faiss.extract_index_ivf(_index)
            self._nlist, self._nprobe = int(ivf.nlist), int(nprobe or ivf.nprobe)

    @property
    def nlist(self) -> int:
        return int(self._nlist or 0)

    @property
    def nprobe(self) -> int:
        return int(self._nprobe or auto_nprobe(self.nlist or 1))

    @property
    def params(self) -> dict:
        return {"factory": self._factory(self.nlist), "nlist": self.nlist, "nprobe": self.nprobe,
                "trained_on": self.trained_on}

    def _factory(self, nlist: int) -> str:
        encoding = ENCODINGS[self.name]
        return f"IVF{nlist},{f'PQ{_pq_m(self.dim)}' if encoding == 'PQ' else encoding}"

    def __len__(self) -> int:
        return 0 if self.index is None else int(self.index.ntotal)

    def _train(self, vectors: np.ndarray) -> None:
        faiss = self._faiss
        nlist = self._nlist or auto_nlist(len(vectors))
        index = faiss.index_factory(self.dim, self._factory(nlist), faiss.METRIC_INNER_PRODUCT)
        ivf = faiss.downcast_index(faiss.extract_index_ivf(index))
        ivf.cp.niter = 10
        ivf.cp.max_points_per_centroid = 64
        ivf.cp.seed = 1234
        if isinstance(ivf, faiss.IndexIVFPQ):
            ivf.do_polysemous_training = False  # minutes of training for a Hamming filter not used here
            ivf.pq.cp.niter = 10
        sample = vectors
        limit = max(nlist * 64, 10_000)
        if len(vectors) > limit:
            pick = np.random.default_rng(1234).choice(len(vectors), limit, replace=False)
            sample = vectors[np.sort(pick)]
        if ENCODINGS[self.name] == "PQ" and len(sample) < 256:
            # PQ codebooks need >= 256 training points: a tiny index trains on jittered copies
            reps = -(-256 // len(sample))
            noise = np.random.default_rng(1234).normal(scale=1e-3, size=(reps * len(sample), self.dim))
            sample = (np.tile(sample, (reps, 1)) + noise).astype(np.float32)
        index.train(sample)
        self._nlist = nlist
        ivf.nprobe = self.nprobe
        self.index, self.trained_on = index, len(vectors)

    def add(self, ids, vectors, payload=None) -> None:
        ids, vectors = _check(ids, vectors, self.dim)
        if not len(ids):
            return
        if self.index is None:
            self._train(vectors)
        self.index.add_with_ids(vectors, ids)

    def remove(self, ids) -> None:
        ids = np.asarray(list(ids), dtype=np.int64)
        if len(ids) and self.index is not None:
            self.index.remove_ids(ids)

    def search(self, queries, k, allowed=None):
        faiss = self._faiss
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        k = max(1, int(k))
        empty = (np.full((len(queries), k), -np.inf, dtype=np.float32), np.full((len(queries), k), -1, dtype=np.int64))
        if len(self) == 0 or (allowed is not None and len(allowed) == 0):
            return empty
        nprobe, sel = self.nprobe, None
        if allowed is not None:
            allowed = np.unique(np.asarray(list(allowed), dtype=np.int64))
            fraction = min(1.0, len(allowed) / len(self))
            nprobe = min(self.nlist, int(math.ceil(nprobe / max(fraction, 1e-9))))
            sel = faiss.IDSelectorBatch(allowed)
        params = faiss.SearchParametersIVF(nprobe=nprobe, sel=sel) if sel is not None else \
            faiss.SearchParametersIVF(nprobe=nprobe)
        with few_query_threads(faiss, len(queries)):
            scores, ids = self.index.search(queries, k, params=params)
        scores[ids < 0] = -np.inf
        return scores, ids

    def save(self, path: Path) -> None:
        if self.index is None:  # nothing trained yet: an empty flat file keeps the folder loadable
            import faiss

            faiss.write_index(faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim)), str(path))
            return
        self._faiss.write_index(self.index, str(path))
