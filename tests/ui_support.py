"""Helpers for the UI tests: real indexes, a real Gradio server on loopback, Chromium."""
from __future__ import annotations

import os
import socket
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import BUNDLED, REPO

ARTIFACTS = REPO / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = "/usr/bin/chromium"
KNIVES = "How many knives were seized in Luton parks?"
KNIVES_ID = "000_0fc0534938e8ed63.txt"
KNIVES_DATE = "2022-04-12"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_pipeline(index_dir: Path, embedder, corpus: Path = BUNDLED, **settings):
    """Index ``corpus`` into ``index_dir`` with the real model; the loaded Pipeline."""
    from rag.pipeline import Pipeline, index_corpus
    from rag.settings import Settings

    s = Settings(index_dir=str(index_dir), corpus=str(corpus), **settings)
    report = index_corpus(s, embedder=embedder)
    assert report.releases > 0 and not report.skipped, report.skipped
    return Pipeline(s, embedder=embedder)


@contextmanager
def serving(demo):
    """``demo`` launched on a free loopback port; yields its URL; closed afterwards."""
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def stop_process(proc, timeout: float = 30) -> None:
    """Terminate a server started for a test; kill it if it does not stop in ``timeout`` s."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def require_chromium():
    """Chromium and Playwright, or: fail under CI (they are part of the install), skip elsewhere."""
    problem = None
    if not os.path.exists(CHROMIUM):
        problem = f"{CHROMIUM} not found: run ./install.sh (installs Debian chromium and chromium-driver)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "playwright is not installed: run ./install.sh (pip install -e '.[test]')"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run: {problem}", pytrace=False)
        pytest.skip(f"browser tests skipped: {problem}")


@contextmanager
def chromium_page(width: int = 1400, height: int = 1000):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
