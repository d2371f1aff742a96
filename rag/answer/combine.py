"""One answer from the answers to the parts of a question that asks two things.

"What maximum sentence did she face, and what sentence did she receive?" is searched and
answered once per part (the charge and the sentence are often in two releases); the parts'
answers are joined in order, their sources renumbered 1, 2, ... with a passage cited by both
listed once, and a sentence the first part already quoted left out of the second.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from ..models import Answer, Citation
from ..text.markers import MARKER, marker_numbers
from ..text.sentences import answer_sentences


def combine(answers: Sequence[Answer], answerer: str) -> Answer:
    """The parts' answers as one; a refusal when every part was refused."""
    answered = [a for a in answers if not a.refused]
    if not answered:
        note = "; ".join(f"part {i}: {a.note}" for i, a in enumerate(answers, 1))
        return replace(answers[0], note=note)
    numbers: dict[tuple[str, int, int], int] = {}
    citations: list[Citation] = []
    texts: list[str] = []
    for answer in answered:
        renumber: dict[int, int] = {}
        fresh: set[int] = set()
        for c in answer.citations:
            key = (c.release_id, c.start, c.end)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                citations.append(replace(c, n=numbers[key]))
                fresh.add(c.n)
            renumber[c.n] = numbers[key]
        kept = [s for s in answer_sentences(answer.text)
                if not any(marker_numbers(m) for m in MARKER.finditer(s))
                or any(n in fresh for m in MARKER.finditer(s) for n in marker_numbers(m))]
        text = " ".join(kept)
        texts.append(MARKER.sub(lambda m: "".join(f"[{renumber[n]}]" for n in marker_numbers(m) if n in renumber), text))
    timings = {k: sum(a.timings_ms.get(k, 0.0) for a in answers) for k in answers[0].timings_ms}
    confidences = [a.confidence for a in answered if a.confidence is not None]
    note = f"asked {len(answers)} things, answered each: " + "; ".join(a.note for a in answered)
    return Answer(" ".join(t for t in texts if t), False, tuple(citations), answerer or answered[0].answerer, timings,
                  note, min(confidences) if confidences else None)
