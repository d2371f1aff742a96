"""The `rag` command end to end with the hash embedder (fast); errors are one line."""
import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from conftest import BUNDLED, write_release
from rag.cli import app, reason_kind

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAG_EMBEDDER", "hash")
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "idx"))
    return tmp_path


def test_index_search_ask(env):
    r = runner.invoke(app, ["index", str(BUNDLED)])
    assert r.exit_code == 0, r.output
    assert "added 5" in r.stdout
    r = runner.invoke(app, ["index", str(BUNDLED)])
    assert "up to date" in r.stdout and "0 added" in r.stdout
    r = runner.invoke(app, ["search", "knives seized in Luton parks", "-k", "3", "--json"])
    assert r.exit_code == 0, r.output
    hits = json.loads(r.stdout)["hits"]
    assert len(hits) == 3 and {"title", "date", "release_id", "score", "start", "end"} <= set(hits[0])
    r = runner.invoke(app, ["ask", "How many knives were seized in Luton parks?", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) >= {"answer", "refused", "citations", "timings_ms"}
    for c in out["citations"]:
        assert set(c) >= {"n", "release_id", "title", "date", "url", "start", "end", "quote"}


def test_skipped_listing(env):
    corpus = env / "c"
    write_release(corpus, "ok.txt", "Officers seized ten knives in the park during the sweep.")
    (corpus / "bad.txt").write_bytes(b"\xff\xfe\x00\x00binary")
    r = runner.invoke(app, ["index", str(corpus)])
    assert r.exit_code == 0 and "skipped 1" in r.stdout
    r = runner.invoke(app, ["skipped"])
    assert "bad.txt\t" in r.stdout


def test_errors_are_one_line(env):
    r = runner.invoke(app, ["search", "x", "--index", str(env / "nowhere")])
    assert r.exit_code == 1 and "error: no index at" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["index", str(env / "missing-corpus")])
    assert r.exit_code == 1 and "missing-corpus" in r.output
    r = runner.invoke(app, ["ask", "x", "--answerer", "nope", "--index", str(env / "idx")])
    assert r.exit_code == 1


def test_console_script_reports_bad_setting(tmp_path):
    e = dict(os.environ, RAG_TOP_K="many", RAG_INDEX_DIR=str(tmp_path / "i"))
    p = subprocess.run([sys.executable, "-m", "rag.cli", "ask", "hi"], capture_output=True, text=True, env=e,
                       cwd=tmp_path)
    assert p.returncode != 0
    assert "RAG_TOP_K" in p.stderr and "'many'" in p.stderr and "Traceback" not in p.stderr


def test_reason_kind_groups_details():
    assert reason_kind("exact duplicate of a/b.txt") == "exact duplicate"
    assert reason_kind("not UTF-8 text (byte 0xff at offset 3)") == "not UTF-8 text"


def test_first_ask_builds_the_default_index_and_keeps_json_clean(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAG_EMBEDDER", "hash")
    monkeypatch.delenv("RAG_INDEX_DIR", raising=False)
    r = runner.invoke(app, ["ask", "How many knives were seized in Luton parks?", "--json"])
    assert r.exit_code == 0, r.output
    assert "answer" in json.loads(r.stdout)
    assert (tmp_path / ".rag" / "index" / "CURRENT").exists()


def test_search_for_a_quoted_phrase_puts_its_release_first_and_shows_it(env):
    assert runner.invoke(app, ["index", str(BUNDLED)]).exit_code == 0
    r = runner.invoke(app, ["search", "'We cannot arrest our way out of this'", "-k", "2"])
    assert r.exit_code == 0, r.output
    first = r.stdout.split("\n 2.")[0]
    assert "002_eb340d827de47128.txt" in first and "«We cannot arrest our way out of this»" in first


def test_snippet_is_centred_on_the_quoted_phrase():
    from rag.cli import _snippet

    text = "x " * 400 + "He said “we can’t stop now” to the crowd. " + "y " * 400
    out = _snippet(text, "who said 'we can't stop now'?", limit=60)
    assert out.startswith("…") and out.endswith("…") and "«we can’t stop now»" in out and len(out) <= 64
    assert _snippet("short text", "no quotes") == "short text"
    assert _snippet("a " * 200, "no quotes").endswith("…")


def test_sync_intervals():
    import typer

    from rag.cli_report import parse_every

    assert [parse_every(t) for t in ("90s", "15m", "1h", "1.5h", "1d")] == [90, 900, 3600, 5400, 86400]
    for bad in ("", "1", "h", "0h", "-1h", "1w"):
        with pytest.raises(typer.BadParameter, match="is not an interval"):
            parse_every(bad)


def test_ask_prints_markdown_for_export(env):
    assert runner.invoke(app, ["index", str(BUNDLED)]).exit_code == 0
    r = runner.invoke(app, ["ask", "How many knives were seized in Luton parks?", "--format", "markdown"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("## How many knives were seized in Luton parks?\n\n")
    assert "\nSources:\n\n1. " in r.stdout and "release `000_0fc0534938e8ed63.txt`, chars " in r.stdout
    r = runner.invoke(app, ["ask", "x", "--format", "yaml"])
    assert r.exit_code == 1 and "unknown --format 'yaml'; choose text, json or markdown" in r.stderr


def test_help_shows_the_citation_marker():
    r = runner.invoke(app, ["--help"])
    assert "citing each claim [n]" in " ".join(r.stdout.replace("│", " ").split())  # (the box's borders out)
