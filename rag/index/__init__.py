"""Index folder = FAISS vectors + SQLite metadata + manifest, saved atomically."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import IndexError_
from ..models import Hit, Release
from . import generations
from .build import META, VECTORS, BuildReport, build_index
from .manifest import Manifest
from .store import MetaStore
from .vectors import FaissFlatIndex

__all__ = ["Index", "BuildReport", "build_index", "Manifest"]


class Index:
    """A loaded, read-only index: load once, then answer many queries."""

    def __init__(self, index_dir: str | Path):
        self.dir = Path(index_dir)
        folder = generations.current(self.dir)
        if folder is None:
            raise IndexError_(f"no index at {self.dir}: build one with `rag index`")
        self.folder = folder
        self.manifest = Manifest.read(folder)
        self.store = MetaStore(folder / META, readonly=True)
        self.vectors = FaissFlatIndex.load(folder / VECTORS)

    def check(self, embedder) -> None:
        self.manifest.check(embedder.name, embedder.dim)

    def __len__(self) -> int:
        return len(self.vectors)

    def search_vector(self, query: np.ndarray, k: int) -> list[Hit]:
        scores, ids = self.vectors.search(np.atleast_2d(query), k)
        found = [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]
        records = self.store.chunks([i for i, _ in found])
        hits = []
        for cid, score in found:
            if cid in records:
                chunk, release = records[cid]
                hits.append(Hit(chunk=chunk, release=release, score=score, rank=len(hits) + 1))
        return hits

    def release(self, release_id: str) -> Release | None:
        return self.store.release(release_id)
