"""No silent loss: `rag index ROOT` changes only ROOT's releases; others are kept and said so."""
from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from conftest import BUNDLED, write_release
from rag.cli import app
from rag.index import Index
from rag.index.scope import by_origin, origin_of, roots_scope, under

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RAG_EMBEDDER", "hash")
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "idx"))
    bundled = tmp_path / "bundled"
    shutil.copytree(BUNDLED, bundled)
    mine = tmp_path / "mine"
    write_release(mine, "bridge.txt", "The Mill Green footbridge will close for six weeks while repairs costing "
                                      "40,000 pounds are carried out, the council said.", date="2025-03-14")
    write_release(mine, "parks.txt", "Officers seized twelve knives in Luton parks during a week of action, "
                                     "police said on Monday.", date="2025-03-17")
    return tmp_path


def ids(env):
    return {r.id for r in Index(env / "idx").store.releases()}


def test_indexing_my_folder_keeps_the_releases_of_another_root_and_says_so(env):
    assert runner.invoke(app, ["index", str(env / "bundled")]).exit_code == 0
    bundled = ids(env)
    r = runner.invoke(app, ["index", str(env / "mine")])
    assert r.exit_code == 0, r.output
    assert "added 2, updated 0, removed 0" in r.stdout
    assert f"kept 5 releases from other roots or feeds (5 from {env / 'bundled'})" in r.stderr
    assert "--replace" in r.stderr
    assert ids(env) == bundled | {"bridge.txt", "parks.txt"}

    # a file changed in mine updates only mine; a file gone from mine is removed
    (env / "mine" / "parks.txt").unlink()
    r = runner.invoke(app, ["index", str(env / "mine")])
    assert "added 0, updated 0, removed 1" in r.stdout
    assert ids(env) == bundled | {"bridge.txt"}

    r = runner.invoke(app, ["sources"])
    lines = r.stdout.strip().splitlines()
    assert any(line.startswith(f"folder\t{env / 'bundled'}\t5 releases\tupdated ") for line in lines), lines
    assert any(line.startswith(f"folder\t{env / 'mine'}\t1 releases\tupdated ") for line in lines), lines

    r = runner.invoke(app, ["index", str(env / "mine"), "--replace"])
    assert "removed 5" in r.stdout and ids(env) == {"bridge.txt"}
    assert [line.split("\t")[1] for line in runner.invoke(app, ["sources"]).stdout.splitlines()] == [str(env / "mine")]


def test_the_same_id_from_another_root_is_skipped_not_overwritten(env):
    other = env / "other"
    write_release(other, "bridge.txt", "A different release that happens to share the file name bridge.txt "
                                       "with one already indexed from another folder.")
    assert runner.invoke(app, ["index", str(env / "mine")]).exit_code == 0
    r = runner.invoke(app, ["index", str(other)])
    assert "added 0" in r.stdout and "id clash: 'bridge.txt' is already indexed from" in r.stderr
    assert "footbridge" in Index(env / "idx").store.release("bridge.txt").body


def test_scope_helpers(tmp_path):
    root = str(tmp_path / "c")
    assert under(root + "/a.txt", (root,)) and under(root + "/sub/b.txt", (root,))
    assert not under(root + "2/a.txt", (root,))  # a sibling folder whose name starts the same
    assert under(root + ".jsonl:12", (root + ".jsonl",))
    assert not under("https://example.org/a", (root,))
    assert roots_scope([root])(root + "/x.md")
    assert origin_of("https://news.example.org/a/b.html", []) == "https://news.example.org"
    assert by_origin([root + "/a", root + "/b", "http://h/x"], [root]) == {root: 2, "http://h": 1}
