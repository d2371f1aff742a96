"""The LLM answer policy: named steps around the model, each switchable (``LLMPolicy.steps``),
with their thresholds in the same config object.

Before the model writes (each may answer instead of it):

* ``ground`` -- a question naming someone or something that none of the retrieved releases
  contains is declined without a generation (the sentence ranker's ``missing``);
* ``outcome`` -- "what sentence did X receive?" is declined without a generation when no passage
  read reports a sentence imposed (``outcome.py``: the charge's "faces up to" is no answer), and "what
  maximum term does X face?" when none states a possible term;
* ``figure`` -- "how much restitution ...?", "how old was X?", "which judge ...?", "on what date is the
  trial ...?", "what type of firearm ...?" is declined without a generation when no sentence of the
  passages read states such a figure
  (``outcome.unstated_figure``): a small model otherwise writes the nearest number or name;
* ``lookup`` -- "which release ...?" is answered with the release's title and date from the
  index (the fallback answerer; measured: the bundled 1.5B model declined 6 of the dev set's
  7 such questions);
* ``centre`` -- the passages the model reads are centred on the ranker's best sentences, the
  fitted reader's best first (off: on the sentences sharing the most words with the question).

After it wrote (the checked answer in, an answer out):

* ``rescue`` -- when the model declined (or every sentence it wrote failed the support check)
  while the fallback's extractive answer is well supported (best support >= ``rescue_support``)
  or visibly holds what was asked (a number and the counted thing for "how many", a date for
  "when", a new name for "who", a figure asked by name that the ``figure`` check reads in it:
  ``outcome.stated_figure``), that answer is shown instead, labelled;
* ``quote_lead`` -- sentences of the extractive answer that the model's answer does not already
  say (``lead_covered``) follow it, quoted and cited: all of them (``lead_quotes`` "all"), or the
  best one ("best"): a small model often paraphrases the wrong passage or drops the figure asked
  for, and the verbatim sentences let the reader check.

Steps that need the ranker or the fallback are skipped when the answerer has none.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Sequence

from ..models import Answer, Citation, Hit
from ..question import Question, as_question
from ..question.asked import shows_asked_thing
from ..text.sentences import one_line
from ..text.tokenize import content_tokens
from .base import refusal
from .outcome import stated_figure, unstated_figure, unstated_sentence
from .prompt import Source, by_release, select_sources, sources_around

if TYPE_CHECKING:  # pragma: no cover
    from .llm import LLMAnswerer


@dataclass(frozen=True)
class Turn:
    """One question being answered: what the steps read."""

    question: Question
    hits: list[Hit]
    t0: float

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.t0) * 1000


def ground(llm: LLMAnswerer, turn: Turn) -> Answer | None:
    """Decline when the question names what no retrieved release contains."""
    missing = llm.ranker.missing(turn.question, turn.hits)
    if not missing:
        return None
    note = "not in the retrieved releases: " + ", ".join(repr(m.text) for m in missing)
    return refusal(llm.name, note, {"answer": turn.elapsed_ms()})


def outcome(llm: LLMAnswerer, turn: Turn) -> Answer | None:
    """Decline "what sentence did X receive?" when no release naming the most of what the question names
    reports a sentence imposed (``rag.answer.outcome``)."""
    note = unstated_sentence(turn.question, llm.ranker.ground(turn.question, turn.hits)[1])
    return refusal(llm.name, note, {"answer": turn.elapsed_ms()}) if note else None


def figure(llm: LLMAnswerer, turn: Turn) -> Answer | None:
    """Decline a figure asked by name (an amount, an age, a judge, a court date, a firearm) that no passage read
    states."""
    note = unstated_figure(turn.question, llm.ranker.ground(turn.question, turn.hits)[1])
    return refusal(llm.name, note, {"answer": turn.elapsed_ms()}) if note else None


def lookup(llm: LLMAnswerer, turn: Turn) -> Answer | None:
    """A question asking which release: its title and date from the index."""
    if not turn.question.asks_for_release:
        return None
    found = llm.fallback.answer(turn.question, turn.hits)
    if found.refused:
        return None
    return replace(found, answerer=f"extractive (lookup; {llm.name} not needed)",
                   note=f"a question asking which release: title and date from the index; {found.note}")


def passages(llm: LLMAnswerer, turn: Turn) -> list[Source]:
    """What the model reads: centred on the ranker's best sentences (``centre``), or on the
    sentences sharing the most words with the question; with ``one_title``, a release's passages
    together (``prompt.by_release``)."""
    cfg = llm.policy
    grouped = by_release if cfg.one_title else list
    if llm.uses("centre"):
        ranked, _ = llm.ranker.rank(turn.question, turn.hits)
        ranked = llm.ranker.lead_first(turn.question, ranked)
        return grouped(sources_around(turn.question.text, [(turn.hits[c.hit_pos], c.start) for c in ranked],
                                      max_sources=cfg.max_sources, max_chars=cfg.max_chars))
    return grouped(select_sources(turn.question.text, turn.hits, max_sources=cfg.max_sources, max_chars=cfg.max_chars))


def rescue(llm: LLMAnswerer, turn: Turn, declined: Answer) -> Answer:
    """The extractive answer when the model declined but the releases clearly answer."""
    extractive = llm.fallback.answer(turn.question, turn.hits)
    if extractive.refused:
        return declined
    if (extractive.confidence or 0.0) >= llm.policy.rescue_support:
        why = f"best support {extractive.confidence:.2f}"
    elif shows_asked_thing(turn.question.text, [c.quote for c in extractive.citations]):
        why = f"they state what was asked; best support {extractive.confidence:.2f}"
    elif figure := stated_figure(turn.question, [c.quote for c in extractive.citations]):
        why = f"they state the figure asked, {figure}; best support {extractive.confidence:.2f}"
    else:
        return declined
    note = (f"the {llm.name} model gave no supported answer ({declined.note}), but these sentences of "
            f"the releases answer it ({why}); extractive answer shown")
    return replace(extractive, answerer=f"extractive ({llm.name} declined)", note=note,
                   timings_ms={**declined.timings_ms, "answer": turn.elapsed_ms()})


def quote_lead(llm: LLMAnswerer, turn: Turn, answer: Answer) -> Answer:
    """``answer`` followed by the sentences of the extractive answer it does not already say,
    quoted and cited (see :func:`lead_quotes` for which)."""
    lead = llm.fallback.answer(turn.question, turn.hits)
    if lead.refused or not lead.citations:
        return answer
    quotes = lead_quotes(turn.question, answer.text, lead.citations, llm.policy.lead_covered,
                         llm.policy.lead_quotes)
    if not quotes:
        return answer
    citations = answer.citations
    lines = [answer.text.rstrip()]
    for best in quotes:
        inside = [c for c in citations
                  if c.release_id == best.release_id and c.start <= best.start and best.end <= c.end]
        if inside:
            n = inside[0].n
        else:
            n = len(citations) + 1
            citations = citations + (replace(best, n=n),)
        lines.append(f"The release says: “{one_line(best.quote)}” [{n}]")  # one line
    what = "the best-matching sentence" if len(quotes) == 1 else f"{len(quotes)} best-matching sentences"
    return replace(answer, text="\n".join(lines), citations=citations,
                   note=f"{answer.note}; {what} quoted after the model's answer")


def lead_quotes(question: Question | str, said: str, ranked: Sequence[Citation],
                covered: float = 0.6, which: str = "all") -> list[Citation]:
    """Which of the extractive answer's sentences (``ranked``, in its order) to quote after the
    model's answer ``said``. ``which`` "all": every one; "best": the best one, or, when ``said``
    does not show what was asked (a number for "how many", a date for "when", a name for "who")
    the best one that does, and for a question asking two things the next best too. Either way a
    sentence whose content words ``said`` mostly (``covered``) holds already is not quoted."""
    if which not in ("all", "best"):
        raise ValueError(f"which must be 'all' or 'best', got {which!r}")
    if not ranked:
        return []
    picked = list(ranked)
    if which == "best":
        question = as_question(question)
        first = ranked[0]
        if not shows_asked_thing(question.text, [said]):
            first = next((c for c in ranked if shows_asked_thing(question.text, [c.quote])), first)
        picked = [first] + ([c for c in ranked if c is not first][:1] if question.asks_two_things else [])
    have = content_tokens(said)
    out = []
    for c in picked:
        wanted = content_tokens(c.quote)
        if wanted and len(wanted & have) < covered * len(wanted):
            out.append(c)
    return out


BEFORE = {"ground": ground, "outcome": outcome, "figure": figure, "lookup": lookup}   # may answer instead of the model
AFTER_DECLINE = {"rescue": rescue}              # the model declined
AFTER_ANSWER = {"quote_lead": quote_lead}       # the model answered
NEEDS = {"ground": "ranker", "outcome": "ranker", "figure": "ranker", "centre": "ranker", "lookup": "fallback",
         "rescue": "fallback", "quote_lead": "fallback"}
