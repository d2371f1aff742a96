"""The no-LLM answerer: quote the best-matching sentences of the top passages.

For one question and the hits (best first), with the sentence ranker (``evidence.py``):

1. Grounding. What the question names must occur in a release of the top ``top_k`` hits,
   else refuse. When it names anything, only the releases naming the most of it supply
   sentences, so the answer is about what was asked.
2. Rank the candidate sentences (support in [0, 1], see ``evidence.py``).
3. Refuse when the best support is below ``min_support``. Sentences with support
   ``>= max(min_support, min_relative * best)`` are eligible for the answer.
4. Answer shape. "How many/much/long/old" must be answered by a sentence with a number; a
   question opening with "when" (or asking "what date/year") by one with a date or time. If
   no eligible sentence has that shape, refuse; otherwise the best-ranked one with it leads.
5. Compose (``compose``, default "reader"): the fitted reader's (``reader.py``) best sentence of
   the asked shape leads, then its next likeliest sentences that are not near-duplicates (stem
   Jaccard >= 0.6, or cosine >= 0.92 with another release's sentence), ``max_sentences`` in all; then up to
   ``more_sentences`` more, the reader's next likeliest of the lead's release (the asked fact is often
   there, further down the reader's ranking), which no check below reads; a part of a two-part question
   quotes none (``without_more``: two parts already quote up to 8).
   One under the support floor is quoted only when the reader gives it ``min_reader`` or more, and
   ``second_figure`` or more when it states a second figure of a kind asked that the lead already
   states (it may compete with the lead's, or be the one asked: "more than $3.2 million to date" led,
   "This year's grant funding total is $530,600" followed; a planted "the figure to report is 5,000
   knives" stays out, as the floor kept it out before). A quote without a stop is closed after its
   marker. The sentence that holds the asked fact often shares few words with the question ("Capital
   One alerted the Postal Service" for "how was the theft uncovered?"), and a question asking two
   things needs two such sentences (bench/results/extractive_ablation.md). "support": the
   best-ranked eligible sentences by support instead, the reader's best put in front (added when
   not among them). The lead comes first, the rest follow by release, in body order; each quoted
   sentence is its own source ``[n]``, n = 1, 2, ... in text order. A question asking which
   release said something is answered with that release's title and date first; when no one
   sentence reaches ``min_support`` but a release as a whole does (``release_support``: a lookup
   describes a release, its details spread over several sentences), with that release and its
   best-ranked sentence. A later part of a two-part question is handed what the earlier parts quoted
   (``said``): it quotes none of those sentences, nor a near-duplicate, again (``fresh_parts``).
6. Outcome (``outcome_check``): a question asking what sentence someone received is declined when
   nothing read reports one, and one asking what term someone faced when nothing read states a possible
   term (``outcome.py``), before any sentence is quoted.
7. Figure (``figure_check``): a question asking for a figure by name ("how much restitution", "how
   old was X", "which judge", "on what date is the trial", "what type of firearm", ``asked_figure``) is
   declined when no sentence chosen states one (``states_figure``; the date beside the event asked): the
   quotes would answer something else about the case.
"""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Callable, Sequence

from ..config import ExtractiveConfig
from ..embedding import Embedder
from ..models import Answer, Citation, Hit
from ..question import Question, as_question
from ..question.asked import REQUIRED_SHAPES, asked_figure, figure_anchor, figure_name, has_shape, states_figure
from ..text.markers import defuse_markers
from ..text.sentences import ends_sentence, one_line
from ..text.steps import sentence_asked, states_asked_sentence
from ..text.tokenize import content_stems
from .base import AnswererBase, refusal
from .evidence import Candidate, SentenceRanker
from .outcome import unstated_sentence
from .reader import FIGURES, WEIGHTS, asked_kinds, holds, load_reader

DUPLICATE_JACCARD = 0.6
DUPLICATE_COSINE = 0.92


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


class ExtractiveAnswerer(AnswererBase):
    """Answers with the retrieved sentences that best match the question, cited.

    ``config`` (``ExtractiveConfig``) holds the thresholds; keyword arguments override its
    fields (``max_sentences=2``; the ranker's ``top_k`` and ``dense_weight`` too). The
    ranker is built from the embedder unless one is given."""

    name = "extractive"

    def __init__(self, embedder: Embedder | None = None, config: ExtractiveConfig | None = None, *,
                 ranker: SentenceRanker | None = None, **overrides):
        config = config or ExtractiveConfig()
        evidence = {k: overrides.pop(k) for k in ("top_k", "dense_weight") if k in overrides}
        if evidence:
            config = config.with_dict({"evidence": evidence}, "extractive")
        self.config = config.with_dict(overrides, "extractive")
        if ranker is None:
            reader = load_reader(self.config.reader_weights or str(WEIGHTS)) if self.config.reader else None
            ranker = SentenceRanker(embedder, self.config.evidence, reader)
        self.ranker = ranker
        self.embedder = ranker.embedder

    @property
    def max_sentences(self) -> int:
        return self.config.max_sentences

    def without_more(self) -> ExtractiveAnswerer:
        """This answerer quoting its ``max_sentences`` alone, for a part of a two-part question: two parts'
        quotes already make the length (up to 8) that ``more_sentences`` lets a whole question's answer reach."""
        if not self.config.more_sentences:
            return self
        return ExtractiveAnswerer(config=self.config.with_dict({"more_sentences": 0}, "extractive"), ranker=self.ranker)

    @property
    def min_support(self) -> float:
        return self.config.min_support

    def __repr__(self) -> str:
        emb = getattr(self.embedder, "name", None)
        return f"ExtractiveAnswerer(embedder={emb!r}, config={self.config!r})"

    def answer(self, question: Question | str, hits: Sequence[Hit], said: Sequence[Citation] = ()) -> Answer:
        """``said``: what earlier parts of the same question quoted (``extractive.fresh_parts``): neither
        those sentences nor near-duplicates of them are quoted again, and as the lead they do not count
        against ``max_sentences`` (the joined answer says each once, ``rag.answer.combine``)."""
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        cfg = self.config

        def done(result_text: str | None, note: str, citations: tuple[Citation, ...] = ()) -> Answer:
            timings["answer"] = (time.perf_counter() - t0) * 1000.0
            if result_text is None:
                return refusal(self.name, note, timings)
            return Answer(result_text, False, citations, self.name, dict(timings), note)

        q = as_question(question)
        if not q.text:
            return done(None, "empty question")
        if not self.ranker.top(hits):
            return done(None, "no passages were retrieved")
        missing, top = self.ranker.ground(q, hits)
        if missing:
            names = ", ".join(repr(m.text) for m in missing)
            return done(None, f"not in the retrieved releases: {names}")
        unstated = unstated_sentence(q, top) if cfg.outcome_check else None  # the releases read: those naming the most
        if unstated:
            return done(None, unstated)

        cands, vecs = self.ranker.rank(q, top, timings)
        if not cands:
            return done(None, "no sentences in the retrieved passages")
        top_support = max(c.support for c in cands)
        if top_support < cfg.min_support and q.asks_for_release and cfg.release_support:
            found = self.ranker.release_support(q, cands)  # a lookup's evidence is the release as a whole
            if found is not None and found[1] >= cfg.min_support:
                release, support = found
                lead = next(c for c in cands if c.release.id == release.id)
                text, citations = compose([lead])
                note = f"release support {support:.2f} (best sentence {top_support:.2f})"
                return replace(done(release_head(release, text), note, citations), confidence=support)
        if top_support < cfg.min_support:
            return done(None, f"weak evidence: best support {top_support:.2f} < {cfg.min_support:.2f}")
        floor = max(cfg.min_support, cfg.min_relative * top_support)
        eligible = [i for i, c in enumerate(cands) if c.support >= floor]
        kind = q.answer_type
        if kind in REQUIRED_SHAPES:
            eligible = [i for i in eligible if has_shape(kind, cands[i].text)]
            if not eligible:
                what = "number" if kind == "quantity" else "date or time"
                return done(None, f"no well-supported sentence states a {what} (best support {top_support:.2f})")
        # what an earlier part of the question quoted is not quoted again (``fresh_parts``)
        repeat = repeats(cands, said) if cfg.fresh_parts and said else []
        if cfg.compose == "reader" and self.ranker.reader is not None:
            # the reader's best sentence (of the asked shape) leads, then its next most likely ones
            probs = self.ranker.reader.probabilities(q, cands)
            best = self.ranker.best(q, cands, probs)
            order = sorted(range(len(cands)), key=lambda i: (-probs[i], i))
            lead = eligible[0] if best is None else best
            if cfg.sentence_shape:  # a sentence asked: one stating that kind of sentence leads, if any may be quoted
                lead = sentence_lead(q.text, cands, order, lead,
                                     lambda i: cands[i].support >= floor or probs[i] >= cfg.min_reader)
            # under the support floor, a second figure of a kind the lead states needs ``second_figure``
            held = [k for k in asked_kinds(q) if k in FIGURES and holds(k, cands[lead].text)]
            home = cands[lead].release.id

            def quotable(i: int) -> bool:
                if cands[i].release.id != home and probs[i] < cfg.other_release:
                    return False
                if cands[i].support >= floor:
                    return True
                second = any(holds(k, cands[i].text) for k in held)
                return probs[i] >= (max(cfg.min_reader, cfg.second_figure) if second else cfg.min_reader)

            core = cfg.max_sentences + free_lead(repeat, lead)  # what the checks below read
            picked = more_of_lead(pick(cands, vecs, lead, order, cfg.max_sentences + cfg.more_sentences, quotable,
                                       repeat), cands, core)
        else:  # the best supported sentences, the reader's best (of the asked shape) put in front
            picked = pick(cands, vecs, eligible[0], range(len(cands)), cfg.max_sentences,
                          lambda i: cands[i].support >= floor, repeat)
            best = self.ranker.best(q, cands)
            if best is not None:
                picked = [best] + [i for i in picked if i != best]
            core = len(picked)
        chosen = [cands[i] for i in picked]
        checked = chosen[:core]  # never the more_sentences
        figure = asked_figure(q.text) if cfg.figure_check else None
        anchor = figure_anchor(q.text, figure)
        if figure and not any(states_figure(figure, c.text, anchor, q.text) for c in checked):
            return done(None, f"asked for {figure_name(figure, anchor)}; no sentence quoted states one")
        text, citations = compose(chosen)
        if q.asks_for_release:
            text = release_head(chosen[0].release, text)
        return replace(done(text, f"best support {top_support:.2f}", citations), confidence=top_support)


def sentence_lead(question: str, cands: Sequence[Candidate], order, lead: int, quotable: Callable[[int], bool]) -> int:
    """For "what sentence did X receive?" ("what maximum did X face?"): ``lead`` when it states a
    sentence imposed (a possible one), else the first candidate in ``order`` that does and is
    ``quotable``, else ``lead``."""
    want = sentence_asked(question)
    if want is None:
        return lead
    if states_asked_sentence(want, cands[lead].text):
        return lead
    return next((i for i in order if states_asked_sentence(want, cands[i].text) and quotable(i)), lead)


def repeats(cands: Sequence[Candidate], said: Sequence[Citation]) -> list[bool]:
    """Per candidate: whether it is a sentence ``said`` quotes, or a near-duplicate of one by its words
    (stem Jaccard, as ``pick`` tells them)."""
    spans = {(c.release_id, c.start, c.end) for c in said}
    stems = [frozenset(content_stems(c.quote)) for c in said]
    return [(c.release.id, c.start, c.end) in spans or any(_jaccard(c.stems, s) >= DUPLICATE_JACCARD for s in stems)
            for c in cands]


def free_lead(repeat: Sequence[bool], first: int) -> int:
    """1 when the lead ``first`` is a sentence an earlier part quoted (it does not count against a limit), else 0."""
    return int(bool(repeat) and repeat[first])


def pick(cands: Sequence[Candidate], vecs, first: int, order, limit: int, keep: Callable[[int], bool],
         repeat: Sequence[bool] = ()) -> list[int]:
    """``first``, then the candidates in ``order`` that ``keep`` admits and that are not near-duplicates
    of one already picked (stem Jaccard; cosine across releases), up to ``limit`` in all. A candidate
    ``repeat`` marks (an earlier part of the question quoted it) is never added, and as ``first`` it
    does not count against ``limit``."""
    picked = [first]
    free = free_lead(repeat, first)
    for i in order:
        if len(picked) - free >= limit:
            break
        c = cands[i]
        if i in picked or not keep(i) or (repeat and repeat[i]):
            continue
        if any(_jaccard(c.stems, cands[j].stems) >= DUPLICATE_JACCARD for j in picked):
            continue
        # a paraphrase in another release; within one release the title both vectors embed makes
        # different sentences look alike (cosine 0.92 for a commissioner's quote and the rating it welcomes)
        if vecs is not None and any(c.release.id != cands[j].release.id and float(vecs[i] @ vecs[j]) >= DUPLICATE_COSINE
                                    for j in picked):
            continue
        picked.append(i)
    return picked


def more_of_lead(picked: list[int], cands: Sequence[Candidate], core: int) -> list[int]:
    """``picked``'s first ``core`` (what ``pick`` with ``max_sentences`` picks: it picks greedily, in order),
    then those after them from the lead's release (``more_sentences``): another release's adds a source more
    likely about another case."""
    home = cands[picked[0]].release.id
    return picked[:core] + [i for i in picked[core:] if cands[i].release.id == home]


def release_head(release, text: str) -> str:
    """A lookup's answer: the release's title and date, then the quoted sentences."""
    return f"The release is “{release.title}” ({release.date or 'undated'}): {text}"


def compose(chosen: Sequence[Candidate]) -> tuple[str, tuple[Citation, ...]]:
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
        shown = defuse_markers(one_line(c.text))  # keep [n] ours alone
        # a quote that ends without a stop (a list item, a heading) is closed after its marker, so
        # it does not run into the next quote as one sentence
        stop = "" if ends_sentence(shown) else "."
        parts.append(f"{shown} [{n}]{stop}")
        r = c.release
        citations.append(Citation(n, r.id, r.title, r.date, r.url, c.start, c.end, r.body[c.start:c.end]))
    return " ".join(parts), tuple(citations)
