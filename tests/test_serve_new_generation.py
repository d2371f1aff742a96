"""A running pipeline (what `rag serve` holds) switches to a newer index generation between
requests, with no restart; a request keeps the generation it started with."""
from __future__ import annotations

from conftest import write_release
from rag.index import build_index, generations
from rag.pipeline import Pipeline, make_embedder
from rag.settings import Settings


def served(tmp_path):
    """A pipeline over a one-release index, and a function that adds a release and re-indexes."""
    root = tmp_path / "corpus"
    write_release(root, "a.txt", "Officers seized 12 knives in Luton parks on Friday.")
    settings = Settings(index_dir=str(tmp_path / "idx")).with_(embedder="hash")
    embedder = make_embedder(settings)
    build_index([root], settings.index_dir, embedder, settings.chunking)

    def add_bicycles():
        write_release(root, "b.txt", "Police recovered 40 stolen bicycles in Dunstable.")
        build_index([root], settings.index_dir, embedder, settings.chunking)  # what a second `rag index` does

    return Pipeline(settings, embedder=embedder), add_bicycles


def test_a_new_generation_is_served_after_rag_index(tmp_path):
    pipe, add_bicycles = served(tmp_path)
    first = pipe.refresh()
    assert [h.release.id for h in pipe.search("bicycles recovered in Dunstable")] == ["a.txt"]

    add_bicycles()
    hits = pipe.search("bicycles recovered in Dunstable")
    assert hits[0].release.id == "b.txt"  # no restart
    assert pipe.index.folder == generations.current(tmp_path / "idx") != first.index.folder
    # a request that started before the update reads its own generation to the end
    assert [h.release.id for h in pipe.search("bicycles", generation=first)] == ["a.txt"]
    answer, _ = pipe.ask("How many stolen bicycles were recovered in Dunstable?")
    assert "40" in answer.text


def test_a_damaged_new_generation_is_not_switched_to(tmp_path, monkeypatch):
    pipe, add_bicycles = served(tmp_path)
    old = pipe.index.folder
    add_bicycles()
    (generations.current(tmp_path / "idx") / "vectors.faiss").write_bytes(b"garbage")
    warned = []
    monkeypatch.setattr("rag.pipeline.log.warning", lambda msg, *args: warned.append(msg % args))
    assert pipe.search("knives")[0].release.id == "a.txt" and pipe.index.folder == old  # still serving the old one
    assert len(warned) == 1 and "cannot be loaded" in warned[0] and "vectors.faiss" in warned[0]
