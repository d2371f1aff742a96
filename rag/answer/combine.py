"""One answer from the answers to the parts of a question that asks two things.

"What maximum sentence did she face, and what sentence did she receive?" is searched and
answered once per part (the charge and the sentence are often in two releases); the parts'
answers are joined in order, their sources renumbered 1, 2, ... with a passage cited by both
listed once (each part on its own line when one spans lines, as an LLM's answer with the quotes after
it does), and a sentence an earlier part already said (the same words, markers aside) left
out of a later one; a new sentence citing a passage an earlier part cited stays (an LLM's
answer to the second part may rest on the same passage).

``part_items``: a later part answered extractively quotes none of the sentences the earlier parts quoted;
a part quotes its ``max_sentences`` alone (``ExtractiveAnswerer.without_more``).

``rescue_parts``: before they are joined, a part the extractive answerer refused while another part was
answered is answered again at a lower support floor over both parts' passages.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Sequence

from ..models import Answer, Citation, Hit, distinct_passages
from ..text.markers import MARKER, marker_numbers
from ..text.normalize import normalize
from ..text.sentences import answer_sentences


def part_items(answerer, part, passages: Sequence[Hit], said: Sequence[Citation]) -> Iterable[str | Answer]:
    """What ``answerer`` streams for one part of a two-part question. The extractive answerer is told what
    the earlier parts quoted (``said``, their citations), so it quotes none of those sentences, nor a
    near-duplicate, again (``extractive.fresh_parts``): the part's quotes are all new."""
    from .extractive import ExtractiveAnswerer

    if isinstance(answerer, ExtractiveAnswerer):
        return [answerer.without_more().answer(part, passages, said=tuple(said))]
    return answerer.stream(part, passages)


def rescue_parts(answerer, parts: Sequence, read: Sequence[Sequence[Hit]], answers: list[Answer]) -> list[Answer]:
    """The parts' answers, a part the extractive ``answerer`` refused while another part was answered
    answered again with its support floor lowered to ``extractive.part_support``, reading its own passages
    and the answered parts' (the question is about what the answered part found: "... how many people had
    completed it by 2019?" lost its subject when split off, and "what were the terms of the deal?" shares
    few words with "deferred probation"). Its other checks (grounding, outcome, figure, answer shape) still
    decline. Unchanged for another answerer (an LLM's declined part has its own fallback), or with
    ``part_support`` 1.0."""
    from .extractive import ExtractiveAnswerer

    if (not isinstance(answerer, ExtractiveAnswerer) or answerer.config.part_support >= 1.0
            or all(a.refused for a in answers) or not any(a.refused for a in answers)):
        return answers
    floor = answerer.config.part_support
    relaxed = ExtractiveAnswerer(config=answerer.config.with_dict({"min_support": floor}, "extractive"),
                                 ranker=answerer.ranker).without_more()
    out = []
    for i, (part, answer) in enumerate(zip(parts, answers)):
        if answer.refused:
            others = [h for j, a in enumerate(answers) if j != i and not a.refused for h in read[j]]
            alt = relaxed.answer(part, distinct_passages([*read[i], *others]))
            if not alt.refused:
                answer = replace(alt, note=f"{answer.note}; with the other part's passages at support {floor:.2f}: "
                                           f"{alt.note}")
        out.append(answer)
    return out


def combine(answers: Sequence[Answer], answerer: str) -> Answer:
    """The parts' answers as one; a refusal when every part was refused."""
    answered = [a for a in answers if not a.refused]
    if not answered:
        note = "; ".join(f"part {i}: {a.note}" for i, a in enumerate(answers, 1))
        return replace(answers[0], note=note)
    numbers: dict[tuple[str, int, int], int] = {}
    citations: list[Citation] = []
    texts: list[str] = []
    said: set[str] = set()
    for answer in answered:
        renumber: dict[int, int] = {}
        for c in answer.citations:
            key = (c.release_id, c.start, c.end)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                citations.append(replace(c, n=numbers[key]))
            renumber[c.n] = numbers[key]
        lines = []
        for line in answer.text.splitlines():  # a quote after an LLM's answer stays on its own line
            kept, dropped = [], False
            for sentence in answer_sentences(line):
                words = normalize(sentence)  # markers aside, as the citation check tells repeats
                if not words and dropped:  # the markers after a repeat left out ("“...” [1]") go with it
                    continue
                dropped = bool(words) and words in said
                if dropped:
                    continue
                said.add(words)
                kept.append(sentence)
            if kept:
                lines.append(" ".join(kept))
        text = "\n".join(lines)
        texts.append(MARKER.sub(lambda m: "".join(f"[{renumber[n]}]" for n in marker_numbers(m) if n in renumber), text))
    texts = [t for t in texts if t]
    text = ("\n" if any("\n" in t for t in texts) else " ").join(texts)
    cited = sorted({n for m in MARKER.finditer(text) for n in marker_numbers(m)})
    if len(cited) < len(citations):  # a passage only a left-out sentence cited is not listed
        final = {old: new for new, old in enumerate(cited, start=1)}
        citations = [replace(c, n=final[c.n]) for c in citations if c.n in final]
        text = MARKER.sub(lambda m: "".join(f"[{final[n]}]" for n in marker_numbers(m) if n in final), text)
    timings = {k: sum(a.timings_ms.get(k, 0.0) for a in answers) for k in answers[0].timings_ms}
    if "first_token" in answers[0].timings_ms:  # a reader sees text once the first part's starts
        timings["first_token"] = answers[0].timings_ms["first_token"]
    confidences = [a.confidence for a in answered if a.confidence is not None]
    note = f"asked {len(answers)} things, answered each: " + "; ".join(a.note for a in answered)
    return Answer(text, False, tuple(citations), answerer or answered[0].answerer, timings,
                  note, min(confidences) if confidences else None)
