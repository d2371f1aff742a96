"""A circuit breaker for a remote model server: after ``failures`` failed calls in a row it stops
calling for ``cooldown_s`` seconds (each answer falls back to the extractive one at once instead of
waiting out a timeout), then lets one call through to see whether the server is back."""
from __future__ import annotations

import threading
import time
from typing import Callable

from ..errors import RagError


class CircuitOpen(RagError):
    """The server failed too often lately; it is not called until the cool-down ends."""


class CircuitBreaker:
    def __init__(self, failures: int = 3, cooldown_s: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.failures, self.cooldown_s, self.clock = failures, cooldown_s, clock
        self._lock = threading.Lock()
        self._failed = 0
        self._open_until = 0.0
        self._trial = False  # one call is let through after the cool-down
        self.last_error = ""

    def before(self, what: str) -> None:
        """Raise CircuitOpen while the breaker is open (or a trial call is already out)."""
        with self._lock:
            if self._failed < self.failures:
                return
            now = self.clock()
            if now < self._open_until or self._trial:
                wait = max(0.0, self._open_until - now)
                raise CircuitOpen(f"{what} failed {self._failed} times in a row (last: {self.last_error}); "
                                  f"not calling it for {wait:.0f} s more")
            self._trial = True

    def succeeded(self) -> None:
        with self._lock:
            self._failed, self._trial = 0, False

    def abandoned(self) -> None:
        """A call whose outcome is unknown (its reader stopped early): a later call may try again."""
        with self._lock:
            self._trial = False

    def failed(self, error: str) -> None:
        with self._lock:
            self._failed += 1
            self._trial = False
            self.last_error = error
            if self._failed >= self.failures:
                self._open_until = self.clock() + self.cooldown_s
