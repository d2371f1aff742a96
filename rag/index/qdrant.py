"""Qdrant behind the VectorIndex seam (rag/index/vectors.py): the same id-addressed vectors and
inner-product search as FAISS, kept by the Qdrant engine.

* ``qdrant-edge``: the Qdrant engine in this process (``qdrant-edge-py``, an Edge shard). The shard
  is worked on in a private folder; ``save`` writes it, flushed and closed, as one tar file in the
  generation folder (``vectors.qdrant.tar``), and loading unpacks that into a private folder again.
  So a generation's vectors are one immutable, checksummed file, like ``vectors.faiss``, and a
  reader never sees half an update (loading an Edge shard writes to its folder).
* ``qdrant``: a Qdrant server (``vectors.qdrant_url`` / ``QDRANT_URL``), or qdrant-client's local
  mode when no URL is set (``vectors.qdrant_path``, default ``:memory:``). One collection per index
  generation (``<collection>-<uuid>``); ``save`` writes a small pointer file (``vectors.qdrant.json``)
  naming it, so every `rag serve` behind a load balancer that loads the generation queries the
  same collection, and a new generation is a new collection. The index folder's ledger
  (``qdrant-collections.json``) lists the collections its builds made; each build drops those but
  its own and the one it replaces (readers may still be on that one until they see the new
  ``CURRENT``; it goes at the next build): see :func:`retire`.

Both use dot-product distance on the embedder's normalised vectors (cosine), as ``faiss-flat``.
Each point carries its chunk's release_id, source, date (YYYYMMDD), start and end as payload, with
payload indexes on the first three; a date/source/release filter (``allowed`` as a ``ChunkIds``) is
pushed down to Qdrant as conditions on them, any other ``allowed`` goes as a ``has_id`` condition.
"""
from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import tarfile
import tempfile
import uuid
import weakref
from pathlib import Path

import numpy as np

from ..errors import ConfigError, IndexUnavailable
from .vectors import _check, day_number

VECTOR = "dense"
BATCH = 1024  # points per upsert request
KEYWORDS, INTEGERS = ("release_id", "source"), ("date",)


def _conditions(where: dict, field, match_any, rng) -> list:
    """The payload conditions for a ChunkIds' ``where`` (the same set as rag.index.store.chunk_ids_where)."""
    out = []
    if where.get("date_from") or where.get("date_to"):
        out.append(field("date", range=rng(gte=day_number(where.get("date_from")), lte=day_number(where.get("date_to")))))
    for key, name in (("sources", "source"), ("release_ids", "release_id")):
        if where.get(key):
            out.append(field(name, match=match_any(list(where[key]))))
    return out


def _where(index, allowed, by_payload, by_ids):
    """The Qdrant filter for ``allowed`` (None: none): a ChunkIds' conditions as payload conditions
    when the index holds payload, else the ids; ``index.last_filter`` says which."""
    if allowed is None:
        return None
    if index.payload and getattr(allowed, "where", None):
        index.last_filter = "payload"
        return by_payload(allowed.where)
    index.last_filter = "ids"
    return by_ids([int(i) for i in allowed])


def _empty(n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full((n, k), -np.inf, dtype=np.float32), np.full((n, k), -1, dtype=np.int64)


def _results(rows, n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    scores, ids = _empty(n, k)
    for q, points in enumerate(rows):
        for j, p in enumerate(points[:k]):
            scores[q, j], ids[q, j] = p.score, int(p.id)
    return scores, ids


class QdrantEdgeIndex:
    """An Edge shard (the Qdrant engine in-process), saved per generation as one tar file."""

    name = "qdrant-edge"

    def __init__(self, dim: int, _workdir: str | None = None, payload: bool = True):
        import qdrant_edge as qe

        if not isinstance(dim, int) or dim < 1:
            raise ConfigError(f"vector dimension must be a positive integer, got {dim!r}")
        self.dim, self._qe = dim, qe
        self._tmp = tempfile.mkdtemp(prefix="rag-qdrant-edge-")
        self._finalizer = weakref.finalize(self, shutil.rmtree, self._tmp, True)
        self._dir = os.path.join(self._tmp, "shard")
        if _workdir is None:
            config = qe.EdgeConfig(vectors={VECTOR: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Dot)})
            self.shard = qe.EdgeShard.create(self._dir, config)
            for name, kind in [(k, qe.PayloadSchemaType.Keyword) for k in KEYWORDS] + [
                    (k, qe.PayloadSchemaType.Integer) for k in INTEGERS]:
                self.shard.update(qe.UpdateOperation.create_field_index(name, kind))
        else:
            shutil.move(_workdir, self._dir)
            self.shard = qe.EdgeShard.load(self._dir)
        self.payload = payload  # False: an index saved without payload (filters go as ids)
        self.last_filter = ""  # what the last filtered search sent: "payload" or "ids"

    def __len__(self) -> int:
        return int(self.shard.count(self._qe.CountRequest(exact=True)))

    def add(self, ids, vectors, payload=None) -> None:
        ids, vectors = _check(ids, vectors, self.dim)
        qe = self._qe
        if payload is None:
            self.payload = self.payload and not len(ids)
        loads = list(payload) if payload is not None else [None] * len(ids)
        for s in range(0, len(ids), BATCH):
            points = [qe.Point(id=int(i), vector={VECTOR: v.tolist()}, payload=p)
                      for i, v, p in zip(ids[s:s + BATCH], vectors[s:s + BATCH], loads[s:s + BATCH])]
            self.shard.update(qe.UpdateOperation.upsert_points(points))

    def remove(self, ids) -> None:
        ids = [int(i) for i in ids]
        if ids:
            self.shard.update(self._qe.UpdateOperation.delete_points(ids))

    def search(self, queries, k, allowed=None):
        qe = self._qe
        queries, k = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32), max(1, int(k))
        if allowed is not None and len(allowed) == 0:
            return _empty(len(queries), k)
        where = _where(self, allowed, lambda w: qe.Filter(must=_conditions(w, qe.FieldCondition, qe.MatchAny,
                                                                             qe.RangeFloat)),
                       lambda ids: qe.Filter(must=[qe.HasIdCondition(point_ids=set(ids))]))
        batch = qe.QueryBatchRequest([qe.QueryRequest(limit=k, query=qe.Query.Nearest(q.tolist(), using=VECTOR),
                                                      filter=where) for q in queries])
        return _results(self.shard.query_batch(batch), len(queries), k)

    @property
    def params(self) -> dict:
        return {"store": self.name, "payload": self.payload}

    def save(self, path: Path) -> None:
        """The shard, flushed and closed, as ``<path stem>.qdrant.tar`` beside ``path``; reopened after."""
        target = qdrant_file(path, ".tar")
        self.shard.flush()
        self.shard.close()
        try:
            tmp = target.with_name(target.name + ".part")
            with tarfile.open(tmp, "w") as tar:
                tar.add(self._dir, arcname="shard")
            os.replace(tmp, target)
        finally:
            self.shard = self._qe.EdgeShard.load(self._dir)

    @classmethod
    def load(cls, path: Path, payload: bool = False) -> "QdrantEdgeIndex":
        source = qdrant_file(path, ".tar")
        if not source.is_file():
            raise IndexUnavailable(f"cannot read vector index {source}: missing")
        tmp = tempfile.mkdtemp(prefix="rag-qdrant-unpack-")
        try:
            with tarfile.open(source) as tar:
                tar.extractall(tmp, filter="data")
            dim = json.loads((Path(tmp) / "shard" / "edge_config.json").read_text())["vectors"][VECTOR]["size"]
            return cls(int(dim), _workdir=os.path.join(tmp, "shard"), payload=payload)
        except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
            raise IndexUnavailable(f"cannot read vector index {source}: {exc}") from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class QdrantServerIndex:
    """A collection on a Qdrant server (or in qdrant-client's local mode), one per generation."""

    name = "qdrant"

    def __init__(self, dim: int, url: str = "", path: str = "", collection: str = "press-rag", api_key: str = "",
                 _existing: str | None = None, payload: bool = True):
        from qdrant_client import models

        if not isinstance(dim, int) or dim < 1:
            raise ConfigError(f"vector dimension must be a positive integer, got {dim!r}")
        self.dim, self._m = dim, models
        self.url, self.path, self.prefix, self.api_key = url, path, collection, api_key
        try:
            self.client = _client(url, path, api_key)
            if _existing is not None:
                if not self.client.collection_exists(_existing):
                    raise IndexUnavailable(f"Qdrant collection {_existing!r} not found at {url or path}: "
                                           "rebuild with `rag index --rebuild`")
                self.collection = _existing
            else:
                self.collection = f"{collection}-{uuid.uuid4().hex[:12]}"
                self.client.create_collection(self.collection, vectors_config=models.VectorParams(
                    size=dim, distance=models.Distance.DOT))
                for names, kind in ((KEYWORDS, models.PayloadSchemaType.KEYWORD),
                                    (INTEGERS, models.PayloadSchemaType.INTEGER)):
                    for name in names if url else ():  # (local mode filters without indexes)
                        self.client.create_payload_index(self.collection, name, kind)
        except IndexUnavailable:
            raise
        except Exception as exc:  # connection refused, bad URL, server error: one line naming the server
            raise IndexUnavailable(f"Qdrant at {url or path or ':memory:'}: {type(exc).__name__}: {exc}") from None
        self.payload = payload
        self.last_filter = ""

    def __len__(self) -> int:
        return int(self.client.count(self.collection, exact=True).count)

    def add(self, ids, vectors, payload=None) -> None:
        ids, vectors = _check(ids, vectors, self.dim)
        if payload is None:
            self.payload = self.payload and not len(ids)
        if len(ids):
            self.client.upload_collection(self.collection, vectors=vectors, ids=[int(i) for i in ids],
                                          payload=list(payload) if payload is not None else None,
                                          batch_size=BATCH, wait=True)

    def remove(self, ids) -> None:
        ids = [int(i) for i in ids]
        if ids:
            self.client.delete(self.collection, points_selector=self._m.PointIdsList(points=ids), wait=True)

    def search(self, queries, k, allowed=None):
        m = self._m
        queries, k = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32), max(1, int(k))
        if allowed is not None and len(allowed) == 0:
            return _empty(len(queries), k)
        where = _where(self, allowed, lambda w: m.Filter(must=_conditions(
            w, lambda key, **kw: m.FieldCondition(key=key, **kw), lambda values: m.MatchAny(any=values), m.Range)),
            lambda ids: m.Filter(must=[m.HasIdCondition(has_id=ids)]))
        requests = [m.QueryRequest(query=q.tolist(), limit=k, filter=where) for q in queries]
        rows = [r.points for r in self.client.query_batch_points(self.collection, requests=requests)]
        return _results(rows, len(queries), k)

    def branch(self) -> "QdrantServerIndex":
        """A new collection holding this one's points (the next generation's, so that readers of this
        one never see its update)."""
        other = QdrantServerIndex(self.dim, url=self.url, path=self.path, collection=self.prefix, api_key=self.api_key,
                                  payload=self.payload)
        offset = None
        while True:
            records, offset = self.client.scroll(self.collection, limit=BATCH, offset=offset, with_vectors=True,
                                                 with_payload=self.payload)
            if records:
                other.add([int(r.id) for r in records], np.asarray([r.vector for r in records], dtype=np.float32),
                          payload=[r.payload for r in records] if self.payload else None)
            if offset is None:
                return other

    @property
    def params(self) -> dict:
        return {"store": self.name, "payload": self.payload}

    def save(self, path: Path) -> None:
        """A pointer to the collection: ``<path stem>.qdrant.json`` beside ``path``."""
        pointer = {"collection": self.collection, "url": self.url, "path": self.path, "dim": self.dim}
        qdrant_file(path, ".json").write_text(json.dumps(pointer) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path, url: str = "", api_key: str = "", payload: bool = False) -> "QdrantServerIndex":
        """The collection a saved pointer names (on ``url`` when given: the same cluster seen from here)."""
        source = qdrant_file(path, ".json")
        try:
            pointer = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IndexUnavailable(f"cannot read vector index {source}: {exc}") from None
        return cls(int(pointer["dim"]), url=url or pointer.get("url", ""), path=pointer.get("path", ""),
                   api_key=api_key, _existing=pointer["collection"], payload=payload)


@functools.lru_cache(maxsize=None)
def _client(url: str, path: str, api_key: str):
    """One client per server (or local-mode folder: it admits one client per process; ``:memory:``:
    the process's one in-memory store, so a pointer saved here loads here)."""
    from qdrant_client import QdrantClient

    if url:
        client = QdrantClient(url=url, api_key=api_key or None, timeout=60, check_compatibility=False)
    else:
        client = QdrantClient(path=path) if path and path != ":memory:" else QdrantClient(":memory:")
    atexit.register(client.close)  # before the interpreter tears down what close() imports
    return client


LEDGER = "qdrant-collections.json"


def collection_of(vectors: Path) -> str | None:
    """The Qdrant collection a generation's vectors file (``vectors.faiss`` or beside it) names
    (None: not a ``qdrant`` index)."""
    try:
        return json.loads(qdrant_file(vectors, ".json").read_text(encoding="utf-8"))["collection"]
    except (OSError, ValueError, KeyError):
        return None


def retire(index_dir: Path, index: QdrantServerIndex, reading: str | None) -> list[str]:
    """Note ``index``'s collection in ``index_dir``'s ledger and drop every collection listed there
    but it and ``reading`` (the replaced generation's); returns the dropped names. Only collections
    this index made are touched: indexes sharing a server and prefix do not drop each other's."""
    from .manifest import write_atomic

    ledger = Path(index_dir) / LEDGER
    try:
        known = json.loads(ledger.read_text(encoding="utf-8")) if ledger.is_file() else []
    except (OSError, ValueError):
        known = []
    keep = [c for c in (reading, index.collection) if c]
    dropped = []
    for name in known:
        if name not in keep:
            try:
                index.client.delete_collection(name)
            except Exception:  # gone already, or the server refused: listed again next time
                keep.append(name)
                continue
            dropped.append(name)
    write_atomic(ledger, json.dumps(sorted(set(keep))) + "\n")
    return dropped


def qdrant_file(path: Path, suffix: str) -> Path:
    """``vectors.faiss`` -> ``vectors.qdrant.tar`` / ``vectors.qdrant.json`` (same folder)."""
    path = Path(path)
    return path.with_name(path.name.split(".", 1)[0] + ".qdrant" + suffix)
