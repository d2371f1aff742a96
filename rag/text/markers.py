"""Citation markers: ``[1]``, ``[1, 2]`` (``[1][2]`` is two markers). The one pattern for
answers, the evaluation, the prompt, the chat's links and the feedback log."""
from __future__ import annotations

import re

MARKER = re.compile(r"\[\s*(\d+(?:\s*,\s*\d+)*)\s*\]")
"""A citation marker; group 1 holds its numbers, comma-separated."""


def marker_numbers(match: re.Match) -> list[int]:
    """The numbers of one :data:`MARKER` match: ``[1, 2]`` -> ``[1, 2]``."""
    return [int(n) for n in match.group(1).split(",")]


def cited_numbers(text: str) -> list[int]:
    """The citation numbers in ``text``, in order of appearance, repeats kept.

    ``"A [1]. B [2, 3][1]."`` -> ``[1, 2, 3, 1]``.
    """
    return [n for m in MARKER.finditer(text) for n in marker_numbers(m)]


def defuse_markers(text: str) -> str:
    """``text`` with every marker shown as ``(n)``, so that only an answer's own numbering
    looks like a citation (release text quoted in an answer or shown to a model)."""
    return MARKER.sub(lambda m: f"({m.group(1)})", text)


_SPACED_MARKER = re.compile(r"\s*" + MARKER.pattern)


def strip_markers(text: str) -> str:
    """``text`` without its citation markers (and the spaces before them): "10 knives [1]."
    -> "10 knives."."""
    return _SPACED_MARKER.sub("", text)
