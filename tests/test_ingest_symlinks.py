"""Symlinks under a corpus root are never followed, and never silently: each is reported."""
from __future__ import annotations

import os

from conftest import write_release
from rag.ingest import load_corpus


def test_symlinks_are_reported_not_followed(tmp_path):
    root, outside = tmp_path / "corpus", tmp_path / "elsewhere"
    write_release(root, "a.txt", "Officers seized knives in Luton parks on Friday.")
    write_release(root, "sub/b.txt", "Officers made arrests in Dunstable on Monday.")
    for i in range(3):
        write_release(outside, f"o{i}.txt", f"Release {i} kept outside the corpus.")
    (outside / "secret.md").write_text("# Not a release\nA private note.")
    os.symlink(outside, root / "linked-folder")  # a folder of releases outside the root
    os.symlink(outside / "secret.md", root / "note.md")  # a file outside the root
    os.symlink(root / "sub", root / "again")  # the same folder twice
    os.symlink(root, root / "sub" / "loop")  # a loop
    os.symlink(tmp_path / "gone.txt", root / "broken.txt")

    result = load_corpus([root])
    assert sorted(r.id for r in result.releases) == ["a.txt", "sub/b.txt"]
    reasons = {os.path.relpath(s.path, root): s.reason for s in result.skipped}
    assert reasons.keys() == {"linked-folder", "note.md", "again", "sub/loop", "broken.txt"}
    assert "outside the corpus root" in reasons["linked-folder"] and str(outside) in reasons["linked-folder"]
    assert "file outside the corpus root" in reasons["note.md"]
    assert "folder sub of this corpus" in reasons["again"] and "read under its own path" in reasons["again"]
    assert "folder . of this corpus" in reasons["sub/loop"]
    assert reasons["broken.txt"].startswith("broken symlink")


def test_a_root_that_is_itself_a_symlink_is_read(tmp_path):
    real = tmp_path / "real"
    write_release(real, "a.txt", "Officers seized knives in Luton parks on Friday.")
    os.symlink(real, tmp_path / "link")
    assert [r.id for r in load_corpus([tmp_path / "link"]).releases] == ["a.txt"]
