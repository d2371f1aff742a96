"""rag.collect.match.sentence_stems: the remembered stems of a release's sentences equal tokenizing each
sentence, and the topic match's users (topic_span, topic.best_sentence, topic.topic_features) read them."""
from __future__ import annotations

from rag.collect.criteria import topic_runs
from rag.collect.match import holds_topic, sentence_stems, topic_span
from rag.collect.topic import best_sentence
from rag.models import Release
from rag.text.sentences import split_sentences
from rag.text.tokenize import bm25_tokens

BODY = ("BROOKLYN - A man was sentenced today to 20 years in prison. He pleaded guilty to gun trafficking "
        "in March.\n\nThe District Attorney said that the guns came from Georgia. Related posts: gun buyback.")


def test_sentence_stems_are_each_sentence_tokenized():
    spans = split_sentences(BODY)
    assert sentence_stems(BODY) == tuple(tuple(bm25_tokens(BODY[s:e])) for s, e in spans)
    assert len(sentence_stems(BODY)) == len(spans) == 4
    assert sentence_stems(BODY) is sentence_stems(BODY)  # remembered, not recomputed
    assert sentence_stems("") == ()


def test_topic_span_and_best_sentence_agree_with_tokenizing_each_sentence():
    release = Release(id="r1", title="Man sentenced", date="2025-04-01", url=None, source="kings_ny", body=BODY, path="r1")
    runs = topic_runs("gun trafficking")
    want = next((s, e) for s, e in split_sentences(BODY) if holds_topic(BODY[s:e], runs))
    assert topic_span(release, runs) == (*want, False)
    assert best_sentence(release, runs) == want
    assert BODY[slice(*want)].startswith("He pleaded guilty to gun trafficking")
    nowhere = topic_runs("price gouging")
    assert topic_span(release, nowhere) is None
