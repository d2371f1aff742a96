"""The real model, real FAISS, the bundled corpus: the answers the product is judged on."""
import pytest

from conftest import BUNDLED
from rag.pipeline import Pipeline, index_corpus
from rag.settings import Settings


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory, real_embedder):
    settings = Settings(index_dir=str(tmp_path_factory.mktemp("idx")), corpus=str(BUNDLED))
    report = index_corpus(settings, embedder=real_embedder)
    assert report.added == 5 and not report.skipped
    return Pipeline(settings, embedder=real_embedder)


def test_knives_in_luton_parks(pipeline):
    answer, hits = pipeline.ask("How many knives were seized in Luton parks?")
    assert not answer.refused
    assert "10" in answer.text
    assert answer.citations
    first = answer.citations[0]
    assert first.date == "2022-04-12" and first.release_id == "000_0fc0534938e8ed63.txt"
    assert "10 knives" in first.quote
    release = pipeline.index.release(first.release_id)
    assert release.body[first.start:first.end] == first.quote
    assert "[1]" in answer.text
    assert {"retrieve", "answer", "total"} <= set(answer.timings_ms)


def test_capital_of_france_is_declined(pipeline):
    answer, _ = pipeline.ask("What is the capital of France?")
    assert answer.refused and not answer.citations


def test_search_finds_the_release_by_topic(pipeline):
    hits = pipeline.search("Dallow Cares campaign named by schoolchildren", 3)
    assert hits[0].release.id == "002_eb340d827de47128.txt"
    assert "Dallow" in hits[0].chunk.text


def test_real_chunks_fit_the_model_window(pipeline, real_embedder):
    """Embedded text (header + chunk) stays inside MiniLM's 256-wordpiece window."""
    tok = real_embedder.model.tokenizer
    over = 0
    total = 0
    for release in pipeline.index.store.releases():
        for c in pipeline.index.store.chunks_of(release.id):
            total += 1
            over += len(tok(c.embed_text(release.title, release.date))["input_ids"]) > 256
    assert total > 10 and over == 0


def test_follow_up_question_uses_the_conversation(pipeline):
    answer, hits = pipeline.ask("And how many arrests did they make?",
                                history=["How many knives were seized in Luton parks?"])
    assert hits[0].release.id == "000_0fc0534938e8ed63.txt"
    assert not answer.refused and "21" in answer.text
