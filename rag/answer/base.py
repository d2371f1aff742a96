"""What every answerer shares: the protocol and the refusal text."""
from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

from ..models import Answer, Hit

REFUSAL_TEXT = "I could not find the answer in the releases."


@runtime_checkable
class Answerer(Protocol):
    name: str

    def answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        """Answer ``question`` from ``hits`` (best first), or refuse."""
        ...


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
