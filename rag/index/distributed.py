"""Indexing on a Ray cluster (``rag index --ray ADDRESS``).

Two parts of a build run on the cluster, both through the local build's own functions:

* :class:`RayMap` is a mapper (rag.mapping): reading and parsing the files, cleaning pages with their
  group's boilerplate model, and chunking, BM25-tokenizing and name-finding each release run as Ray
  Data tasks (``map_batches`` over pickled items, results back in order). The files must be readable
  at the same paths on every node (a shared or copied folder).
* :class:`RayEmbedder` is an ``Embedder``: the embedding (about 9 in 10 of a full build's time on the
  prosecutor corpus) runs in an actor pool, one model per actor.

What needs every item at once stays in the driver: learning each group's boilerplate (from the line
keys the read tasks return), assembling releases (ids, exact duplicates), the embedding cache (hits
never reach the cluster), SQLite, the BM25 matrix, the vector index and the atomic switch to a new
generation. So the result is the local build's: same releases, chunks, offsets and BM25, vectors from
the same model and backend (within that backend's tolerance across machines).

The texts to embed go to Ray Data as rows; ``map_batches`` runs them through a pool of actors, each
holding one copy of the model (the shipped backend, ``embedding.*`` settings, one thread each unless
set), and the vectors come back in the texts' order. Ray retries a task whose worker died and
restarts the actor; the generation being served is not touched until the new one is complete.
"""
from __future__ import annotations

import pickle
import sys
from typing import Callable, Sequence

import numpy as np

from ..config import EmbeddingConfig
from ..errors import ConfigError, RagError

LOCAL = "local"  # --ray local: start a Ray cluster inside this process


class EmbedActor:
    """One model per actor (constructed once on its worker)."""

    def __init__(self, embedding: dict, cache_dir: str | None):
        from ..embedding import embedder_from

        self.embedder = embedder_from(EmbeddingConfig.from_dict(embedding), cache_dir)

    def __call__(self, batch: dict) -> dict:
        vectors = self.embedder.embed([str(t) for t in batch["text"]])
        return {"i": batch["i"], "vector": np.asarray(vectors, dtype=np.float32)}


def connect(address: str) -> dict:
    """``ray.init`` for ``address`` (``local``: a cluster in this process; else ``HOST:PORT`` of a
    running head, or ``auto``); the cluster's resources. ConfigError naming the address if none."""
    import ray

    if ray.is_initialized():
        return ray.cluster_resources()
    if address not in (LOCAL, "auto"):
        _reachable(address)
    try:
        if address == LOCAL:
            ray.init(include_dashboard=False, log_to_driver=False, configure_logging=False)
        else:
            ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise ConfigError(f"cannot reach a Ray cluster at {address!r}: {str(exc).splitlines()[0]}") from None
    return ray.cluster_resources()


def _reachable(address: str, timeout: float = 5.0) -> None:
    """A TCP connection to the head's HOST:PORT, or ConfigError (``ray.init`` itself retries a dead
    address for minutes)."""
    import socket

    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"Ray address must be 'local', 'auto' or HOST:PORT, got {address!r}")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as exc:
        raise ConfigError(f"cannot reach a Ray cluster at {address!r}: {exc}") from None


def alive_nodes() -> int:
    import ray

    return sum(1 for node in ray.nodes() if node.get("Alive"))


def quiet(on: bool) -> None:
    """Ray Data's progress bars and INFO lines only when the build shows progress."""
    import logging

    import ray

    ray.data.DataContext.get_current().enable_progress_bars = not on
    logging.getLogger("ray.data").setLevel(logging.WARNING if on else logging.INFO)


def _batches(out, expected: int, address: str, what: str, of: str):
    """The result batches of a Ray Data pipeline; RagError naming the cluster when they hold other
    than ``expected`` rows (``what`` returned for ``of``: "vectors", "texts")."""
    seen = 0
    for batch in out.iter_batches(batch_format="numpy", batch_size=None):
        seen += len(batch["i"])
        yield batch
    if seen != expected:
        raise RagError(f"the Ray cluster at {address!r} returned {seen} {what} for {expected} {of}")


def _apply(batch: dict, fn: Callable) -> dict:
    """One Ray Data task: ``fn`` over a batch of pickled items, results pickled."""
    out = np.empty(len(batch["x"]), dtype=object)
    out[:] = [pickle.dumps(fn(pickle.loads(x)), protocol=pickle.HIGHEST_PROTOCOL) for x in batch["x"]]
    return {"i": batch["i"], "y": out}


class RayMap:
    """A mapper (rag.mapping) whose work runs as Ray Data tasks on the cluster at ``address``,
    ``batch_size`` items per task; Ray retries a task whose worker died."""

    def __init__(self, address: str = LOCAL, batch_size: int = 64, progress: bool = False):
        if batch_size < 1:
            raise ConfigError(f"ray map batch size must be >= 1, got {batch_size}")
        self.address, self.batch_size, self.progress = address, batch_size, progress

    def __call__(self, fn: Callable, items: Sequence, desc: str = "") -> list:
        import ray

        items = list(items)
        if not items:
            return []
        connect(self.address)
        quiet(not self.progress)
        if self.progress:
            print(f"{desc or 'work'}: {len(items)} item(s) in Ray tasks on the cluster at {self.address}",
                  file=sys.stderr, flush=True)
        rows = ray.data.from_items([{"i": i, "x": pickle.dumps(x, protocol=pickle.HIGHEST_PROTOCOL)}
                                    for i, x in enumerate(items)])
        out = rows.map_batches(_apply, fn_kwargs={"fn": fn}, batch_size=self.batch_size, batch_format="numpy")
        results: list = [None] * len(items)
        for batch in _batches(out, len(items), self.address, "results", f"items ({desc or 'map'})"):
            for i, y in zip(batch["i"], batch["y"]):
                results[int(i)] = pickle.loads(y)
        return results


class RayEmbedder:
    """``local`` (the driver's own embedder: its name, variant and fingerprint are the index's) with
    ``embed`` done by ``actors`` actors on the Ray cluster at ``address``."""

    def __init__(self, local, embedding: EmbeddingConfig, cache_dir: str | None, address: str = LOCAL,
                 actors: int = 0, batch_size: int = 256, progress: bool = False):
        if actors < 0 or batch_size < 1:
            raise ConfigError(f"ray actors must be >= 0 and batch size >= 1, got {actors} and {batch_size}")
        self.local, self.address, self.batch_size, self.progress = local, address, batch_size, progress
        self.cache_dir = cache_dir
        self._actors = actors
        self._embedding = embedding

    def __getattr__(self, attr):  # name, dim, variant, fingerprint, dtype: the local embedder's
        if attr == "local":
            raise AttributeError(attr)
        return getattr(self.local, attr)

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        import ray

        texts = list(texts)
        if not texts:
            return np.zeros((0, self.local.dim), dtype=np.float32)
        resources = connect(self.address)
        quiet(not (progress or self.progress))
        cpus = max(1, int(resources.get("CPU", 1)))
        actors = self._actors or cpus
        threads = self._embedding.threads or max(1, cpus // actors)
        embedding = self._embedding.to_dict() | {"threads": threads}
        if progress or self.progress:
            print(f"embedding {len(texts)} chunks on the Ray cluster at {self.address}: {alive_nodes()} node(s), "
                  f"{actors} actor(s) x {threads} thread(s)", file=sys.stderr, flush=True)
        rows = ray.data.from_items([{"i": i, "text": t} for i, t in enumerate(texts)])
        out = rows.map_batches(EmbedActor, fn_constructor_kwargs={"embedding": embedding, "cache_dir": self.cache_dir},
                               batch_size=self.batch_size, compute=ray.data.ActorPoolStrategy(size=actors),
                               num_cpus=min(threads, cpus / actors),  # more actors than CPUs: they share
                               batch_format="numpy")
        vectors = np.zeros((len(texts), self.local.dim), dtype=np.float32)
        for batch in _batches(out, len(texts), self.address, "vectors", "texts"):
            vectors[np.asarray(batch["i"], dtype=np.int64)] = np.stack(list(batch["vector"]))
        return vectors
