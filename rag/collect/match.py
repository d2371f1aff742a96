"""Whether a release's sentences hold a count's topic as word runs (pure; ``rag.collect.find``
reads the store).

The word runs: a release holds the topic when one sentence of its title or body holds every
topic run: each run's stems in order, at
most ``MAX_GAP`` index tokens apart ("sentenced to life in prison without the possibility of
parole" holds "life without parole"), or failing that in any order within the run's length plus
``MAX_GAP`` ("convicted of capital murder" holds "capital murder convictions"). The body is the
stored one, after boilerplate removal, so navigation and "related posts" text never counts.
``text_key``: what two copies of one release share, so that they count once.
"""
from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass, field
from functools import lru_cache

from ..models import Release
from ..text.sentences import split_sentences
from ..text.tokenize import bm25_tokens
from .criteria import Criteria

__all__ = ["MAX_GAP", "MIN_WORDS", "Match", "Matches", "holds_run", "holds_topic", "lead_span", "lead_spans",
           "sentence_stems", "stems_hold_topic", "text_key", "topic_span"]

MAX_GAP = 3  # index tokens (stop words already dropped) allowed between two words of a run


@dataclass(frozen=True)
class Match:
    """A matching release and the passage that shows it matches (``start``/``end`` in its body;
    the title matched when ``in_title``). ``duplicate_of``: the id of the release with the
    same text (or, when ``translation``, the same release in another language) that counts instead."""

    release: Release
    start: int
    end: int
    in_title: bool = False
    duplicate_of: str | None = None
    translation: bool = False


@dataclass(frozen=True)
class Matches:
    criteria: Criteria
    matches: tuple[Match, ...]
    undated: tuple[Match, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def counted(self) -> tuple[Match, ...]:
        """The matches that count (duplicates and translations left out), in date order."""
        return tuple(m for m in self.matches if m.duplicate_of is None)


def holds_run(stems: list[str], run) -> bool:
    """Whether ``stems`` hold ``run`` (one tuple of alternative stems per word) in order, each
    word at most ``MAX_GAP`` tokens after the one before."""
    for i, tok in enumerate(stems):
        if tok not in run[0]:
            continue
        at, ok = i, True
        for want in run[1:]:
            nxt = next((j for j in range(at + 1, min(len(stems), at + 2 + MAX_GAP)) if stems[j] in want), None)
            if nxt is None:
                ok = False
                break
            at = nxt
        if ok:
            return True
    return False


def _holds_words(stems: list[str], run) -> bool:
    """Whether ``stems`` hold every word of ``run`` in any order within ``len(run) + MAX_GAP``
    tokens ("convicted of capital murder" holds "capital murder convictions")."""
    width = len(run) + MAX_GAP
    for i in range(len(stems)):
        window = stems[i:i + width]
        if all(any(t in want for t in window) for want in run):
            return True
    return False


UNORDERED = True  # a run's words may come in another order (bench/collect.py measures it)


@lru_cache(maxsize=1024)
def sentence_stems(body: str) -> tuple[tuple[str, ...], ...]:
    """The index stems of each sentence of ``body`` (``split_sentences``' spans, in order), remembered for
    the last bodies read: a count's or a case's window (at most ``topic.MAX_CANDIDATES`` releases) is
    read for its features, then again for the sentence each match shows, and a server meets the same
    releases again. Stems are interned; 1024 remembered releases of the shared corpora took 7.8 MB."""
    return tuple(tuple(map(sys.intern, bm25_tokens(body[s:e]))) for s, e in split_sentences(body))


def holds_topic(text: str, runs) -> bool:
    """Whether ``text`` (one sentence) holds every run (see the module's doc)."""
    return stems_hold_topic(bm25_tokens(text), runs)


def stems_hold_topic(stems: list[str], runs) -> bool:
    """``holds_topic`` for a sentence already split into index stems."""
    return all(holds_run(stems, run) or (UNORDERED and len(run) > 1 and _holds_words(stems, run)) for run in runs)


MIN_WORDS = 8  # a lead sentence is a sentence, not a dateline, a heading or the title again


def lead_spans(release: Release, limit: int = 15) -> list[tuple[int, int]]:
    """The first ``limit`` sentences of the body that say more than the title: of at least
    ``MIN_WORDS`` words, not the title (or its opening) again."""
    title = " ".join(release.title.lower().split())
    out = []
    for start, end in split_sentences(release.body)[:limit]:
        said = " ".join(release.body[start:end].lower().split())
        if len(said.split()) >= MIN_WORDS and said not in title and not said.startswith(title[:40]):
            out.append((start, end))
    return out


def lead_span(release: Release) -> tuple[int, int]:
    """The lead: the first of ``lead_spans``, else the first sentence, else (0, 0)."""
    spans = lead_spans(release, 15) or split_sentences(release.body)[:1]
    return spans[0] if spans else (0, 0)


def topic_span(release: Release, runs) -> tuple[int, int, bool] | None:
    """(start, end, in_title) of the first body sentence of ``release`` holding the topic (the
    lead when only its title does, or when there is no topic); None when it does not hold it."""
    if runs:
        for (start, end), stems in zip(split_sentences(release.body), sentence_stems(release.body)):
            if stems_hold_topic(stems, runs):
                return start, end, False
        if not holds_topic(release.title, runs):
            return None
    return (*lead_span(release), bool(runs))


def text_key(release: Release) -> str:
    """What two copies of one release share: their sentences (``lead_spans``, all of them), in
    lower case with whitespace collapsed; datelines and headings left out, so a release posted
    again on another day is the same."""
    said = [release.body[s:e] for s, e in lead_spans(release, limit=10_000)] or [release.body]
    return hashlib.sha1(" ".join(" ".join(said).split()).lower().encode("utf-8")).hexdigest()
