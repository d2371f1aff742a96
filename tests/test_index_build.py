"""Index build/update with the fast hash embedder: incremental, atomic, guarded."""
import sqlite3

import pytest

from conftest import write_release
from rag.chunking import ChunkerSettings
from rag.embedding import HashEmbedder
from rag.errors import IndexUnavailable, IndexMismatchError
from rag.index import Index, build_index
from rag.index import generations
from rag.index.vectors import FaissFlatIndex

CHUNKS = ChunkerSettings(48, 8)


class CountingEmbedder(HashEmbedder):
    def __init__(self, dim=64):
        super().__init__(dim)
        self.calls = []

    def embed(self, texts, *, progress=False):
        self.calls.append(len(texts))
        return super().embed(texts, progress=progress)


def body(topic: str, n: int = 6) -> str:
    return " ".join(f"Officers in {topic} made {i} arrests and seized {i} knives near the park." for i in range(n))


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    write_release(root, "a.txt", body("Luton"))
    write_release(root, "b.txt", body("Dunstable"))
    write_release(root, "sub/c.txt", body("Bedford"), date="2020-03-12")
    return root


def test_build_then_search(tmp_path, corpus):
    emb = CountingEmbedder()
    report = build_index([corpus], tmp_path / "idx", emb, CHUNKS)
    assert (report.added, report.updated, report.removed) == (3, 0, 0)
    assert report.written and report.chunks == report.chunks_embedded > 3
    idx = Index(tmp_path / "idx")
    assert idx.manifest.chunks == report.chunks and idx.manifest.embedder == "hash-64"
    hits = idx.search_vector(emb.embed(["arrests in Bedford"])[0], 5)
    assert hits[0].release.id == "sub/c.txt" and hits[0].release.date == "2020-03-12"
    for h in hits:
        assert h.release.body[h.chunk.start:h.chunk.end] == h.chunk.text
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


def test_second_run_with_nothing_changed_embeds_nothing(tmp_path, corpus):
    build_index([corpus], tmp_path / "idx", CountingEmbedder(), CHUNKS)
    before = (tmp_path / "idx" / "CURRENT").read_text()
    emb = CountingEmbedder()
    report = build_index([corpus], tmp_path / "idx", emb, CHUNKS)
    assert not report.written and emb.calls == [] and report.unchanged == 3
    assert (tmp_path / "idx" / "CURRENT").read_text() == before


def test_incremental_update_embeds_only_changes(tmp_path, corpus):
    build_index([corpus], tmp_path / "idx", CountingEmbedder(), CHUNKS)
    first_ids = set(_chunk_ids(tmp_path / "idx"))
    write_release(corpus, "a.txt", body("Luton town centre", 2))        # changed
    (corpus / "b.txt").unlink()                                         # removed
    write_release(corpus, "d.txt", body("Leighton Buzzard", 2))         # added
    emb = CountingEmbedder()
    report = build_index([corpus], tmp_path / "idx", emb, CHUNKS)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 1, 1)
    idx = Index(tmp_path / "idx")
    assert sum(emb.calls) == report.chunks_embedded < report.chunks
    assert len(idx) == idx.store.count("chunks") == report.chunks
    assert {r.id for r in idx.store.releases()} == {"a.txt", "d.txt", "sub/c.txt"}
    new_ids = set(_chunk_ids(tmp_path / "idx")) - first_ids
    assert new_ids and min(new_ids) > max(first_ids)  # FAISS ids are never reused
    hits = idx.search_vector(emb.embed(["Leighton Buzzard arrests"])[0], 3)
    assert hits[0].release.id == "d.txt"
    assert all(h.release.id != "b.txt" for h in idx.search_vector(emb.embed(["Dunstable"])[0], 20))


def _chunk_ids(index_dir):
    folder = generations.current(index_dir)
    return [r[0] for r in sqlite3.connect(folder / "meta.sqlite").execute("SELECT id FROM chunks")]


def test_other_model_or_dimension_must_rebuild(tmp_path, corpus):
    build_index([corpus], tmp_path / "idx", HashEmbedder(64), CHUNKS)
    with pytest.raises(IndexMismatchError, match="rebuild"):
        build_index([corpus], tmp_path / "idx", HashEmbedder(32), CHUNKS)
    with pytest.raises(IndexMismatchError, match="dimension 64"):
        Index(tmp_path / "idx").check(HashEmbedder(32))
    with pytest.raises(IndexMismatchError, match="chunks of 48/8"):
        build_index([corpus], tmp_path / "idx", HashEmbedder(64), ChunkerSettings(64, 8))
    report = build_index([corpus], tmp_path / "idx", HashEmbedder(32), CHUNKS, rebuild=True)
    assert report.added == 3 and Index(tmp_path / "idx").manifest.dim == 32


def test_crash_mid_save_leaves_previous_index_loadable(tmp_path, corpus, monkeypatch):
    build_index([corpus], tmp_path / "idx", HashEmbedder(64), CHUNKS)
    write_release(corpus, "e.txt", body("Ampthill"))

    def boom(self, path):
        path.write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(FaissFlatIndex, "save", boom)
    with pytest.raises(OSError):
        build_index([corpus], tmp_path / "idx", HashEmbedder(64), CHUNKS)
    monkeypatch.undo()
    idx = Index(tmp_path / "idx")
    assert {r.id for r in idx.store.releases()} == {"a.txt", "b.txt", "sub/c.txt"}
    report = build_index([corpus], tmp_path / "idx", HashEmbedder(64), CHUNKS)
    assert report.added == 1
    gens = [p.name for p in (tmp_path / "idx").iterdir() if p.name.startswith("gen-")]
    assert len(gens) == 1  # the half-written generation was cleaned up


def test_bad_files_are_reported_not_fatal(tmp_path, corpus):
    (corpus / "bin.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (corpus / "empty.txt").write_text("")
    report = build_index([corpus], tmp_path / "idx", HashEmbedder(64), CHUNKS)
    assert report.added == 3
    assert {s.path.split("/")[-1] for s in report.skipped} >= {"bin.txt", "empty.txt"}
    assert all(s.reason for s in report.skipped)
    assert Index(tmp_path / "idx").store.skipped() == sorted(report.skipped, key=lambda s: s.path)


def test_missing_or_damaged_index(tmp_path):
    with pytest.raises(IndexUnavailable, match="rag index"):
        Index(tmp_path / "nothing")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "CURRENT").write_text("gen-000009\n")
    with pytest.raises(IndexUnavailable, match="damaged"):
        Index(tmp_path / "bad")
