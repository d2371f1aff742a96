"""Vector index types by name, the choice of type by size, and reading a saved index.

Imports go one way: this module -> ann.py (IVF) -> vectors.py (protocol, flat, numpy).
``vector_index`` (setting; ``auto`` by default) forces a type; ``auto`` picks exact flat
search up to ``FLAT_MAX`` vectors and IVF + SQ8 beyond (see ann.py for the measurements).
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np

from ..errors import ConfigError, IndexUnavailable
from ..registry import Registry
from .ann import FaissIVFIndex
from .vectors import FaissFlatIndex, NumpyIndex, VectorIndex

FLAT_MAX = 100_000          # exact flat search up to this many vectors (see bench/results/perf.md)
RETRAIN_GROWTH = 4          # retrain IVF centroids once the index is this many times its training size
AUTO = "auto"

VECTOR_INDEXES: Registry[VectorIndex] = Registry("vector index")
VECTOR_INDEXES.register("faiss-flat", FaissFlatIndex)
for _name in ("faiss-ivf-flat", "faiss-ivf-pq", "faiss-ivf-sq8"):
    VECTOR_INDEXES.register(_name, partial(FaissIVFIndex, name=_name))
VECTOR_INDEXES.register("numpy", NumpyIndex)
VECTOR_INDEXES.register("qdrant-edge", lambda dim: _qdrant().QdrantEdgeIndex(dim))
VECTOR_INDEXES.register("qdrant", lambda dim, **where: _qdrant().QdrantServerIndex(dim, **where))
EXACT_INDEXES = ("faiss-flat", "numpy")  # the others are approximate (rag/index/ann.py, HNSW in Qdrant)


def _qdrant():
    from . import qdrant  # qdrant-client and qdrant-edge load only when a Qdrant index is used

    return qdrant


def new_vector_index(name: str, dim: int, qdrant: dict | None = None) -> VectorIndex:
    """A new, empty index of type ``name``; ``qdrant``: where a ``qdrant`` index lives (url, path,
    collection, api_key: settings ``vectors.qdrant_*``)."""
    if name == "qdrant":
        return VECTOR_INDEXES.get(name, dim=dim, **(qdrant or {}))
    return VECTOR_INDEXES.get(name, dim=dim)


def check_kind(kind: str) -> str:
    """``auto`` or a registered type; ConfigError naming the valid ones otherwise."""
    if kind != AUTO and kind not in VECTOR_INDEXES:
        raise ConfigError(f"vector_index must be {AUTO} or one of {', '.join(VECTOR_INDEXES.names())}, got {kind!r}")
    return kind


def choose_index(n: int, dim: int, kind: str = AUTO) -> str:
    """The index type for ``n`` vectors: ``kind`` itself unless it is ``auto``."""
    if check_kind(kind) != AUTO:
        return kind
    return "faiss-flat" if n <= FLAT_MAX else "faiss-ivf-sq8"


def load_vector_index(path: Path, params: dict | None = None, qdrant: dict | None = None) -> VectorIndex:
    """Whatever index type was saved at ``path``, wrapped in its VectorIndex class (a Qdrant one
    beside it, named by ``params["store"]``; ``qdrant``: the server URL and key seen from here)."""
    store = (params or {}).get("store", "")
    payload = bool((params or {}).get("payload"))
    if store == "qdrant-edge":
        return _qdrant().QdrantEdgeIndex.load(path, payload=payload)
    if store == "qdrant":
        where = qdrant or {}
        return _qdrant().QdrantServerIndex.load(path, url=where.get("url", ""), api_key=where.get("api_key", ""),
                                                payload=payload)
    import faiss

    try:
        index = faiss.read_index(str(path))
    except RuntimeError as exc:
        raise IndexUnavailable(f"cannot read vector index {path}: {str(exc).splitlines()[0]}") from None
    try:
        ivf = faiss.extract_index_ivf(index)
    except RuntimeError:
        return FaissFlatIndex(index.d, _index=index)
    params = params or {}
    ivf = faiss.downcast_index(ivf)
    if isinstance(ivf, faiss.IndexIVFScalarQuantizer):
        name = "faiss-ivf-sq8"
    elif isinstance(ivf, faiss.IndexIVFPQ):
        name = "faiss-ivf-pq"
    else:
        name = "faiss-ivf-flat"
    return FaissIVFIndex(index.d, name, nprobe=params.get("nprobe"), _index=index,
                         _trained_on=int(params.get("trained_on", index.ntotal)))


def all_vectors(index) -> tuple[np.ndarray, np.ndarray]:
    """(ids, vectors) of everything in a FAISS-backed VectorIndex (decoded, for SQ8/PQ)."""
    import faiss

    raw = index.index
    if raw is None or raw.ntotal == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, index.dim), dtype=np.float32)
    if isinstance(raw, faiss.IndexIDMap2) or hasattr(raw, "id_map"):
        ids = faiss.vector_to_array(raw.id_map).astype(np.int64)
        return ids, faiss.downcast_index(raw.index).reconstruct_n(0, raw.ntotal)
    ivf = faiss.extract_index_ivf(raw)
    invlists = ivf.invlists
    parts = [faiss.rev_swig_ptr(invlists.get_ids(lst), invlists.list_size(lst)).copy()
             for lst in range(ivf.nlist) if invlists.list_size(lst)]
    ids = np.concatenate(parts).astype(np.int64)
    ivf.set_direct_map_type(faiss.DirectMap.Hashtable)
    vectors = raw.reconstruct_batch(ids)
    ivf.set_direct_map_type(faiss.DirectMap.NoMap)
    return ids, vectors


def fit_index(index, n_after: int, kind: str = AUTO):
    """The index to write for ``n_after`` vectors: ``index`` itself, or a rebuilt one of another type.

    Rebuilt when the chosen type changes (crossing ``FLAT_MAX``; going back to flat
    only below half of it, so an index near the line does not flip-flop) or when an
    IVF index has outgrown its centroids."""
    target = choose_index(n_after, index.dim, kind)
    current = index.name
    if current == "faiss-flat" and target != "faiss-flat" or current.startswith("faiss-ivf") and (
        target == "faiss-flat" and n_after < FLAT_MAX // 2
        or target.startswith("faiss-ivf") and target != current
        or n_after > RETRAIN_GROWTH * max(1, getattr(index, "trained_on", 0))
    ):
        ids, vectors = all_vectors(index)
        rebuilt = new_vector_index(target, index.dim)
        rebuilt.add(ids, vectors)
        return rebuilt
    return index
