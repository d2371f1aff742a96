"""Refuse for cause: a question asking what sentence someone received (or faced), when nothing read
states one.

"What sentence did X receive?" over releases that report only X's indictment would otherwise be
answered with the indictment's "faces up to 15 years" -- a possible outcome quoted as the answer.
``unstated_sentence`` gives the reason to decline when the question asks for a sentence imposed
(``rag.text.steps.asks_sentence``) and neither the title of a release read nor any sentence of the
passages read reports one (``states_sentence``: a sentencing, or "sentence" with a term; never a
"faces a maximum of"); likewise when it asks what sentence someone faced (``sentence_asked`` "possible":
"what is the maximum term she faces if convicted?") and nothing read states a possible term
(``states_possible_sentence``). The releases checked are those the extractive answerer grounds on and quotes
(``SentenceRanker.ground``: of the top hits, those naming the most of what the question names), so a
sentencing in a release about someone else among the hits is no answer (an LLM's passages may still come
from any top hit; its quotes and rescue come from the extractive answer). Shared by the extractive answerer (``extractive.outcome_check``)
and the LLM policy's ``outcome`` step (``rag/answer/policy.py``).

``unstated_figure`` does the same for a figure asked by name (``rag.question.asked.asked_figure``: "how
much restitution", "how old was X", "which judge"): the LLM policy's ``figure`` step declines without a
generation when no sentence of the passages read states one. (The extractive answerer checks the
sentences it would quote, ``extractive.figure_check``.) ``stated_figure`` is the other side of the same check:
the figure asked, named, when quoted sentences state it (the policy's ``rescue`` then shows the extractive
answer over the model's decline).
"""
from __future__ import annotations

from typing import Sequence

from ..models import Hit
from ..question import Question
from ..question.asked import asked_figure, figure_anchor, figure_name, states_figure
from ..text.steps import sentence_asked, states_asked_sentence
from .evidence import collect_candidates


def unstated_sentence(question: Question, hits: Sequence[Hit]) -> str | None:
    """Why ``hits`` (the passages read) cannot answer ``question``, or None when they may: asked what
    sentence was imposed, none reported; asked what sentence someone faced ("what maximum term does she
    face if convicted?"), no possible term stated."""
    asked = sentence_asked(question.text)
    if not hits or asked is None:
        return None
    if any(states_asked_sentence(asked, h.release.title) for h in hits):
        return None
    if any(states_asked_sentence(asked, c.text) for c in collect_candidates(hits)):
        return None
    if asked == "possible":
        return "asked what sentence could be imposed; no release read states a possible term"
    return "asked what sentence was imposed; no release read reports one (only charges or possible terms)"


def unstated_figure(question: Question, hits: Sequence[Hit]) -> str | None:
    """Why ``hits`` cannot answer a question asking for a figure by name, or None when they may."""
    kind = asked_figure(question.text)
    anchor = figure_anchor(question.text, kind)
    if not hits or kind is None:
        return None
    if any(states_figure(kind, c.text, anchor, question.text) for c in collect_candidates(hits)):
        return None
    return f"asked for {figure_name(kind, anchor)}; no release read states one"


def stated_figure(question: Question, quotes: Sequence[str]) -> str | None:
    """The figure ``question`` asks for by name ("a money amount (bail)"), when one of ``quotes`` states it;
    else None. Never a count: "how many" is ``shows_asked_thing``'s, which needs every thing counted."""
    kind = asked_figure(question.text)
    if kind is None or kind == "count":
        return None
    anchor = figure_anchor(question.text, kind)
    if not any(states_figure(kind, quote, anchor, question.text) for quote in quotes):
        return None
    return figure_name(kind, anchor)
