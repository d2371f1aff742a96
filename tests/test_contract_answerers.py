"""One contract for every answerer in the registry (model: txtai's one test base per backend
family): the registered ones -- extractive, local (the bundled model), openai (against a
real HTTP server on loopback) -- and a scripted fake registered through the same registry.

An answer's citations quote their release exactly, every ``[n]`` in the text resolves to a
citation, a refusal carries no citations, ``stream`` ends with the same checked answer, and
``rewrite`` gives something to search for.
"""
from __future__ import annotations

import pytest

from rag.answer import ANSWERERS, REFUSAL_TEXT, Answerer, ExtractiveAnswerer, Rewrite, get_answerer
from rag.answer.llm import LLMAnswerer
from rag.config import OpenAIConfig
from rag.models import Answer
from rag.registry import registered
from rag.text.markers import cited_numbers
from ui_support import KNIVES, KNIVES_ID, build_pipeline

QUESTIONS = [
    KNIVES,                                                                   # a count, one release
    "Which release announced the Dallow Cares campaign? Give its title and date.",  # a lookup
    "What is the capital of France?",                                         # not in the releases
]


class ScriptedChat:
    """A chat backend that always says the same: one supported claim, one invented source."""

    name = "scripted"

    def stream(self, messages):
        yield from ["Officers seized 10 knives ", "in Luton parks [1]. ", "The mayor resigned [7]."]


def scripted(embedder=None, settings=None) -> LLMAnswerer:
    return LLMAnswerer(ScriptedChat(), fallback=ExtractiveAnswerer(embedder))


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory, real_embedder, llm_server):
    llm_server.mode, llm_server.deltas = "sse", ["Officers seized ", "10 knives in Luton parks [1]."]
    return build_pipeline(tmp_path_factory.mktemp("contract-idx"), real_embedder,
                          openai=OpenAIConfig(base_url=llm_server.base_url, model="fake"))


@pytest.fixture(scope="module", params=[*ANSWERERS.names(), "scripted"])
def answerer(request, pipeline):
    if request.param == "scripted":
        with registered(ANSWERERS, "scripted", scripted):
            yield get_answerer("scripted", embedder=pipeline.embedder, settings=pipeline.settings)
        return
    yield pipeline.answerer(request.param)


@pytest.fixture(scope="module")
def answers(answerer, pipeline):
    return {q: answerer.answer(q, pipeline.search(q)) for q in QUESTIONS}


def test_is_an_answerer(answerer):
    assert isinstance(answerer, Answerer) and answerer.name and isinstance(answerer.streams, bool)


@pytest.mark.parametrize("question", QUESTIONS)
def test_citations_quote_their_release_exactly(answers, pipeline, question):
    for c in answers[question].citations:
        release = pipeline.index.release(c.release_id)
        assert release is not None and release.body[c.start:c.end] == c.quote, c
        assert (c.title, c.date) == (release.title, release.date)


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_marker_resolves_and_sources_are_numbered_in_order(answers, question):
    answer = answers[question]
    numbers = [c.n for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    assert set(cited_numbers(answer.text)) <= set(numbers), answer.text


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_refusal_has_no_citations(answers, question):
    answer = answers[question]
    assert isinstance(answer, Answer)
    if answer.refused:
        assert answer.citations == () and answer.text == REFUSAL_TEXT
    else:
        assert answer.citations and cited_numbers(answer.text)


def test_what_the_releases_do_not_say_is_refused(answers):
    assert answers["What is the capital of France?"].refused


def test_the_counted_thing_is_answered_from_its_release(answers, answerer):
    answer = answers[KNIVES]
    assert not answer.refused and "10" in answer.text, (answerer.name, answer)
    assert KNIVES_ID in {c.release_id for c in answer.citations}


def test_stream_ends_with_the_checked_answer(answerer, answers, pipeline):
    items = list(answerer.stream(KNIVES, pipeline.search(KNIVES)))
    assert isinstance(items[-1], Answer) and all(isinstance(i, str) for i in items[:-1])
    assert answerer.streams or len(items) == 1
    # The same answer as before, up to its wording: temperature 0, but llama.cpp reuses the KV cache of
    # the previous prompt, and logits computed over another batch split can flip a near-tied token
    # (seen in CI: the model's own sentence once, the quoted release sentence the next time).
    assert "10 knives" in items[-1].text and "10 knives" in answers[KNIVES].text
    assert {c.release_id for c in items[-1].citations} == {c.release_id for c in answers[KNIVES].citations}


def test_rewrite_gives_a_standalone_question(answerer):
    out = answerer.rewrite("And how many arrests did they make?", [KNIVES])
    assert isinstance(out, Rewrite) and out.search.strip() and out.reads.strip()
