"""Embedding cache: the vector of every text ever embedded, keyed by model and exact text.

One SQLite file (``INDEX_DIR/embcache.sqlite`` by default, beside the
generation folders, so it outlives ``rag index --rebuild``) maps

    (embedder fingerprint, sha256 of the exact text embedded) -> float32 vector

The fingerprint names the model, its backend and precision (``variant``) and,
for the real model, a hash of its weights, so vectors from another model,
backend or precision never answer. Re-indexing after a change, or a rebuild,
sends to the model only the texts it has never seen; an interrupted build
resumes where it stopped, as the cache is committed block by block.

The ``embed_cache`` setting (``RAG_EMBED_CACHE``) names another file; ``off`` (or ``0``/``no``)
disables it.
"""
from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from pathlib import Path
from typing import Sequence

import numpy as np

log = logging.getLogger(__name__)

CACHE_FILE = "embcache.sqlite"
BLOCK = 2048  # texts embedded (and committed to the cache) per round


def fingerprint(embedder) -> str:
    """What decides an embedder's vectors: ``fingerprint`` if it has one, else name + variant + dim."""
    own = getattr(embedder, "fingerprint", None)
    if own:
        return str(own)
    return f"{embedder.name}|{getattr(embedder, 'variant', '')}|{embedder.dim}"


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


OFF = ("off", "0", "no", "false", "none")


def cache_path(index_dir: Path, setting: str = "") -> Path | None:
    """Where the cache for an index lives (the ``embed_cache`` setting: empty for the file
    beside the index, a path, or ``off``), or None when disabled."""
    raw = (setting or "").strip()
    if raw.lower() in OFF:
        return None
    return Path(raw) if raw else Path(index_dir) / CACHE_FILE


class EmbeddingCache:
    def __init__(self, path: Path, model: str, dim: int):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.model, self.dim = model, dim
        try:
            self.db = self._open()
        except sqlite3.DatabaseError as exc:  # a damaged cache is only lost time: set it aside, start afresh
            aside = self.path.with_name(f"{self.path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
            for suffix in ("", "-wal", "-shm"):
                part = Path(f"{self.path}{suffix}")
                if part.exists():
                    part.replace(Path(f"{aside}{suffix}"))
            log.warning("warning: embedding cache %s is damaged (%s); set aside as %s, starting a new one",
                        self.path, exc, aside.name)
            self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path), timeout=60)
        try:
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(check)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors(model TEXT NOT NULL, text_sha256 BLOB NOT NULL, "
                "vector BLOB NOT NULL, PRIMARY KEY(model, text_sha256)) WITHOUT ROWID"
            )
            db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def get(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        size = self.dim * 4
        for start in range(0, len(keys), 500):
            part = list(keys[start:start + 500])
            rows = self.db.execute(
                f"SELECT text_sha256, vector FROM vectors WHERE model = ? AND text_sha256 IN ({','.join('?' * len(part))})",
                [self.model, *part],
            ).fetchall()
            for key, blob in rows:
                if len(blob) == size:
                    found[bytes(key)] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, keys: Sequence[bytes], vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.db.executemany(
            "INSERT OR REPLACE INTO vectors(model, text_sha256, vector) VALUES (?, ?, ?)",
            [(self.model, k, v.tobytes()) for k, v in zip(keys, vectors)],
        )
        self.db.commit()

    def __len__(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM vectors WHERE model = ?", (self.model,)).fetchone()[0])

    def close(self) -> None:
        self.db.close()


class CachedEmbedder:
    """Wraps an Embedder: answers from the cache, embeds only the misses, stores them.

    Same ``name``/``dim``/``variant`` as the inner embedder. Over its lifetime it
    counts ``misses`` (distinct texts sent to the model) and ``hits`` (every other
    text: found in the cache, or a repeat), so hits + misses = texts asked for.
    """

    def __init__(self, inner, cache: EmbeddingCache | None):
        self.inner, self.cache = inner, cache
        self.name, self.dim = inner.name, inner.dim
        self.hits = self.misses = 0

    def __getattr__(self, attr):
        return getattr(self.inner, attr)

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        if self.cache is None:
            self.misses += len(texts)
            return self.inner.embed(texts, progress=progress)
        keys = [text_key(t) for t in texts]
        known = self.cache.get(list(dict.fromkeys(keys)))
        todo: dict[bytes, str] = {}
        for key, text in zip(keys, texts):
            if key not in known:
                todo.setdefault(key, text)
        self.hits += len(keys) - len(todo)  # from the cache, or a repeat of a text embedded in this call
        self.misses += len(todo)
        bar = None
        if progress and todo:
            from tqdm import tqdm

            bar = tqdm(total=len(todo), desc="embed", unit="chunk")
        pending = list(todo.items())
        for start in range(0, len(pending), BLOCK):
            block = pending[start:start + BLOCK]
            vectors = self.inner.embed([t for _, t in block])
            self.cache.put([k for k, _ in block], vectors)
            known.update({k: v for (k, _), v in zip(block, vectors)})
            if bar is not None:
                bar.update(len(block))
        if bar is not None:
            bar.close()
        out = np.zeros((len(texts), self.inner.dim), dtype=np.float32)
        for i, key in enumerate(keys):
            out[i] = known[key]
        return out
