"""Indexing on a real Ray cluster (reading, cleaning, chunking and tokenizing in Ray Data tasks, the
embedding in an actor pool) equals a local build: an in-process cluster (``--ray local``), and a head
plus a second worker node started as separate processes on 127.0.0.1 (``rag index --ray HOST:PORT``),
on 200 releases of two counties of the shared prosecutor corpus."""
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import PROSECUTORS, needs_shared
from ui_support import free_port

pytestmark = needs_shared()
RAY = str(Path(sys.executable).with_name("ray"))
RAG = str(Path(sys.executable).with_name("rag"))
TABLES = ("releases", "chunks", "skipped", "names", "chunk_tokens", "title_tokens")  # all but times


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("two-counties")
    for county in ("dallas_tx", "harris_tx"):
        (root / county).mkdir()
        for f in sorted((PROSECUTORS / county).glob("*.txt"))[:100]:
            shutil.copy(f, root / county / f.name)
    return root


@pytest.fixture(scope="module")
def local_build(corpus, tmp_path_factory):
    from rag.pipeline import index_corpus
    from rag.settings import Settings

    settings = Settings(index_dir=str(tmp_path_factory.mktemp("local"))).with_(cache__embed_cache="off")
    report = index_corpus(settings, [str(corpus)])
    assert report.releases >= 195 and report.chunks > 500
    return Path(settings.index_dir)


def dump(index_dir: Path) -> dict:
    from rag.index import generations

    db = sqlite3.connect(generations.current(index_dir) / "meta.sqlite")
    return {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall()) for t in TABLES}


def assert_same_index(got: Path, want: Path) -> None:
    from rag.index import Index
    from rag.index.vector_registry import all_vectors

    a, b = dump(got), dump(want)
    for table in TABLES:
        assert a[table] == b[table], table  # releases, chunks and offsets, names, BM25 tokens: identical
    (ids_a, va), (ids_b, vb) = all_vectors(Index(got).vectors), all_vectors(Index(want).vectors)
    order_a, order_b = np.argsort(ids_a), np.argsort(ids_b)
    np.testing.assert_array_equal(ids_a[order_a], ids_b[order_b])
    # the same int8 model on the same CPU; only the thread count per process differs (the backends'
    # rule for mixing variants in one index is cosine >= 0.99; one model with other threads is far closer)
    cos = np.sum(va[order_a] * vb[order_b], axis=1)
    assert cos.min() >= 0.999, cos.min()


def test_an_in_process_cluster_builds_the_local_index(corpus, local_build, tmp_path):
    import ray

    from rag.pipeline import index_corpus
    from rag.settings import Settings

    settings = Settings(index_dir=str(tmp_path / "ray")).with_(cache__embed_cache=str(tmp_path / "cache.sqlite"),
                                                             ray__address="local", ray__actors=2)
    try:
        report = index_corpus(settings, [str(corpus)])
        assert ray.is_initialized() and report.chunks_embedded == report.chunks
        assert_same_index(tmp_path / "ray", local_build)
        again = index_corpus(settings, [str(corpus)], rebuild=True)  # every vector is in the embedding cache:
        assert again.written and again.cache_hits == again.chunks and again.chunks_embedded == 0  # none sent
        assert_same_index(tmp_path / "ray", local_build)
    finally:
        ray.shutdown()


def test_a_head_and_a_worker_node_build_the_local_index(corpus, local_build, tmp_path):
    port = free_port()
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0")
    head = [RAY, "start", "--head", f"--port={port}", "--node-ip-address=127.0.0.1", "--num-cpus=1",
            "--include-dashboard=false", "--disable-usage-stats"]
    worker = [RAY, "start", f"--address=127.0.0.1:{port}", "--node-ip-address=127.0.0.1", "--num-cpus=1"]
    try:
        for cmd in (head, worker):
            started = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=180)
            assert started.returncode == 0, started.stderr[-2000:]
        out = subprocess.run([RAG, "index", str(corpus), "--index", str(tmp_path / "two"),
                              "--ray", f"127.0.0.1:{port}"],
                             env=dict(env, RAG_EMBED_CACHE="off", RAG_RAY_ACTORS="2"),
                             capture_output=True, text=True, timeout=900)
        assert out.returncode == 0, out.stderr[-3000:]
        assert f"on the Ray cluster at 127.0.0.1:{port}: 2 node(s), 2 actor(s)" in out.stderr
        for stage in ("reading: 200 item(s)", "chunking: "):  # the per-file and per-release work: Ray tasks
            assert f"{stage}" in out.stderr and f"in Ray tasks on the cluster at 127.0.0.1:{port}" in out.stderr
        assert_same_index(tmp_path / "two", local_build)
    finally:
        subprocess.run([RAY, "stop", "--force"], env=env, capture_output=True, timeout=120)


def test_an_unreachable_cluster_is_a_one_line_error(tmp_path):
    out = subprocess.run([RAG, "index", "--index", str(tmp_path / "x"), "--ray", f"127.0.0.1:{free_port()}"],
                         capture_output=True, text=True, timeout=300,
                         env=dict(os.environ, RAY_USAGE_STATS_ENABLED="0"))
    assert out.returncode == 1
    assert "error: cannot reach a Ray cluster at '127.0.0.1:" in out.stderr
    bad = subprocess.run([RAG, "index", "--index", str(tmp_path / "y"), "--ray", "nonsense"],
                         capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1 and "Ray address must be 'local', 'auto' or HOST:PORT, got 'nonsense'" in bad.stderr


def map_workers() -> list[int]:
    """Pids of Ray Data's actor processes (their process title names the map they run)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if cmd.startswith("ray::MapWorker(MapBatches(EmbedActor))"):
                pids.append(int(entry))
    return pids


def test_a_worker_killed_mid_run_is_retried(corpus, local_build, tmp_path):
    """SIGKILL one embedding actor as soon as it exists: Ray restarts it and reruns its work, and the
    index is still the local build's."""
    import signal
    import threading
    import time

    import ray

    from rag.pipeline import index_corpus
    from rag.settings import Settings

    settings = Settings(index_dir=str(tmp_path / "killed")).with_(cache__embed_cache="off", ray__address="local",
                                                                 ray__actors=2, ray__batch_size=64)
    result = {}
    run = threading.Thread(target=lambda: result.update(report=index_corpus(settings, [str(corpus)])))
    try:
        run.start()
        killed = None
        while run.is_alive() and killed is None:
            pids = map_workers()
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                killed = pids[0]
            time.sleep(0.01)  # an actor may live well under a second on a fast machine: look often
        run.join(timeout=900)
        assert killed is not None, "the build ended before an embedding actor could be killed"
        assert "report" in result and result["report"].chunks_embedded == result["report"].chunks
        assert_same_index(tmp_path / "killed", local_build)
    finally:
        ray.shutdown()


MARK = "RAG_TEST_RAY_MAP_MARK"


def die_once_at_37(x: int) -> tuple[int, int]:
    """x * 2 and the pid that computed it; the worker given x == 37 first dies (os._exit) instead."""
    mark = Path(os.environ[MARK])
    if x == 37 and not mark.exists():
        mark.touch()
        os._exit(1)
    return x * 2, os.getpid()


def test_ray_map_runs_in_worker_processes_and_reruns_a_dead_one(tmp_path, monkeypatch):
    import ray
    import ray.cloudpickle

    from rag.index.distributed import RayMap

    monkeypatch.setenv(MARK, str(tmp_path / "died"))  # before ray.init: the workers inherit it
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import this test module
    try:
        out = RayMap("local", batch_size=8)(die_once_at_37, list(range(100)))
        assert (tmp_path / "died").exists()  # a worker died mid-run ...
        assert [y for y, _ in out] == [x * 2 for x in range(100)]  # ... and every result came back, in order
        assert os.getpid() not in {pid for _, pid in out}  # computed in Ray's worker processes
        assert RayMap("local")(die_once_at_37, []) == []
    finally:
        ray.cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
        ray.shutdown()
