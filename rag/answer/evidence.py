"""Evidence ranking: which sentences of the retrieved passages answer the question.

A component of its own (``SentenceRanker``), used by the extractive answerer to choose what
to quote and by the LLM answerers to choose what the model reads and when to decline.

1. Grounding (``missing``). The specific things the question names (quoted phrases, numbers
   and case numbers, capitalised names; see ``rag.question.mentions``) must each occur in
   at least one release of the top ``top_k`` hits (title, body, source, date, URL).
2. Candidates. Every sentence (exact release-body span, ``rag.text.sentences``) that
   overlaps a passage; a sentence cut by a chunk edge is taken whole from the body.
   Overlapping chunks yield each span once; ALL-CAPS headlines and sentences under three
   words are dropped, and so is every sentence ``rag.text.injection.unsafe`` names (one that
   speaks to a model, asks for bank details, or carries a link the question did not ask for).
3. Support (the evidence score, in [0, 1]) of a sentence =
   ``dense_weight * cos(question, title + sentence)`` (one embedder batch; clipped at 0)
   ``+ (1 - dense_weight) * lexical`` ``- form penalties``. ``lexical`` is the IDF-weighted
   share of the question's content terms found in the sentence, IDF taken over the
   candidates, so a question word found in no passage weighs most; the words of a
   multi-word name count as one term matched by any of them, and a name found only
   elsewhere in the sentence's release earns half its weight ("the defendant" there is
   likely the person asked about); a question's acronym also matches the initials of
   capitalised words ("DCI" - "Detective Chief Inspector"). Penalties: 0.2 for a fragment
   (headline or caption: no closing punctuation, unless a list item), 0.1 for a sentence
   that only restates the question (under two content words of its own). Without an
   embedder, support is lexical minus penalties. ``hit.score`` is never used. A question
   asking which release says a quoted phrase gives a sentence holding that phrase verbatim
   support 1.0: it is the evidence asked for, whatever the other words.
4. Rank = support plus nudges that never affect refusal: +0.05 when the sentence holds what
   the question asks for (a number, a date, a name for "who"), -0.01 per retriever position.
"""
from __future__ import annotations

import bisect
import math
import re
import time
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..config import EvidenceConfig
from ..embedding import Embedder
from ..errors import ConfigError
from ..models import Hit, Release, uncut_title
from ..question import Question, as_question
from ..question.asked import REQUIRED_SHAPES, has_shape
from ..question.mentions import Mention, acronyms, missing_mentions, release_texts
from ..text.injection import unsafe
from ..text.quotes import phrase_pattern
from ..text.sentences import split_sentences
from ..text.stem import suffix_stem as stem
from ..text.tokenize import content_stems

TYPE_BONUS = 0.05
FRAGMENT_PENALTY = 0.2
RESTATE_PENALTY = 0.1
RANK_PENALTY = 0.01
MIN_WORDS = 3

_CLOSED = re.compile(r"[.!?…][\"'”’)\]]*$")
_BULLET = re.compile(r"(?:[*•·▪‣◦-]|\d{1,2}[.)])\s+\w")  # a list item states a fact unpunctuated
_URL_END = re.compile(r"(https?://|www\.)\S+$|\S+@\S+\.\w+$")


@dataclass
class Candidate:
    """One candidate sentence of a retrieved passage and its scores (``rank`` returns these,
    best first)."""

    hit_pos: int
    release: Release
    start: int
    end: int
    text: str
    stems: frozenset[str]
    fragment: bool = False  # a headline or caption rather than a sentence
    dense: float = 0.0
    lexical: float = 0.0
    support: float = 0.0
    rank_score: float = 0.0




def collect_candidates(hits: Sequence[Hit]) -> list[Candidate]:
    """Whole sentences overlapping each passage, in hit order, each span once."""
    spans_by_release: dict[str, list[tuple[int, int]]] = {}
    seen: set[tuple[str, int, int]] = set()
    out: list[Candidate] = []
    for pos, hit in enumerate(hits):
        span = hit.span()
        if span is None:
            continue
        release = hit.release
        spans = spans_by_release.get(release.id)
        if spans is None:
            spans = spans_by_release[release.id] = split_sentences(release.body)
        lo = bisect.bisect_right(spans, (span[0], math.inf))
        lo = max(0, lo - 1)
        for s, e in spans[lo:]:
            if s >= span[1]:
                break
            if e <= span[0] or (release.id, s, e) in seen:
                continue
            seen.add((release.id, s, e))
            text = release.body[s:e]
            if len(text.split()) < MIN_WORDS or not any(ch.islower() for ch in text):
                continue  # too short to answer, or an ALL-CAPS headline
            fragment = not (_CLOSED.search(text) or _URL_END.search(text) or _BULLET.match(text)
                            or not release.body[e:].strip())
            out.append(Candidate(pos, release, s, e, text, frozenset(content_stems(text)), fragment))
    return out


def question_terms(question: Question) -> list[tuple[frozenset[str], bool]]:
    """The question's content stems as match groups, each flagged True when it is a
    name. A group is one stem, except that the words of a multi-word name form one
    group matched by any of them (a sentence saying "Millrow" is about "Teantre
    Deshe Millrow")."""
    groups: dict[frozenset[str], bool] = {}
    grouped: set[str] = set()
    for m in question.mentions:
        if m.kind == "name":
            g = frozenset(stem(t) for t in m.tokens if len(t) > 1)
            if g:
                groups.setdefault(g, True)
                grouped |= g
    for t in question.stems:
        if t not in grouped:
            groups.setdefault(frozenset([t]), False)
    return list(groups.items())


def lexical_scores(terms: Sequence[tuple[frozenset[str], bool]], candidates: Sequence[frozenset[str]],
                   contexts: Sequence[frozenset[str]] | None = None) -> list[float]:
    """IDF-weighted share of the question's term groups found in each candidate;
    IDF is over the candidates, so a term found nowhere weighs most. A name found
    not in the sentence but in its release (``contexts``) earns half its weight:
    "the defendant" in a release about John Smith is probably John Smith."""
    if not terms or not candidates:
        return [0.0] * len(candidates)
    n = len(candidates)
    found = [[not g.isdisjoint(c) for c in candidates] for g, _ in terms]
    weights = [math.log(1.0 + (n + 1) / (sum(f) + 1)) for f in found]
    total = sum(weights)
    scores = []
    for i in range(n):
        score = 0.0
        for (g, is_name), w, f in zip(terms, weights, found):
            if f[i]:
                score += w
            elif is_name and contexts is not None and not g.isdisjoint(contexts[i]):
                score += 0.5 * w
        scores.append(score / total)
    return scores


def form_penalty(c: Candidate, question_stems: frozenset[str]) -> float:
    """Evidence lost by a sentence's form: headlines, captions and other fragments
    (no closing punctuation, unless it ends in a web address or ends the release)
    and sentences that only restate the question (under two content words of
    their own)."""
    penalty = FRAGMENT_PENALTY if c.fragment else 0.0
    if len(c.stems - question_stems) < 2:
        penalty += RESTATE_PENALTY
    return penalty







class SentenceRanker:
    """Scores and ranks the sentences of retrieved passages for one question (see the module
    doc); ``missing`` tells what the question names that the top releases do not contain."""

    def __init__(self, embedder: Embedder | None = None, config: EvidenceConfig | None = None, reader=None):
        if embedder is not None and not callable(getattr(embedder, "embed", None)):
            raise ConfigError(f"embedder must have an embed() method, got {embedder!r}")
        self.embedder = embedder
        self.config = config or EvidenceConfig()
        self.reader = reader  # the fitted reader (reader.py): which sentence holds the asked fact

    def best(self, question: Question, cands: Sequence[Candidate], probs: Sequence[float] | None = None) -> int | None:
        """The index of the reader's best candidate of the shape the question requires (a number
        for "how many", a date for "when"), or None without a reader or such a candidate;
        ``probs``: the reader's probabilities when already computed."""
        if self.reader is None or not cands:
            return None
        kind = question.answer_type
        shaped = [i for i, c in enumerate(cands) if kind not in REQUIRED_SHAPES or has_shape(kind, c.text)]
        if not shaped:
            return None
        if probs is None:
            probs = self.reader.probabilities(question, cands)
        return max(shaped, key=lambda i: (probs[i], -i))

    def lead_first(self, question: Question, cands: list[Candidate]) -> list[Candidate]:
        """``cands`` (best first by rank) with the reader's best moved to the front."""
        best = self.best(question, cands)
        return cands if best is None else [cands[best]] + cands[:best] + cands[best + 1:]

    def top(self, hits: Sequence[Hit]) -> list[Hit]:
        """The hits whose releases are read: the first ``top_k``."""
        return list(hits)[: self.config.top_k]

    def missing(self, question: Question | str, hits: Sequence[Hit]) -> list[Mention]:
        """What the question names (people, places, numbers) that none of the top hits'
        releases contains: a sign the releases do not answer it."""
        q = as_question(question)
        return missing_mentions(q.mentions, list(release_texts(self.top(hits)).values()))

    def ground(self, question: Question | str, hits: Sequence[Hit]) -> tuple[list[Mention], list[Hit]]:
        """What the question names that the top hits' releases lack, and the top hits to read:
        when it names anything, only those of the releases naming the most of it."""
        q = as_question(question)
        top = self.top(hits)
        texts = release_texts(top)
        missing = missing_mentions(q.mentions, list(texts.values()))
        required = q.required_mentions
        if required and not missing:
            named = {rid: sum(text.contains(m) for m in required) for rid, text in texts.items()}
            most = max(named.values())
            top = [h for h in top if named[h.release.id] == most]
        return missing, top

    def release_support(self, question: Question | str, cands: Sequence[Candidate]) -> tuple[Release, float] | None:
        """For a question asking which release: the candidate release best supported as a whole, and
        that support - the sentence formula over the release (dense: its best sentence's; lexical:
        the IDF-weighted share of the question's terms found anywhere in its title and body, IDF over
        the candidate releases). A lookup describes a release, and its details are spread over the
        release's sentences rather than gathered in one. None without candidates."""
        q = as_question(question)
        releases: dict[str, Release] = {}
        dense: dict[str, float] = {}
        for c in cands:
            releases.setdefault(c.release.id, c.release)
            dense[c.release.id] = max(dense.get(c.release.id, 0.0), c.dense)
        if not releases:
            return None
        ids = list(releases)
        stems = [frozenset(content_stems(f"{releases[r].title}\n{releases[r].body}")) for r in ids]
        lex = lexical_scores(question_terms(q), stems)
        w = self.config.dense_weight if self.embedder is not None else 0.0
        scored = [(round(max(0.0, w * dense[r] + (1 - w) * x), 6), -i) for i, (r, x) in enumerate(zip(ids, lex))]
        support, neg = max(scored)
        return releases[ids[-neg]], support

    def rank(self, question: Question | str, hits: Sequence[Hit],
             timings: dict[str, float] | None = None) -> tuple[list[Candidate], np.ndarray | None]:
        """Candidate sentences of ``hits``, scored and sorted best first, with their
        unit vectors in the same order (None without an embedder)."""
        q = as_question(question)
        # release text is data: a sentence speaking to a model, asking for bank details or carrying
        # a link the question did not ask for is never evidence (rag.text.injection)
        cands = [c for c in collect_candidates(hits) if not unsafe(c.text, q.text)]
        if not cands:
            return [], None
        terms = question_terms(q)
        release_stems: dict[str, frozenset[str]] = {}
        for c in cands:
            if c.release.id not in release_stems:
                r = c.release
                release_stems[r.id] = frozenset(content_stems(f"{r.title}\n{r.body}"))
        lex = lexical_scores(terms, [c.stems | acronyms(c.text) for c in cands],
                             [release_stems[c.release.id] for c in cands])
        dense = [0.0] * len(cands)
        w = self.config.dense_weight if self.embedder is not None else 0.0
        vecs = None
        if w > 0:
            t1 = time.perf_counter()
            texts = [f"{uncut_title(c.release.title)}\n{c.text}" if uncut_title(c.release.title) else c.text
                     for c in cands]
            vecs = np.asarray(self.embedder.embed([q.text] + texts), dtype=np.float32)
            if timings is not None:
                timings["embed"] = (time.perf_counter() - t1) * 1000.0
            dense = [float(x) for x in np.clip(vecs[1:] @ vecs[0], 0.0, 1.0)]
            vecs = vecs[1:]
        q_stems = frozenset(t for g, _ in terms for t in g)
        kind = q.answer_type
        quoted = [phrase_pattern(p) for p in q.quoted_phrases] if q.asks_for_release else []
        for c, d, x in zip(cands, dense, lex):
            c.dense, c.lexical = d, x
            c.support = round(max(0.0, w * d + (1 - w) * x - form_penalty(c, q_stems)), 6)
            if quoted and any(pattern.search(c.text) for pattern in quoted):
                c.support = 1.0  # the very words the lookup asks about
            nudge = (TYPE_BONUS if has_shape(kind, c.text) else 0.0) - RANK_PENALTY * c.hit_pos
            c.rank_score = round(c.support + nudge, 6)
        order = sorted(range(len(cands)), key=lambda i: (-cands[i].rank_score, cands[i].hit_pos, cands[i].start))
        return [cands[i] for i in order], (vecs[order] if vecs is not None else None)
