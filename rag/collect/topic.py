"""Whether a release is about a count's or list's topic, scored by a fitted model.

The word runs (``rag.collect.match``: every run of the topic's content words in one sentence)
decide well when a topic is a phrase releases use ("human trafficking"), and find nothing when
it is described ("deed theft - people accused of stealing homes with forged deeds"). Here each
release of the question's sources and window that holds a word of the topic or of the question
(``Criteria.words``) gets features that carry across topics (:data:`GROUPS`): whether the word
runs hold, the share of the topic's words (weighted by their IDF over whole releases) in the
title, the lead, the best sentence and the whole body, the same for the question's words, the
whole-release BM25 score, and each share against the window's best. A logistic regression
fitted on the counts and lists of the count-and-case sets (``bench/fit_topic_match.py``: a
release on the question's gold list is a positive, each set held out in turn, feature groups
dropped by backward elimination) scores it; releases at or above the fitted threshold match.
The weights ship as ``topic_weights.json`` beside this file, naming the features they read.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import ConfigError
from ..fitted import LinearModel, logit, read_weights
from ..models import Release
from ..text.sentences import split_sentences
from ..text.tokenize import bm25_tokens
from . import feedback
from .criteria import topic_runs
from .match import holds_run, lead_span, lead_spans, sentence_stems, stems_hold_topic

__all__ = ["FEATURES", "GROUPS", "MAX_CANDIDATES", "TopicModel", "WEIGHTS", "about_topic", "best_sentence",
           "candidate_ids", "load_topic", "scored_releases", "topic_features"]

WEIGHTS = Path(__file__).with_name("topic_weights.json")
SCRIPT = "bench/fit_topic_match.py"
MAX_CANDIDATES = 400  # releases of the window read, best whole-release BM25 first
LEAD_SENTENCES = 3

GROUPS = {  # feature groups, each left out in turn by the fit
    "runs": ("runs_sentence", "head_sentence", "head_title"),
    "coverage": ("title_cov", "lead_cov", "sentence_cov", "body_cov"),
    "bm25": ("bm25_rel", "bm25_rank"),
    "length": ("topic_words",),
    "question": ("q_title_cov", "q_lead_cov", "q_sentence_cov", "q_body_cov", "q_bm25_rel"),
    "relative": ("title_cov_rel", "sentence_cov_rel", "body_cov_rel", "q_sentence_cov_rel", "q_body_cov_rel"),
}
FEATURES = tuple(f for group in GROUPS.values() for f in group)


def _words(runs) -> list[tuple[str, ...]]:
    """The topic's words, each as its alternative stems, once each."""
    return list(dict.fromkeys(word for run in runs for word in run))


def _share(tokens: set[str], words, weights) -> float:
    total = sum(weights)
    return sum(w for word, w in zip(words, weights) if any(t in tokens for t in word)) / total if total else 0.0


def _has_words(tokens: set[str], runs) -> bool:
    """Whether ``tokens`` (a sentence's) hold a stem of every word of ``runs``, as holding them as runs
    needs: only such sentences are read for the runs (most of a window's are not)."""
    return all(any(stem in tokens for stem in word) for run in runs for word in run)


def topic_features(release: Release, runs, weights, bm25_rel: float, rank: int,
                   qruns=(), qweights=(), q_bm25_rel: float = 0.0) -> list[float]:
    """One row of :data:`FEATURES` for ``release``; ``weights`` are the IDFs of ``_words(runs)``,
    ``qruns``/``qweights`` the same for the question's words (``Criteria.words``)."""
    words, qwords = _words(runs), _words(qruns)
    stems = sentence_stems(release.body)  # each sentence tokenized once
    tokens = [set(t) for t in stems]
    at = {span: i for i, span in enumerate(split_sentences(release.body))}
    lead_tokens = set().union(*(tokens[at[span]] for span in lead_spans(release, LEAD_SENTENCES)))
    title_stems = bm25_tokens(release.title)
    title_tokens = set(title_stems)
    body = set().union(*tokens) if tokens else set()
    head = runs[0] if runs else ()
    return [float(any(stems_hold_topic(t, runs) for t, has in zip(stems, tokens) if _has_words(has, runs))
                  or stems_hold_topic(title_stems, runs)),
            float(bool(head) and any(holds_run(t, head) for t, has in zip(stems, tokens) if _has_words(has, (head,)))),
            float(bool(head) and holds_run(title_stems, head)),
            _share(title_tokens, words, weights), _share(lead_tokens, words, weights),
            max((_share(t, words, weights) for t in tokens), default=0.0), _share(body, words, weights),
            bm25_rel, math.log1p(rank), math.log(len(words)) if words else 0.0,
            _share(title_tokens, qwords, qweights), _share(lead_tokens, qwords, qweights),
            max((_share(t, qwords, qweights) for t in tokens), default=0.0), _share(body, qwords, qweights),
            q_bm25_rel]


def idf_weights(lexical, runs) -> list[float]:
    """Each topic word's IDF over whole releases (its rarest alternative), for ``_share``."""
    return [max(lexical.release_idf(t) for t in word) for word in _words(runs)]


def _relative(scores: list[tuple[str, float]]) -> dict[str, float]:
    top = scores[0][1] if scores else 1.0
    return {rid: s / top for rid, s in scores}


def candidate_ids(lexical, runs, words: str = "") -> set[str]:
    """Ids of the releases of the index holding a word of the topic (``runs``) or of the
    question's ``words``: the only ones ``scored_releases`` can score (narrow the window's store
    query with them)."""
    if not runs:
        return set()
    wanted = [t for word in _words(runs) + _words(topic_runs(words)) for t in word]
    return lexical.releases_with([wanted]) or set()


def scored_releases(releases: list[Release], lexical, topic: str, runs, words: str = "") -> list[tuple[Release, list[float]]]:
    """(release, features) for ``releases`` (one window's releases holding a word of the topic or
    of the question's ``words``: see ``candidate_ids``), at most ``MAX_CANDIDATES``, best
    whole-release BM25 (of both together) first."""
    by_id = {r.id: r for r in releases}
    if not by_id or not runs:
        return []
    allowed = list(by_id)
    qruns = topic_runs(words)
    ranked = lexical.search_releases(f"{topic} {words}", min(len(allowed), MAX_CANDIDATES), allowed=allowed)
    kept = [rid for rid, _ in ranked]
    cue = _relative(lexical.search_releases(topic, len(kept), allowed=kept))
    asked = _relative(lexical.search_releases(words, len(kept), allowed=kept)) if words else {}
    weights, qweights = idf_weights(lexical, runs), idf_weights(lexical, qruns)
    rows = [topic_features(by_id[rid], runs, weights, cue.get(rid, 0.0), rank, qruns, qweights, asked.get(rid, 0.0))
            for rank, rid in enumerate(kept)]
    return [(by_id[rid], row) for rid, row in zip(kept, _with_relative(rows))]


_RELATIVE = [FEATURES.index(f[:-4]) for f in GROUPS["relative"]]


def _with_relative(rows: list[list[float]]) -> list[list[float]]:
    """Each row with ``GROUPS["relative"]`` appended: the feature over its best in the window."""
    tops = [max(row[i] for row in rows) or 1.0 for i in _RELATIVE]
    return [row + [row[i] / top for i, top in zip(_RELATIVE, tops)] for row in rows]


@dataclass(frozen=True)
class TopicModel:
    """The fitted model (over a subset of :data:`FEATURES`, named in its JSON) and its threshold."""

    model: LinearModel
    threshold: float

    def _columns(self, rows: list[list[float]]) -> list[list[float]]:
        cols = [FEATURES.index(f) for f in self.model.features]
        return [[row[i] for i in cols] for row in rows]

    def logits(self, rows: list[list[float]]) -> list[float]:
        return self.model.logits(self._columns(rows))

    def probabilities(self, rows: list[list[float]]) -> list[float]:
        return self.model.predict(self._columns(rows))


@lru_cache(maxsize=4)
def load_topic(path: str = str(WEIGHTS)) -> TopicModel:
    """The shipped (or given) fitted topic model; a ``ConfigError`` when it reads a feature this
    version does not compute."""
    data = read_weights(path, "topic match", SCRIPT)
    unknown = [f for f in data["features"] if f not in FEATURES]
    if unknown:
        raise ConfigError(f"{Path(path).name} reads feature {unknown[0]!r}, which this version does not compute "
                          f"(it computes {list(FEATURES)}): refit with {SCRIPT}")
    return TopicModel(LinearModel.from_dict(data), float(data["threshold"]))


def best_sentence(release: Release, runs, words: str = "") -> tuple[int, int]:
    """The body sentence that shows the topic: the first holding every run, else the one holding
    the largest share of the topic's and the question's words (the lead on ties)."""
    spans, stems = split_sentences(release.body), sentence_stems(release.body)
    for (start, end), sentence in zip(spans, stems):
        if stems_hold_topic(sentence, runs):
            return start, end
    wanted = _words(runs) + _words(topic_runs(words))
    if not spans or not wanted:
        return lead_span(release)
    lead = lead_span(release)
    scored = [(_share(set(sentence), wanted, [1.0] * len(wanted)), (s, e) == lead, (s, e))
              for (s, e), sentence in zip(spans, stems)]
    return max(scored, key=lambda x: (x[0], x[1], -x[2][0]))[2]


def about_topic(releases: list[Release], lexical, criteria, model: TopicModel | None = None,
                second_look: bool = True) -> list[Release]:
    """The releases of ``releases`` (one window) the fitted model scores at or above its
    threshold as being about ``criteria``'s topic -- with ``second_look`` and ``feedback.FEEDBACK``,
    as its second look decides (``rag.collect.feedback``) -- in the order given."""
    model = model or load_topic()
    scored = scored_releases(releases, lexical, criteria.topic, criteria.runs, criteria.words)
    if not scored:
        return []
    logits = model.logits([x for _, x in scored])
    if second_look and feedback.FEEDBACK:
        runs = [x[FEATURES.index("runs_sentence")] for _, x in scored]
        kept = feedback.load_feedback().keep([r for r, _ in scored], logits, model.threshold, runs)
    else:
        cut = logit(model.threshold)
        kept = [z >= cut for z in logits]
    keep = {r.id for (r, _), k in zip(scored, kept) if k}
    return [r for r in releases if r.id in keep]
