"""The extractive answerer's contract beyond single cases: any question gives a well-formed answer, bad
settings are refused quoting the value, the registry, and one run with the real embedder."""
from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.answer import ANSWERERS, REFUSAL_TEXT, Answerer, ExtractiveAnswerer, get_answerer
from rag.config import ExtractiveConfig
from rag.errors import ConfigError
from rag.models import Answer, Hit, Release
from test_answer_extractive import (REPO, R_KINGS, R_LUTON, R_ORANGE, check_citations, hits_for, paragraph_chunks,
                                    release)

WORDS = st.sampled_from(
    "how many knives seized Luton parks who sentenced John Smith Maria Lopez years prison "
    "what when where did the was in for Flatbush shooting embezzling police 10 15 2023 DA "
    "France capital arrests patrols Kiff said “quoted” ? , .".split())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(WORDS, min_size=1, max_size=12).map(" ".join), st.integers(1, 4))
def test_any_question_gives_a_well_formed_answer(hash_embedder, question, max_sentences):
    hits = hits_for(R_LUTON, R_KINGS, R_ORANGE)
    ans = ExtractiveAnswerer(hash_embedder, max_sentences=max_sentences, top_k=20).answer(question, hits)
    if ans.refused:
        assert ans.text == REFUSAL_TEXT and ans.citations == ()
    else:
        # max_sentences chosen by the reader, then up to more_sentences of the lead's release (by support:
        # the reader's best sentence when it is not among them, one more; rag/config.py ExtractiveConfig)
        assert 1 <= len(ans.citations) <= max_sentences + max(1, ExtractiveConfig().more_sentences)
        check_citations(ans, hits)


@pytest.mark.parametrize(
    "kwargs, bad",
    [
        ({"max_sentences": 0}, "0"),
        ({"max_sentences": "3"}, "'3'"),
        ({"max_sentences": True}, "True"),
        ({"min_support": 1.5}, "1.5"),
        ({"min_support": -0.1}, "-0.1"),
        ({"min_support": "high"}, "'high'"),
        ({"top_k": 0}, "0"),
        ({"dense_weight": 2}, "2"),
        ({"min_relative": None}, "None"),
        ({"embedder": "minilm"}, "'minilm'"),
    ],
)
def test_constructor_rejects_bad_values_quoting_them(kwargs, bad):
    with pytest.raises(ConfigError) as err:
        ExtractiveAnswerer(**kwargs)
    assert bad in str(err.value)
    assert next(iter(kwargs)) in str(err.value)


def test_registry():
    assert "extractive" in ANSWERERS
    a = get_answerer("extractive", max_sentences=2)
    assert isinstance(a, ExtractiveAnswerer) and isinstance(a, Answerer)
    assert a.name == "extractive" and a.max_sentences == 2
    with pytest.raises(ConfigError) as err:
        get_answerer("gpt-9")
    assert "'gpt-9'" in str(err.value)
    for name in ANSWERERS:
        assert name in str(err.value)
    with pytest.raises(ConfigError) as err:
        get_answerer("extractive", temperature=0.2)
    assert "temperature" in str(err.value)


# -- the real model ---------------------------------------------------------------

def bundled_luton() -> Release:
    raw = (REPO / "corpus" / "000_0fc0534938e8ed63.txt").read_text(encoding="utf-8")
    m = re.match(r"\s*date (\d{4}-\d\d-\d\d) ", raw)
    assert m, "bundled release lost its ' date YYYY-MM-DD ' header"
    return release("000_0fc0534938e8ed63.txt", raw[m.end():].strip(), "", m.group(1))


def test_real_model_luton_release(real_embedder):
    r = bundled_luton()
    chunks = paragraph_chunks(r)
    vecs = real_embedder.embed([c.text for c in chunks])
    answerer = ExtractiveAnswerer(real_embedder)

    def ask(question: str) -> tuple[Answer, list[Hit]]:
        scores = vecs @ real_embedder.embed([question])[0]
        order = np.argsort(-scores, kind="stable")[:5]
        hits = [Hit(chunks[i], r, float(scores[i]), n + 1) for n, i in enumerate(order)]
        return answerer.answer(question, hits), hits

    ans, hits = ask("How many knives were seized in Luton parks?")
    assert not ans.refused, ans.note
    assert "10" in ans.text
    check_citations(ans, hits)
    assert ans.citations[0].release_id == r.id
    assert "10 knives" in ans.citations[0].quote

    for question in ("What is the capital of France?",
                     "What sentence did the Orange County DA announce for Marisol Quintanilla-Brandt?",
                     "What is the boiling point of water?"):
        ans, _ = ask(question)
        assert ans.refused, (question, ans.text)
