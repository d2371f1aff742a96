"""One writer per index: a second writer waits (or is refused, naming the holder); a lock left by a
killed process is taken over; two real `rag index` processes at once both finish, nothing lost."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import write_release
from rag.errors import IndexBusy
from rag.index import Index
from rag.index.lock import LOCK, WriteLock, holder

REPO = Path(__file__).resolve().parents[1]


def hold_lock(index_dir: Path) -> subprocess.Popen:
    """A separate process that takes the lock, says so on stdout, then sleeps until killed."""
    code = textwrap.dedent(f"""
        import sys, time
        from rag.index.lock import WriteLock
        with WriteLock({str(index_dir)!r}):
            print("held", flush=True)
            time.sleep(600)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_writer_is_told_who_holds_the_lock(tmp_path):
    proc = hold_lock(tmp_path)
    try:
        assert holder(tmp_path)["pid"] == proc.pid
        with pytest.raises(IndexBusy, match=rf"being written by pid {proc.pid} on .* \(since "):
            with WriteLock(tmp_path, wait=False):
                pass
    finally:
        proc.kill()
        proc.wait()


def test_a_lock_left_by_a_killed_writer_is_taken_over(tmp_path):
    proc = hold_lock(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert holder(tmp_path)["pid"] == proc.pid  # the dead holder's record is still there
    with WriteLock(tmp_path, wait=False):
        assert holder(tmp_path)["pid"] == os.getpid()
    assert holder(tmp_path) == {}  # released: the record is cleared


def test_a_waiting_writer_says_once_whom_it_waits_for_then_proceeds(tmp_path):
    proc = hold_lock(tmp_path)
    said: list[str] = []

    def release_soon(line: str) -> None:
        said.append(line)
        proc.kill()  # the holder ends; the waiter gets the lock

    with WriteLock(tmp_path, on_wait=release_soon):
        assert holder(tmp_path)["pid"] == os.getpid()
    proc.wait()
    assert len(said) == 1 and f"pid {proc.pid}" in said[0] and str(tmp_path) in said[0]


def test_two_rag_index_processes_at_once_both_finish(tmp_path):
    """Each run indexes its own root into the same index; run together, neither dies and the index
    ends with both roots (each run keeps the other root's releases), loadable."""
    roots = []
    for name in ("north", "south"):
        root = tmp_path / name
        for i in range(40):
            write_release(root, f"{name}-{i}.txt", f"{name} release {i}. " + "Officers seized knives. " * 60)
        roots.append(root)
    env = {**os.environ, "RAG_EMBEDDER": "hash", "RAG_CACHE_DIR": str(tmp_path / "cache")}
    index_dir = tmp_path / "idx"
    procs = [subprocess.Popen([sys.executable, "-m", "rag.cli", "index", str(root), "--index", str(index_dir)],
                              cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for root in roots]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err[-2000:]
        assert "Traceback" not in err
    idx = Index(index_dir)
    ids = {r for (r,) in idx.store.db.execute("SELECT id FROM releases")}
    assert len(ids) == 80 and {i.split("-")[0] for i in ids} == {"north", "south"}
    assert (index_dir / LOCK).exists() and holder(index_dir) == {}
