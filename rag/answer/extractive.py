"""The no-LLM answerer: quote the best-matching sentences of the top passages.

For one question and the hits (best first):

1. Grounding. The specific things the question names (quoted phrases, numbers
   and case numbers, capitalised names; see ``terms.py``) must each occur in at
   least one release of the top ``top_k`` hits (title, body, source, date, URL),
   else refuse. When there are any, only the releases naming the most of them
   supply sentences, so the answer is about what was asked.
2. Candidates. Every sentence (exact release-body span, ``sentences.py``) that
   overlaps a passage; a sentence cut by a chunk edge is taken whole from the
   body. Overlapping chunks yield each span once; ALL-CAPS headlines and
   sentences under three words are dropped.
3. Support (the evidence score, in [0, 1]) of a sentence =
   ``dense_weight * cos(question, title + sentence)`` (one embedder batch;
   clipped at 0) ``+ (1 - dense_weight) * lexical`` ``- form penalties``.
   ``lexical`` is the IDF-weighted share of the question's content terms found
   in the sentence, IDF taken over the candidates, so a question word found in
   no passage weighs most; the words of a multi-word name count as one term
   matched by any of them, and a name found only elsewhere in the sentence's
   release earns half its weight ("the defendant" there is likely the person
   asked about); a question's acronym also matches the initials of capitalised
   words ("DCI" - "Detective Chief Inspector"). Penalties: 0.2 for a fragment
   (headline or caption: no closing punctuation, unless a list item), 0.1 for a sentence that only
   restates the question (under two content words of its own). Without an
   embedder, support is lexical minus penalties. ``hit.score`` is never used.
   A question asking which release says a quoted phrase ("which release quotes
   'We cannot arrest our way out of this'?") gives a sentence holding that phrase
   verbatim support 1.0: it is the evidence asked for, whatever the other words.
4. Refuse when the best support is below ``min_support`` (0.40: on a hand-made
   set of 37 answerable and 29 unanswerable questions over 229 us-prosecutors
   releases, with the real model, the 14 unanswerable ones that got past
   grounding peaked at 0.36; 35 of the 37 answerable ones scored 0.42 or more).
   Sentences with support ``>= max(min_support, min_relative * best)`` are
   eligible for the answer.
5. Answer shape. "How many/much/long/old" must be answered by a sentence with a
   number; a question opening with "when" (or asking "what date/year") by one
   with a date or time. If no eligible sentence has that shape, refuse;
   otherwise the best-ranked one with it leads.
6. Compose: the lead (else the best-ranked eligible sentence), then up to
   ``max_sentences - 1`` more eligible ones that are not near-duplicates (stem
   Jaccard >= 0.6 or cosine >= 0.92), by rank. Rank is support plus nudges that
   never affect refusal: +0.05 when the sentence holds what the question asks
   for (a number, a date, a name for "who"), -0.01 per retriever position. The
   lead comes first, the rest follow by release, in body order; each quoted
   sentence is its own source ``[n]``, n = 1, 2, ... in text order.
"""
from __future__ import annotations

import bisect
import math
import re
import time
from dataclasses import dataclass, replace
from numbers import Real
from typing import Sequence

import numpy as np

from ..embedding import Embedder
from ..errors import ConfigError
from ..models import Answer, Citation, Hit, Release
from .base import refusal
from .sentences import chunk_span as _chunk_span, split_sentences
from .asked import REQUIRED_SHAPES, answer_type, has_shape
from .terms import Haystack, Mention, acronyms, content_stems, question_mentions, stem
from ..retrieval.query import phrase_pattern, quoted_phrases

TYPE_BONUS = 0.05
FRAGMENT_PENALTY = 0.2
RESTATE_PENALTY = 0.1
RANK_PENALTY = 0.01
DUPLICATE_JACCARD = 0.6
DUPLICATE_COSINE = 0.92
MIN_WORDS = 3

# "Which release announced ...? Give its title and date." asks for the release itself
_LOOKUP = re.compile(r"\b(which|what)\b[^?.]{0,60}\b(release|announcement|statement|press|news)\b|"
                     r"\b(its|the) (title|headline)\b", re.I)
_CLOSED = re.compile(r"[.!?…][\"'”’)\]]*$")
_MARKER = re.compile(r"\[(\d+)\]")
_BULLET = re.compile(r"(?:[*•·▪‣◦-]|\d{1,2}[.)])\s+\w")  # a list item states a fact unpunctuated
_URL_END = re.compile(r"(https?://|www\.)\S+$|\S+@\S+\.\w+$")


@dataclass
class Scored:
    """One candidate sentence and its scores (``rank`` returns these, best first)."""

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


def _check_fraction(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0.0 <= float(value) <= 1.0:
        raise ConfigError(f"{name} must be a number between 0 and 1, got {value!r}")
    return float(value)


def _check_count(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return value


def collect_candidates(hits: Sequence[Hit]) -> list[Scored]:
    """Whole sentences overlapping each passage, in hit order, each span once."""
    spans_by_release: dict[str, list[tuple[int, int]]] = {}
    seen: set[tuple[str, int, int]] = set()
    out: list[Scored] = []
    for pos, hit in enumerate(hits):
        span = _chunk_span(hit)
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
            out.append(Scored(pos, release, s, e, text, frozenset(content_stems(text)), fragment))
    return out


def question_terms(question: str, mentions: Sequence[Mention]) -> list[tuple[frozenset[str], bool]]:
    """The question's content stems as match groups, each flagged True when it is a
    name. A group is one stem, except that the words of a multi-word name form one
    group matched by any of them (a sentence saying "Millrow" is about "Teantre
    Deshe Millrow")."""
    groups: dict[frozenset[str], bool] = {}
    grouped: set[str] = set()
    for m in mentions:
        if m.kind == "name":
            g = frozenset(stem(t) for t in m.tokens if len(t) > 1)
            if g:
                groups.setdefault(g, True)
                grouped |= g
    for t in content_stems(question):
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


def form_penalty(c: Scored, question_stems: frozenset[str]) -> float:
    """Evidence lost by a sentence's form: headlines, captions and other fragments
    (no closing punctuation, unless it ends in a web address or ends the release)
    and sentences that only restate the question (under two content words of
    their own)."""
    penalty = FRAGMENT_PENALTY if c.fragment else 0.0
    if len(c.stems - question_stems) < 2:
        penalty += RESTATE_PENALTY
    return penalty


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _stacks(hits: Sequence[Hit]) -> dict[str, Haystack]:
    stacks: dict[str, Haystack] = {}
    for hit in hits:
        r = hit.release
        if r.id not in stacks:
            stacks[r.id] = Haystack(r.title, r.body, r.source, r.date, url=r.url)
    return stacks


def _missing(mentions: Sequence[Mention], stacks: Sequence[Haystack]) -> list[Mention]:
    return [m for m in mentions if m.required and not any(h.contains(m) for h in stacks)]


class ExtractiveAnswerer:
    """Answers with the retrieved sentences that best match the question, cited."""

    name = "extractive"

    def __init__(
        self,
        embedder: Embedder | None = None,
        *,
        max_sentences: int = 3,
        min_support: float = 0.40,
        top_k: int = 5,
        dense_weight: float = 0.6,
        min_relative: float = 0.75,
    ):
        if embedder is not None and not callable(getattr(embedder, "embed", None)):
            raise ConfigError(f"embedder must have an embed() method, got {embedder!r}")
        self.embedder = embedder
        self.max_sentences = _check_count("max_sentences", max_sentences, 1, 10)
        self.min_support = _check_fraction("min_support", min_support)
        self.top_k = _check_count("top_k", top_k, 1, 100)
        self.dense_weight = _check_fraction("dense_weight", dense_weight)
        self.min_relative = _check_fraction("min_relative", min_relative)

    def __repr__(self) -> str:
        emb = getattr(self.embedder, "name", None)
        return (f"ExtractiveAnswerer(embedder={emb!r}, max_sentences={self.max_sentences}, "
                f"min_support={self.min_support}, top_k={self.top_k})")

    def answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        t0 = time.perf_counter()
        timings: dict[str, float] = {}

        def done(result_text: str | None, note: str, citations: tuple[Citation, ...] = ()) -> Answer:
            timings["answer"] = (time.perf_counter() - t0) * 1000.0
            if result_text is None:
                return refusal(self.name, note, timings)
            return Answer(result_text, False, citations, self.name, dict(timings), note)

        question = (question or "").strip()
        if not question:
            return done(None, "empty question")
        top = list(hits)[: self.top_k]
        if not top:
            return done(None, "no passages were retrieved")

        mentions = question_mentions(question)
        stacks = _stacks(top)
        missing = _missing(mentions, list(stacks.values()))
        if missing:
            names = ", ".join(repr(m.text) for m in missing)
            return done(None, f"not in the retrieved releases: {names}")
        required = [m for m in mentions if m.required]
        if required:  # only the releases naming the most of what the question names
            named = {rid: sum(stack.contains(m) for m in required) for rid, stack in stacks.items()}
            most = max(named.values())
            top = [h for h in top if named[h.release.id] == most]

        cands, vecs = self.rank(question, top, timings)
        if not cands:
            return done(None, "no sentences in the retrieved passages")
        top_support = max(c.support for c in cands)
        if top_support < self.min_support:
            return done(None, f"weak evidence: best support {top_support:.2f} < {self.min_support:.2f}")
        floor = max(self.min_support, self.min_relative * top_support)
        eligible = [i for i, c in enumerate(cands) if c.support >= floor]
        kind = answer_type(question)
        if kind in REQUIRED_SHAPES:
            eligible = [i for i in eligible if has_shape(kind, cands[i].text)]
            if not eligible:
                what = "number" if kind == "quantity" else "date or time"
                return done(None, f"no well-supported sentence states a {what} (best support {top_support:.2f})")
        picked = [eligible[0]]
        for i, c in enumerate(cands):
            if len(picked) >= self.max_sentences:
                break
            if c.support < floor or i in picked:
                continue
            if any(_jaccard(c.stems, cands[j].stems) >= DUPLICATE_JACCARD for j in picked):
                continue
            if vecs is not None and any(float(vecs[i] @ vecs[j]) >= DUPLICATE_COSINE for j in picked):
                continue
            picked.append(i)
        chosen = [cands[i] for i in picked]
        text, citations = compose(chosen)
        if _LOOKUP.search(question):
            head = chosen[0].release
            text = f"The release is “{head.title}” ({head.date or 'undated'}): {text}"
        return replace(done(text, f"best support {top_support:.2f}", citations), confidence=top_support)

    def missing(self, question: str, hits: Sequence[Hit]) -> list[str]:
        """What the question names (people, places, numbers) that none of the top hits'
        releases contains: a sign the releases do not answer it."""
        stacks = _stacks(list(hits)[: self.top_k])
        return [m.text for m in _missing(question_mentions((question or "").strip()), list(stacks.values()))]

    def rank(self, question: str, hits: Sequence[Hit], timings: dict[str, float] | None = None):
        """Candidate sentences of ``hits``, scored and sorted best first, with their
        unit vectors in the same order (None without an embedder)."""
        cands = collect_candidates(hits)
        if not cands:
            return [], None
        terms = question_terms(question, question_mentions(question))
        release_stems: dict[str, frozenset[str]] = {}
        for c in cands:
            if c.release.id not in release_stems:
                r = c.release
                release_stems[r.id] = frozenset(content_stems(f"{r.title}\n{r.body}"))
        lex = lexical_scores(terms, [c.stems | acronyms(c.text) for c in cands],
                             [release_stems[c.release.id] for c in cands])
        dense = [0.0] * len(cands)
        w = self.dense_weight if self.embedder is not None else 0.0
        vecs = None
        if w > 0:
            t1 = time.perf_counter()
            texts = [f"{c.release.title.strip()}\n{c.text}" if c.release.title.strip() else c.text for c in cands]
            vecs = np.asarray(self.embedder.embed([question] + texts), dtype=np.float32)
            if timings is not None:
                timings["embed"] = (time.perf_counter() - t1) * 1000.0
            dense = [float(x) for x in np.clip(vecs[1:] @ vecs[0], 0.0, 1.0)]
            vecs = vecs[1:]
        q_stems = frozenset(t for g, _ in terms for t in g)
        kind = answer_type(question)
        quoted = [phrase_pattern(p) for p in quoted_phrases(question)] if _LOOKUP.search(question) else []
        for c, d, x in zip(cands, dense, lex):
            c.dense, c.lexical = d, x
            c.support = round(max(0.0, w * d + (1 - w) * x - form_penalty(c, q_stems)), 6)
            if quoted and any(pattern.search(c.text) for pattern in quoted):
                c.support = 1.0  # the very words the lookup asks about
            nudge = (TYPE_BONUS if has_shape(kind, c.text) else 0.0) - RANK_PENALTY * c.hit_pos
            c.rank_score = round(c.support + nudge, 6)
        order = sorted(range(len(cands)), key=lambda i: (-cands[i].rank_score, cands[i].hit_pos, cands[i].start))
        return [cands[i] for i in order], (vecs[order] if vecs is not None else None)


def compose(chosen: Sequence[Scored]) -> tuple[str, tuple[Citation, ...]]:
    """Best sentence first, then the others by release (first seen first) in body order;
    each sentence gets its own source number."""
    head, rest = chosen[0], list(chosen[1:])
    release_order = {head.release.id: 0}
    for c in rest:
        release_order.setdefault(c.release.id, len(release_order))
    rest.sort(key=lambda c: (release_order[c.release.id], c.start))
    parts: list[str] = []
    citations: list[Citation] = []
    for n, c in enumerate([head] + rest, start=1):
        shown = _MARKER.sub(r"(\1)", " ".join(c.text.split()))  # keep [n] ours alone
        parts.append(f"{shown} [{n}]")
        r = c.release
        citations.append(Citation(n, r.id, r.title, r.date, r.url, c.start, c.end, r.body[c.start:c.end]))
    return " ".join(parts), tuple(citations)
