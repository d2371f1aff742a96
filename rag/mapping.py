"""Where the per-item work of indexing runs: reading and parsing files, cleaning pages, chunking and
tokenizing releases (``rag.ingest``, ``rag.index.prepare``).

A *mapper* is a callable ``mapper(fn, items, desc) -> list`` returning ``[fn(x) for x in items]`` in
order. :class:`LocalMap` runs it here (with a tqdm bar when asked); ``rag.index.distributed.RayMap``
runs it as Ray Data tasks on a cluster. Both call the same ``fn``, so a build's result does not depend
on where it ran. ``fn`` must be picklable (a module-level function, or a ``functools.partial`` of one)
and must not raise for a bad item: it returns the item's failure as a value (a skipped file, say).
"""
from __future__ import annotations

import sys
from typing import Callable, Protocol, Sequence, TypeVar

T = TypeVar("T")
U = TypeVar("U")


class Mapper(Protocol):
    def __call__(self, fn: Callable[[T], U], items: Sequence[T], desc: str = "") -> list[U]: ...


class LocalMap:
    """In this process, in order; a tqdm bar on stderr named ``desc`` when ``progress``."""

    def __init__(self, progress: bool = False):
        self.progress = progress

    def __call__(self, fn: Callable[[T], U], items: Sequence[T], desc: str = "") -> list[U]:
        if self.progress and desc:
            from tqdm import tqdm

            items = tqdm(items, desc=desc, unit="item", file=sys.stderr, leave=False)
        return [fn(x) for x in items]
