"""Qdrant behind the vector-index seam, on real engines: the Qdrant engine in-process
(``qdrant-edge``), qdrant-client's local mode (``qdrant`` without a URL) and, when ``QDRANT_URL`` is
set, a real Qdrant server. The VectorIndex contract itself (against the numpy reference) runs for
both types in tests/test_vectors.py; here: whole indexes of the bundled corpus searched like FAISS,
an update that leaves the generation being read whole, settings, and errors."""
import os
import shutil

import numpy as np
import pytest

from conftest import BUNDLED
from rag.config import VectorIndexConfig
from rag.errors import IndexUnavailable

QDRANT_KINDS = ["qdrant-edge", "qdrant"]
QUESTIONS = ["How many knives were seized in Luton parks?", "What is the Dallow Cares campaign?",
             "How did the inspectorate rate Bedfordshire Police's work with children?",
             "burglaries during the winter months", "serious and organised crime rating"]


def pipeline_for(tmp_path, embedder, kind, corpus=BUNDLED):
    from rag.pipeline import Pipeline, index_corpus
    from rag.settings import Settings

    settings = Settings(index_dir=str(tmp_path / kind), corpus=str(corpus), vectors=VectorIndexConfig(kind=kind))
    index_corpus(settings, embedder=embedder)
    return Pipeline(settings, embedder=embedder)


@pytest.fixture(scope="module")
def faiss_pipeline(tmp_path_factory, real_embedder):
    return pipeline_for(tmp_path_factory.mktemp("faiss"), real_embedder, "faiss-flat")


@pytest.mark.parametrize("kind", QDRANT_KINDS)
def test_a_qdrant_index_searches_like_faiss(kind, tmp_path, real_embedder, faiss_pipeline):
    pipe = pipeline_for(tmp_path, real_embedder, kind)
    assert pipe.index.vectors.name == kind and len(pipe.index) == len(faiss_pipeline.index) > 0
    # both compute float32 dot products of unit vectors: they may differ by the rounding bound
    bound = 384 * float(np.finfo(np.float32).eps)
    for question in QUESTIONS:
        q = real_embedder.embed([question])
        got = {(h.release.id, h.chunk.seq): h.score
               for h in pipe.index.search_vector(q, 10)}
        want = {(h.release.id, h.chunk.seq): h.score
                for h in faiss_pipeline.index.search_vector(q, 10)}
        assert got.keys() == want.keys(), question  # the bundled passages have no near-ties at rank 10
        for key in got:
            assert abs(got[key] - want[key]) <= bound, (question, key)
        # and the whole retriever (dense + BM25 + rerank) ranks the same passages
        assert [h.chunk.text for h in pipe.search(question, 5)] == [
            h.chunk.text for h in faiss_pipeline.search(question, 5)]
    answer, _ = pipe.ask(QUESTIONS[0])
    assert "10 knives" in answer.text


@pytest.mark.parametrize("kind", QDRANT_KINDS)
def test_filters_are_pushed_down_to_qdrant_and_match_faiss(kind, tmp_path, real_embedder, faiss_pipeline):
    from rag.retrieval import Filters

    pipe = pipeline_for(tmp_path, real_embedder, kind)
    dated = sorted(r.date for r in faiss_pipeline.index.store.releases_where(dated=True))
    cases = [Filters(sources=("bedfordshire",)), Filters(date_from=dated[1], date_to=dated[-1]),
             Filters(date_from=dated[0], date_to=dated[0]), Filters(release_ids=("002_eb340d827de47128.txt",)),
             Filters(sources=("nowhere",))]
    for filters in cases:
        pipe.index.vectors.last_filter = ""
        for question in QUESTIONS[:3]:
            got = [(h.release.id, h.chunk.seq) for h in pipe.search(question, 5, filters)]
            want = [(h.release.id, h.chunk.seq) for h in faiss_pipeline.search(question, 5, filters)]
            assert got == want, (filters, question)
        # the payload conditions went to Qdrant, not a list of ids (no source "nowhere": no search at all)
        assert pipe.index.vectors.last_filter == ("" if filters.sources == ("nowhere",) else "payload")


@pytest.mark.parametrize("kind", QDRANT_KINDS)
def test_an_update_leaves_the_generation_being_read_whole(kind, tmp_path, real_embedder):
    from rag.index import Index
    from rag.pipeline import index_corpus

    corpus = tmp_path / "releases"
    shutil.copytree(BUNDLED, corpus)
    first = sorted(p.name for p in corpus.glob("*.txt"))
    (corpus / first[-1]).unlink()
    pipe = pipeline_for(tmp_path, real_embedder, kind, corpus=corpus)
    where = pipe.settings.vectors.qdrant(pipe.settings.index_dir)
    reader = Index(pipe.settings.index_dir, qdrant=where)
    before = len(reader)
    q = real_embedder.embed([QUESTIONS[0]])
    seen = reader.vectors.search(q, 5)

    shutil.copy(BUNDLED / first[-1], corpus / first[-1])
    (corpus / first[0]).unlink()
    report = index_corpus(pipe.settings, embedder=real_embedder)
    assert report.written and report.releases == len(first) - 1
    after = Index(pipe.settings.index_dir, qdrant=where)
    assert after.folder != reader.folder and len(after) != before
    assert len(reader) == before  # the reader's generation is untouched by the update
    for a, b in zip(reader.vectors.search(q, 5), seen):
        np.testing.assert_array_equal(a, b)
    ids = {int(i) for i in after.vectors.search(q, 50)[1].ravel() if i >= 0}
    assert ids <= set(after.store.chunks(list(ids)))  # every vector found belongs to a chunk of its generation


def test_qdrant_settings_come_from_the_environment(tmp_path, monkeypatch):
    from rag.settings import load_settings

    monkeypatch.chdir(tmp_path)  # no rag.toml here

    env = {"QDRANT_URL": "http://qdrant.internal:6333", "QDRANT_COLLECTION": "newsroom", "QDRANT_API_KEY": "k"}
    s = load_settings(env=env)
    assert s.vectors.qdrant("idx") == {"url": "http://qdrant.internal:6333", "path": "", "collection": "newsroom",
                                       "api_key": "k"}
    local = load_settings(env={}).vectors.qdrant(str(tmp_path / "idx"))
    assert local["url"] == "" and local["path"] == str(tmp_path / "idx" / "qdrant-local")


def test_an_unreachable_server_is_a_one_line_error():
    from fake_openai_server import dead_port
    from rag.index.vector_registry import new_vector_index

    url = f"http://127.0.0.1:{dead_port()}"
    with pytest.raises(IndexUnavailable) as exc:
        new_vector_index("qdrant", 8, {"url": url, "collection": "t"})
    assert str(exc.value).startswith(f"Qdrant at {url}: ") and "\n" not in str(exc.value)


def test_server_collections_of_replaced_generations_are_dropped_a_build_later(tmp_path, real_embedder):
    """Each build keeps its own collection and the one it replaced (readers may still be on it), and
    drops the older ones its index made; a collection of another index on the same server stays."""
    import json
    from pathlib import Path

    from rag.index import generations
    from rag.index.build import VECTORS
    from rag.index.qdrant import LEDGER, _client, collection_of
    from rag.index.vector_registry import new_vector_index
    from rag.pipeline import index_corpus

    corpus = tmp_path / "releases"
    shutil.copytree(BUNDLED, corpus)
    pipe = pipeline_for(tmp_path, real_embedder, "qdrant", corpus=corpus)
    index_dir = Path(pipe.settings.index_dir)
    where = pipe.settings.vectors.qdrant(index_dir)
    other = new_vector_index("qdrant", real_embedder.dim, where)  # another index's collection, same prefix
    seen = [collection_of(generations.current(index_dir) / VECTORS)]
    for f in sorted(corpus.glob("*.txt"))[:2]:
        f.unlink()
        assert index_corpus(pipe.settings, embedder=real_embedder).written
        seen.append(collection_of(generations.current(index_dir) / VECTORS))
    names = {c.name for c in _client(where["url"], where["path"], where["api_key"]).get_collections().collections}
    assert len(set(seen)) == 3 and all(seen)
    assert seen[0] not in names and {seen[1], seen[2], other.collection} <= names
    assert json.loads((index_dir / LEDGER).read_text()) == sorted(seen[1:])


@pytest.mark.skipif(not os.environ.get("QDRANT_URL"), reason="QDRANT_URL is not set: no real Qdrant server to test")
def test_a_real_server(tmp_path):
    from rag.index.vector_registry import load_vector_index, new_vector_index
    from rag.index.vectors import NumpyIndex

    rng = np.random.default_rng(5)
    vecs = rng.normal(size=(300, 16)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    where = {"url": os.environ["QDRANT_URL"], "api_key": os.environ.get("QDRANT_API_KEY", ""),
             "collection": "press-rag-test"}
    idx, ref = new_vector_index("qdrant", 16, where), NumpyIndex(16)
    idx.add(np.arange(300), vecs)
    ref.add(np.arange(300), vecs)
    idx.remove(range(0, 300, 4))
    ref.remove(range(0, 300, 4))
    q = vecs[:3]
    np.testing.assert_array_equal(idx.search(q, 5)[1], ref.search(q, 5)[1])
    idx.save(tmp_path / "vectors.faiss")
    back = load_vector_index(tmp_path / "vectors.faiss", idx.params, where)
    assert len(back) == len(ref) and (back.search(q, 5, allowed=[1, 2, 3])[1][:, :3] >= 0).all()
