"""The answer contract: what every answerer does, and the refusal.

An answerer turns a question and the retrieved passages into an :class:`~rag.models.Answer`
whose every claim cites ``[n]``, or refuses. Three methods, all part of the protocol:

* ``answer(question, hits)`` -- the checked answer;
* ``stream(question, hits)`` -- text deltas while it is written (``streams`` is True when
  there are any), then the same checked Answer as the last item;
* ``rewrite(question, history)`` -- a follow-up made standalone: what to search for and
  what the answerer reads.

:class:`AnswererBase` gives the defaults (``stream`` yields the answer whole; ``rewrite`` is
the rule in ``rag.question.followup``), so an answerer need only write ``answer``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Protocol, Sequence, runtime_checkable

from ..models import Answer, Hit
from ..question import Question
from ..question.followup import standalone

REFUSAL_TEXT = "I could not find the answer in the releases."


@dataclass(frozen=True)
class Rewrite:
    """A follow-up made standalone: ``search`` is what retrieval looks for, ``reads`` is the
    question the answerer answers (the rule's "terms: question" form is for search only)."""

    search: str
    reads: str


@runtime_checkable
class Answerer(Protocol):
    name: str
    streams: bool  # stream() yields text deltas before the Answer

    def answer(self, question: Question | str, hits: Sequence[Hit]) -> Answer:
        """Answer ``question`` from ``hits`` (best first), or refuse."""
        ...

    def stream(self, question: Question | str, hits: Sequence[Hit]) -> Iterator[str | Answer]:
        """Text deltas as they are written, then the checked Answer as the last item."""
        ...

    def rewrite(self, question: str, history: Sequence[str]) -> Rewrite:
        """``question`` made standalone with the earlier questions of the conversation."""
        ...


class AnswererBase:
    """Defaults for the optional parts of the contract."""

    name = ""
    streams = False

    def answer(self, question: Question | str, hits: Sequence[Hit]) -> Answer:  # pragma: no cover
        raise NotImplementedError

    def stream(self, question: Question | str, hits: Sequence[Hit]) -> Iterator[str | Answer]:
        yield self.answer(question, hits)

    def rewrite(self, question: str, history: Sequence[str]) -> Rewrite:
        return Rewrite(search=standalone(question, history), reads=question)


def refusal(answerer: str, note: str, timings_ms: dict[str, float] | None = None) -> Answer:
    """The one way to say "not in the releases"."""
    return Answer(
        text=REFUSAL_TEXT,
        refused=True,
        citations=(),
        answerer=answerer,
        timings_ms=dict(timings_ms or {}),
        note=note,
    )
