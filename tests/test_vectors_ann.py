"""Index type chosen by size, recorded in the manifest, kept across incremental updates."""
import numpy as np
import pytest

from conftest import write_release
from rag.chunking import ChunkerSettings
from rag.embedding import HashEmbedder
from rag.errors import ConfigError
from rag.index import Index, build_index
from rag.index import vector_registry as registry
from rag.index.ann import FaissIVFIndex, auto_nlist
from rag.index.vector_registry import all_vectors, choose_index, fit_index, new_vector_index
from rag.index.vectors import FaissFlatIndex, NumpyIndex

CHUNKS = ChunkerSettings(48, 8)


def clustered(n, dim=32, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, dim))
    x = centres[rng.integers(0, 20, n)] + 0.5 * rng.normal(size=(n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_choice_by_size_and_override():
    assert choose_index(1000, 384) == "faiss-flat"
    assert choose_index(registry.FLAT_MAX, 384) == "faiss-flat"
    assert choose_index(registry.FLAT_MAX + 1, 384) == "faiss-ivf-sq8"
    assert choose_index(50_000_000, 384) == "faiss-ivf-sq8"  # PQ (recall ~0.5) is never chosen for you
    assert choose_index(10, 384, "faiss-ivf-flat") == "faiss-ivf-flat"
    with pytest.raises(ConfigError, match="auto or one of faiss-flat"):
        choose_index(10, 384, "hnsw")


def test_nlist_grows_with_size():
    assert auto_nlist(10) == 1
    assert [auto_nlist(n) for n in (10_000, 1_000_000, 5_000_000)] == [128, 1024, 2048]


def test_ivf_recall_and_filtered_search_on_clustered_data():
    x = clustered(6000)
    ids = np.arange(6000) + 10
    ivf, ref = FaissIVFIndex(32, "faiss-ivf-sq8"), NumpyIndex(32)
    ivf.add(ids, x)
    ref.add(ids, x)
    q = clustered(50, seed=1)
    got, want = ivf.search(q, 10)[1], ref.search(q, 10)[1]
    assert np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, want)]) >= 0.95
    allowed = ids[::50]  # 2% of the index: every bucket is scanned, the result is exact
    got, want = ivf.search(q, 5, allowed=allowed)[1], ref.search(q, 5, allowed=allowed)[1]
    assert np.mean([len(set(a) & set(b)) / 5 for a, b in zip(got, want)]) >= 0.95


def test_all_vectors_reads_back_every_type():
    x = clustered(500, dim=16)
    for name in ("faiss-flat", "faiss-ivf-flat", "faiss-ivf-sq8"):
        idx = new_vector_index(name, 16)
        idx.add(np.arange(500) * 3, x)
        idx.remove([0, 3])
        ids, vectors = all_vectors(idx)
        order = np.argsort(ids)
        assert ids[order].tolist() == (np.arange(2, 500) * 3).tolist()
        # SQ8 keeps each number in 8 bits over its range (within [-1, 1]): an error of at most
        # one step, 2/255 = 0.0078 (flat types decode exactly)
        np.testing.assert_allclose(vectors[order], x[2:], atol=2 / 255)


def test_fit_index_converts_across_the_threshold(monkeypatch):
    monkeypatch.setattr(registry, "FLAT_MAX", 300)
    x = clustered(400, dim=16)
    flat = FaissFlatIndex(16)
    flat.add(np.arange(200), x[:200])
    assert fit_index(flat, len(flat)) is flat
    flat.add(np.arange(200, 400), x[200:])
    ivf = fit_index(flat, len(flat))
    assert ivf.name == "faiss-ivf-sq8" and len(ivf) == 400 and ivf.trained_on == 400
    ivf.remove(range(260))  # 140 left: under half the threshold -> flat again
    back = fit_index(ivf, len(ivf))
    assert back.name == "faiss-flat" and len(back) == 140
    grown = FaissIVFIndex(16)
    grown.add(np.arange(400), x)
    grown.add(np.arange(400, 2000), clustered(1600, dim=16, seed=2))
    retrained = fit_index(grown, len(grown))  # 5x what its buckets were trained on
    assert retrained is not grown and retrained.trained_on == 2000


def test_build_records_the_index_type_and_updates_incrementally(tmp_path, monkeypatch):
    root = tmp_path / "corpus"
    for i in range(12):
        write_release(root, f"r{i}.txt", " ".join(f"Case {i} in town {i} had {j} arrests and a trial." for j in range(12)))
    emb = HashEmbedder(64)
    idx_dir = tmp_path / "idx"
    build_index([root], idx_dir, emb, CHUNKS)
    index = Index(idx_dir)
    assert index.manifest.vector_index == "faiss-flat" and index.manifest.vector_params == {}
    assert index.manifest.embed_variant == ""  # the hash embedder has no variant

    monkeypatch.setattr(registry, "FLAT_MAX", 10)
    build_index([root], idx_dir, emb, CHUNKS, rebuild=True)
    index = Index(idx_dir)
    assert index.manifest.vector_index == "faiss-ivf-sq8" and isinstance(index.vectors, FaissIVFIndex)
    params = index.manifest.vector_params
    assert params["nlist"] >= 1 and params["nprobe"] >= 1 and params["trained_on"] == index.manifest.chunks
    assert params["factory"].startswith("IVF")
    hits = index.search_vector(emb.embed(["Case 3 in town 3 arrests"])[0], 3)
    assert hits and hits[0].release.id == "r3.txt"

    (root / "r3.txt").unlink()
    report = build_index([root], idx_dir, emb, CHUNKS)
    index = Index(idx_dir)
    assert report.removed == 1 and index.manifest.vector_index == "faiss-ivf-sq8"
    assert len(index) == index.manifest.chunks
    hits = index.search_vector(emb.embed(["Case 3 in town 3 arrests"])[0], 50)
    assert all(h.release.id != "r3.txt" for h in hits)


def test_build_indexes_release_dates_and_upgrades_an_index_without(tmp_path):
    """Date filters ('last week') look releases up by date: indexed (25 ms -> 0.1 ms a query on 8.6k releases)."""
    import sqlite3

    from rag.index import generations

    root = tmp_path / "corpus"
    for i in range(3):
        write_release(root, f"r{i}.txt", f"Case {i} went to trial and ended in a verdict.", date=f"2024-0{i + 1}-10")
    idx_dir = tmp_path / "idx"
    emb = HashEmbedder(64)
    build_index([root], idx_dir, emb, CHUNKS)

    def has_date_index():
        db = sqlite3.connect(generations.current(idx_dir) / "meta.sqlite")
        try:
            return bool(db.execute("SELECT 1 FROM sqlite_master WHERE name = 'releases_date'").fetchall())
        finally:
            db.close()

    assert has_date_index()
    db = sqlite3.connect(generations.current(idx_dir) / "meta.sqlite")
    db.execute("DROP INDEX releases_date")  # an index built before this change
    db.commit()
    db.close()
    report = build_index([root], idx_dir, emb, CHUNKS)
    assert report.written and report.chunks_embedded == 0 and has_date_index()
    assert not build_index([root], idx_dir, emb, CHUNKS).written
