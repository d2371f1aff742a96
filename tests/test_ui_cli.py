"""`rag serve`: argument errors are one line; a real server starts, builds the default index, answers."""
import os
import queue
import subprocess
import sys
import threading
import time
import urllib.request

from typer.testing import CliRunner

from conftest import BUNDLED
from rag.cli import app
from ui_support import free_port, stop_process

runner = CliRunner()


def test_unknown_answerer_is_one_line_listing_the_valid_names(tmp_path):
    r = runner.invoke(app, ["serve", "--answerer", "nope", "--index", str(tmp_path / "idx")])
    assert r.exit_code == 1
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert lines == ["error: unknown answerer 'nope'; choose one of: extractive, local, openai"]


def test_bad_port_and_missing_index(tmp_path):
    r = runner.invoke(app, ["serve", "--port", "0"])
    assert r.exit_code == 2 and "--port" in r.output
    r = runner.invoke(app, ["serve", "--port", "70000"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["serve", "--index", str(tmp_path / "nowhere")])
    assert r.exit_code == 1 and "error: no index at" in r.output and "Traceback" not in r.output


def _lines(stream, q):
    for line in iter(stream.readline, ""):
        q.put(line)
    q.put(None)


def _wait_for(q, needle, timeout, seen):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = q.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if needle in line:
            return line
    raise AssertionError(f"{needle!r} not printed within {timeout}s; output so far:\n{''.join(seen)}")


def test_serve_builds_the_default_index_prints_the_url_and_answers(tmp_path):
    """The command a new user runs, in a fresh folder (hash embedder: the real model is tested elsewhere)."""
    env = dict(os.environ, RAG_EMBEDDER="hash", RAG_CORPUS=str(BUNDLED), PYTHONUNBUFFERED="1")
    env.pop("RAG_INDEX_DIR", None)
    port = free_port()
    cmd = [sys.executable, "-m", "rag.cli", "serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, out), daemon=True).start()
    seen: list[str] = []
    try:
        line = _wait_for(out, "press-rag UI: http://", 120, seen)
        assert f"http://127.0.0.1:{port}" in line and str(tmp_path / ".rag" / "feedback.jsonl") not in line
        assert ".rag/feedback.jsonl" in line
        assert any("no index yet: building .rag/index" in s for s in seen)
        assert (tmp_path / ".rag" / "index").is_dir()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as resp:
            page = resp.read().decode()
        assert resp.status == 200 and "press-rag" in page and "window.__ragUi" in page  # the citation-link script

        from gradio_client import Client

        hits = Client(f"http://127.0.0.1:{port}/", verbose=False).predict("knives seized in Luton parks", 3,
                                                                        api_name="/search")["hits"]
        assert len(hits) == 3 and {"release_id", "title", "date", "score", "start", "end"} <= set(hits[0])

        # a second server on the same port: one line, exit 1
        second = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert second.returncode == 1, second.stdout + second.stderr
        assert f"error: cannot listen on 127.0.0.1:{port}" in second.stderr and "Traceback" not in second.stderr
    finally:
        stop_process(proc, 20)
