"""Index folder = FAISS vectors + SQLite metadata + manifest, saved atomically."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import IndexUnavailable
from ..models import Hit, Release
from . import generations
from .build import META, VECTORS, BuildReport, build_index
from .manifest import Manifest
from .store import MetaStore
from .vector_registry import load_vector_index

__all__ = ["Index", "BuildReport", "build_index", "Manifest"]


class Index:
    """A loaded, read-only index: load once, then answer many queries."""

    def __init__(self, index_dir: str | Path, qdrant: dict | None = None):
        self.dir = Path(index_dir)
        folder = generations.current(self.dir)
        if folder is None:
            raise IndexUnavailable(f"no index at {self.dir}: build one with `rag index`")
        self.folder = folder
        self.manifest = Manifest.read(folder)
        self.manifest.verify(folder)
        self.store = MetaStore(folder / META, readonly=True, check=not self.manifest.files)  # checksummed above
        self.vectors = load_vector_index(folder / VECTORS, self.manifest.vector_params, qdrant)
        self._lexical = None

    def check(self, embedder) -> None:
        self.manifest.check(embedder.name, embedder.dim, variant=getattr(embedder, "variant", None))

    def __len__(self) -> int:
        return len(self.vectors)

    def search_vector(self, query: np.ndarray, k: int, allowed: Sequence[int] | None = None) -> list[Hit]:
        """Nearest chunks by cosine; ``allowed`` restricts the search to those chunk ids."""
        if allowed is not None and len(allowed) == 0:
            return []
        scores, ids = self.vectors.search(np.atleast_2d(query), k, allowed=allowed)
        return self.hits([(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0])

    def hits(self, scored: Sequence[tuple[int, float]]) -> list[Hit]:
        """Hits for (chunk id, score) pairs, in the given order."""
        records = self.store.chunks([i for i, _ in scored])
        out = []
        for cid, score in scored:
            if cid in records:
                chunk, release = records[cid]
                out.append(Hit(chunk=chunk, release=release, score=score, rank=len(out) + 1))
        return out

    @property
    def lexical(self):
        """The BM25 index of this generation, loaded on first use."""
        if self._lexical is None:
            from .lexical import LexicalIndex

            self._lexical = LexicalIndex.load(self.folder)
        return self._lexical

    def release(self, release_id: str) -> Release | None:
        return self.store.release(release_id)
