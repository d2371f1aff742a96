"""Turns at the local model, first come first served, with each waiter's place in line.

On 2 cores two generations at once collapse llama.cpp's speed, so one question at a time is
answered by the local model. ``ModelTurns`` is that lock made visible: each request takes a
ticket, and while it waits the answerer reports how many questions are ahead of it
(``Waiting``), which the chat shows instead of a silent pause. A ticket given up before its
turn (the user left) is skipped. ``with MODEL_TURNS:`` works as a plain lock.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Waiting:
    """A stream item while a question waits for the model: how many are ahead, and for how long
    this one has waited."""

    ahead: int
    waited_s: float

    @property
    def text(self) -> str:
        ahead = f"{self.ahead} question{'s' if self.ahead != 1 else ''} ahead"
        return f"Waiting for the model: {ahead} ({self.waited_s:.0f} s so far)"


class ModelTurns:
    def __init__(self):
        self._cv = threading.Condition()
        self._next = 0          # the next ticket handed out
        self._serving = 0       # the ticket whose turn it is
        self._gone: set[int] = set()  # tickets given up before their turn
        self._mine = threading.local()

    def take(self) -> int:
        with self._cv:
            ticket = self._next
            self._next += 1
            return ticket

    def ahead(self, ticket: int) -> int:
        """How many tickets before ``ticket`` are still to be served (the one being served included)."""
        with self._cv:
            return sum(1 for t in range(self._serving, ticket) if t not in self._gone)

    def wait(self, ticket: int, timeout: float | None = None) -> bool:
        """Block until it is ``ticket``'s turn (True) or ``timeout`` seconds pass (False)."""
        with self._cv:
            return self._cv.wait_for(lambda: self._serving == ticket, timeout)

    def release(self, ticket: int) -> None:
        """End ``ticket``'s turn, or give it up before its turn came."""
        with self._cv:
            if ticket == self._serving:
                self._serving += 1
                while self._serving in self._gone:
                    self._gone.discard(self._serving)
                    self._serving += 1
            elif ticket > self._serving:
                self._gone.add(ticket)
            self._cv.notify_all()

    def __enter__(self) -> "ModelTurns":
        ticket = self.take()
        self.wait(ticket)
        self._mine.ticket = ticket
        return self

    def __exit__(self, *exc) -> None:
        self.release(self._mine.ticket)


MODEL_TURNS = ModelTurns()
