"""Atomic saves: each save is a new generation folder; ``CURRENT`` names the live one.

    INDEX_DIR/CURRENT        -> "gen-000007"   (replaced with os.replace, so always whole)
    INDEX_DIR/gen-000007/    manifest.json, meta.sqlite, vectors.faiss

A crash while writing a new generation leaves CURRENT pointing at the previous,
complete one; the half-written folder is removed by the next save.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from ..errors import IndexUnavailable
from .manifest import write_atomic

CURRENT = "CURRENT"
_GEN = re.compile(r"^gen-(\d{6})$")


def current(index_dir: Path) -> Path | None:
    """The live generation folder, or None when no index was ever saved here."""
    pointer = Path(index_dir) / CURRENT
    if not pointer.is_file():
        return None
    name = pointer.read_bytes().decode("utf-8", "replace").strip()
    folder = Path(index_dir) / name
    if not _GEN.match(name) or not folder.is_dir():
        raise IndexUnavailable(f"index at {index_dir} is damaged ({pointer} names {name[:40]!r}); "
                               "rebuild with `rag index --rebuild`")
    return folder


def new_generation(index_dir: Path) -> Path:
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    numbers = [int(m.group(1)) for p in index_dir.iterdir() if (m := _GEN.match(p.name))]
    folder = index_dir / f"gen-{max(numbers, default=0) + 1:06d}"
    folder.mkdir()
    return folder


def publish(index_dir: Path, folder: Path) -> None:
    """Make ``folder`` the live generation, then delete every other generation."""
    for f in folder.rglob("*"):
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
    write_atomic(Path(index_dir) / CURRENT, folder.name + "\n")
    for other in Path(index_dir).iterdir():
        if _GEN.match(other.name) and other != folder:
            shutil.rmtree(other, ignore_errors=True)
