"""Bad queries get a clear message, never a traceback or a ranked list of nothing."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_release
from rag.errors import ConfigError
from rag.index import build_index
from rag.pipeline import Pipeline
from rag.question import analyse
from rag.settings import Settings
from rag.text.clean import clean_input, has_content

REPO = Path(__file__).resolve().parents[1]


def test_clean_input():
    assert clean_input("knives\x00 in\x07 Luton\r\nparks") == "knives in Luton\nparks"
    assert clean_input(b"caf\xe9 knives") == "caf\ufffd knives"
    assert clean_input("caf\udce9 knives") == "caf\ufffd knives"  # an argv byte that was not UTF-8
    assert clean_input("lone \ud800 surrogate") == "lone \ufffd surrogate"
    assert clean_input("Cafe\u0301") == "Café"
    assert analyse("knives\x00\udcff in Luton?").text == "knives\ufffd in Luton?"
    assert not has_content("  ((( ?! ") and has_content("(((42") and has_content("Ēire")


@pytest.fixture(scope="module")
def pipe(tmp_path_factory, ):
    root = tmp_path_factory.mktemp("corpus")
    write_release(root, "a.txt", "Officers seized 12 knives in Luton parks on Friday.")
    write_release(root, "b.txt", "Quickly exit this site by pressing the Escape key.")
    index_dir = tmp_path_factory.mktemp("idx")
    settings = Settings(index_dir=str(index_dir)).with_(embedder="hash")
    from rag.pipeline import make_embedder

    build_index([root], index_dir, make_embedder(settings), settings.chunking)
    return Pipeline(settings)


@pytest.mark.parametrize("query", ["", "   ", "(((", "?!", "\x00\x01", "…"])
def test_a_query_with_nothing_to_search_for_is_refused(pipe, query):
    with pytest.raises(ConfigError, match="nothing to search for"):
        pipe.search(query)
    with pytest.raises(ConfigError, match="nothing to search for"):
        pipe.ask(query)


def test_a_query_with_bad_bytes_is_answered(pipe):
    hits = pipe.search("knives\udcff in Luton\x00")
    assert hits and hits[0].release.id == "a.txt"


def test_the_cli_says_one_line_for_a_contentless_or_undecodable_query(pipe):
    env = {**os.environ, "RAG_EMBEDDER": "hash"}
    index = pipe.settings.index_dir
    empty = subprocess.run([sys.executable, "-m", "rag.cli", "search", "(((", "--index", index], cwd=REPO, env=env,
                           capture_output=True, text=True, timeout=300)
    assert empty.returncode != 0 and "Traceback" not in empty.stderr
    assert [line for line in empty.stderr.splitlines() if line.strip()] == [
        "error: nothing to search for in '(((': ask with words or numbers"], empty.stderr
    bad = subprocess.run([sys.executable, "-m", "rag.cli", "ask", b"knives \xff in Luton?", "--index", index],
                         cwd=REPO, env=env, capture_output=True, timeout=300)
    assert bad.returncode == 0 and b"Traceback" not in bad.stderr, bad.stderr[-2000:]
