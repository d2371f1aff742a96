"""Damage is named, never a traceback: every file of an index x truncate / zero / garbage / delete
gives one IndexUnavailable that names the file and says how to rebuild; a damaged embedding
cache is set aside and rebuilt."""
from __future__ import annotations

import logging
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_release
from rag.chunking import ChunkerSettings
from rag.embedding import HashEmbedder
from rag.errors import IndexUnavailable
from rag.index import Index, build_index, generations
from rag.index.embcache import CACHE_FILE

REPO = Path(__file__).resolve().parents[1]
CHUNKS = ChunkerSettings(48, 8)
DAMAGE = ("truncate", "zero", "garbage", "delete")


def damage(path: Path, how: str) -> None:
    size = path.stat().st_size
    if how == "delete":
        path.unlink()
    elif how == "truncate":
        with open(path, "r+b") as fh:
            fh.truncate(size // 2)
    else:
        data = bytes(size) if how == "zero" else random.Random(size).randbytes(max(size, 16))
        path.write_bytes(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    for i in range(6):
        write_release(root, f"r{i}.txt", f"Release {i}. " + "Officers in Luton seized knives near the park. " * 20)
    index_dir = tmp_path_factory.mktemp("idx")
    build_index([root], index_dir, HashEmbedder(64), CHUNKS)
    return root, index_dir


def index_files(index_dir: Path) -> list[str]:
    folder = generations.current(index_dir)
    names = [p.relative_to(index_dir).as_posix() for p in sorted(folder.rglob("*")) if p.is_file()]
    return names + [generations.CURRENT]


def copy_index(src: Path, dst: Path) -> Path:
    subprocess.run(["cp", "-a", str(src), str(dst)], check=True)
    return dst


def test_every_file_is_recorded_with_its_checksum(built):
    _, index_dir = built
    idx = Index(index_dir)
    recorded = set(idx.manifest.files)
    folder = generations.current(index_dir)
    assert recorded == {p.relative_to(folder).as_posix() for p in folder.rglob("*")
                        if p.is_file() and p.name != "manifest.json"}
    assert {"meta.sqlite", "vectors.faiss"} <= recorded and any(n.startswith("bm25/") for n in recorded)


@pytest.mark.parametrize("how", DAMAGE)
def test_each_damaged_file_is_named_with_the_way_out(built, tmp_path, how):
    _, index_dir = built
    failures = []
    for name in index_files(index_dir):
        copy = copy_index(index_dir, tmp_path / f"{how}-{name.replace('/', '_')}")
        target = copy / name
        damage(target, how)
        try:
            Index(copy)
        except IndexUnavailable as exc:
            msg = str(exc)
            if "\n" in msg or (str(target) not in msg and str(copy) not in msg):
                failures.append((name, msg))
            elif name != generations.CURRENT and "rag index --rebuild" not in msg:
                failures.append((name, msg))
        except Exception as exc:  # any other type is a traceback for the user
            failures.append((name, f"{type(exc).__name__}: {exc}"))
        else:
            if not (how == "delete" and name == generations.CURRENT):
                failures.append((name, "loaded without complaint"))
    assert not failures, failures


def test_the_cli_says_one_line_for_a_damaged_store(built, tmp_path):
    _, index_dir = built
    copy = copy_index(index_dir, tmp_path / "cli")
    damage(generations.current(copy) / "meta.sqlite", "garbage")
    env = {**os.environ, "RAG_EMBEDDER": "hash"}
    p = subprocess.run([sys.executable, "-m", "rag.cli", "search", "knives", "--index", str(copy)],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode != 0 and "Traceback" not in p.stderr
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "meta.sqlite" in lines[0] and "rag index --rebuild" in lines[0], p.stderr


def test_an_old_index_without_checksums_is_still_checked(built, tmp_path):
    """An index saved before checksums were recorded: SQLite's own check names the damage."""
    import json

    _, index_dir = built
    copy = copy_index(index_dir, tmp_path / "old")
    folder = generations.current(copy)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.pop("files")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    damage(folder / "meta.sqlite", "zero")
    with pytest.raises(IndexUnavailable, match="meta.sqlite is damaged"):
        Index(copy)


@pytest.mark.parametrize("how", ("truncate", "zero", "garbage"))
def test_a_damaged_embedding_cache_is_set_aside_and_rebuilt(built, tmp_path, caplog, how):
    root, _ = built
    index_dir = tmp_path / "idx"
    first = build_index([root], index_dir, HashEmbedder(64), CHUNKS)
    damage(index_dir / CACHE_FILE, how)
    with caplog.at_level(logging.WARNING):
        report = build_index([root], index_dir, HashEmbedder(64), CHUNKS, rebuild=True)
    assert report.written and report.cache_misses == first.cache_misses > 0  # nothing taken from the damaged file
    assert any("embedding cache" in r.getMessage() and "set aside" in r.getMessage() for r in caplog.records)
    assert list(index_dir.glob(f"{CACHE_FILE}.damaged-*"))
    again = build_index([root], index_dir, HashEmbedder(64), CHUNKS, rebuild=True)
    assert again.cache_misses == 0  # the new cache works
