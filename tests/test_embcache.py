"""The embedding cache: vectors keyed by embedder fingerprint and the exact text."""
import numpy as np
import pytest

from conftest import write_release
from rag.chunking import ChunkerSettings
from rag.embedding import HashEmbedder
from rag.index import build_index
from rag.index.embcache import CACHE_FILE, CachedEmbedder, EmbeddingCache, fingerprint

CHUNKS = ChunkerSettings(48, 8)


class Counting(HashEmbedder):
    def __init__(self, dim=64, variant="hash"):
        super().__init__(dim)
        self.variant = variant
        self.calls = []

    def embed(self, texts, *, progress=False):
        self.calls.append(list(texts))
        return super().embed(texts, progress=progress)

    @property
    def embedded(self):
        return sum(len(c) for c in self.calls)


def body(topic, n=6):
    return " ".join(f"Officers in {topic} made {i} arrests and seized {i} knives near the park." for i in range(n))


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    for name, town in (("a.txt", "Luton"), ("b.txt", "Dunstable"), ("c.txt", "Bedford")):
        write_release(root, name, body(town))
    return root


def test_hits_misses_and_duplicates(tmp_path):
    inner = Counting()
    cache = EmbeddingCache(tmp_path / "c.sqlite", fingerprint(inner), inner.dim)
    emb = CachedEmbedder(inner, cache)
    first = emb.embed(["alpha beta", "gamma", "alpha beta"])
    assert (emb.hits, emb.misses) == (1, 2) and inner.calls == [["alpha beta", "gamma"]]
    np.testing.assert_array_equal(first[0], first[2])
    again = emb.embed(["gamma", "delta", "alpha beta"])
    assert (emb.hits, emb.misses) == (3, 3) and inner.calls[-1] == ["delta"]
    np.testing.assert_array_equal(again[0], first[1])
    np.testing.assert_array_equal(again[2], first[0])
    np.testing.assert_allclose(again, HashEmbedder(64).embed(["gamma", "delta", "alpha beta"]))
    assert len(cache) == 3 and emb.name == inner.name and emb.dim == inner.dim and emb.variant == "hash"
    cache.close()


def test_key_includes_model_and_backend(tmp_path):
    a, b = Counting(variant="onnx-float32"), Counting(variant="onnx-int8")
    assert fingerprint(a) != fingerprint(b)
    path = tmp_path / "c.sqlite"
    CachedEmbedder(a, EmbeddingCache(path, fingerprint(a), 64)).embed(["same text"])
    other = CachedEmbedder(b, EmbeddingCache(path, fingerprint(b), 64))
    other.embed(["same text"])
    assert other.misses == 1 and b.calls == [["same text"]]
    same = Counting(variant="onnx-float32")
    again = CachedEmbedder(same, EmbeddingCache(path, fingerprint(same), 64))
    again.embed(["same text"])
    assert again.hits == 1 and same.calls == []


def test_rebuild_embeds_nothing_and_change_embeds_only_new_text(tmp_path, corpus):
    idx = tmp_path / "idx"
    first = Counting()
    report = build_index([corpus], idx, first, CHUNKS)
    assert report.cache_hits == 0 and report.cache_misses == report.chunks_embedded == report.chunks
    assert (idx / CACHE_FILE).is_file()

    rebuilt = Counting()
    report = build_index([corpus], idx, rebuilt, CHUNKS, rebuild=True)
    assert report.written and rebuilt.calls == [] and report.chunks_embedded == 0
    assert report.cache_hits == report.chunks

    # one release gains a sentence at the end: only chunks whose text changed go to the model
    write_release(corpus, "b.txt", body("Dunstable") + " A new closing sentence about the Dunstable raid.")
    changed = Counting()
    report = build_index([corpus], idx, changed, CHUNKS)
    assert report.updated == 1 and 0 < changed.embedded == report.chunks_embedded < report.chunks
    assert report.cache_hits > 0


def test_cache_can_be_turned_off(tmp_path, corpus):
    build_index([corpus], tmp_path / "idx", Counting(), CHUNKS, embed_cache="off")
    again = Counting()
    report = build_index([corpus], tmp_path / "idx", again, CHUNKS, rebuild=True, embed_cache="off")
    assert not (tmp_path / "idx" / CACHE_FILE).exists() and report.cache_hits == 0
    assert again.embedded == report.chunks


def test_cache_file_can_be_elsewhere(tmp_path, corpus):
    shared = str(tmp_path / "shared" / "vectors.sqlite")
    build_index([corpus], tmp_path / "one", Counting(), CHUNKS, embed_cache=shared)
    second = Counting()
    report = build_index([corpus], tmp_path / "two", second, CHUNKS, embed_cache=shared)
    assert second.calls == [] and report.cache_hits == report.chunks
