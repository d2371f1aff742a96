"""A case's history: every release naming one person, in date order, each step labelled.

``case_history(store, lexical, question, sources)`` picks the person the question is about
(a name of two words or more; the one after "against" if any, else the one the fewest releases
name: people are named in fewer releases than places), gathers every release naming them
(first and last name, middle names optional, any case) from the named sources, and those
stating one of their court case numbers ("Case #14ZF0333"), orders them by date and labels
each with the step its title (else its lead) reports. Labels, most final
first, so "Convicted and Sentenced" is "sentenced": ``STEPS``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..ingest.listing import listings
from ..models import Release
from ..question import Question
from ..question.sources import named_sources, source_names
from ..text.sentences import CLOSERS, TERMINALS, split_sentences
from ..text.people import (AGED_FIRST, DEFENDANT, IDENTIFIED, STEP_NAMED, case_numbers as text_case_numbers,
                           named_people)
from ..text.steps import STEP_PATTERNS, STEPS, TERM, step_of
from ..text.tokenize import bm25_tokens
from .match import lead_span, lead_spans
from .translations import translations

__all__ = ["STEPS", "CaseStep", "case_history", "case_numbers", "case_steps", "defendant_case", "defendant_name",
           "defendant_span", "mark_translations", "named_case", "step_of"]

OPENING = 15  # the opening sentences, where a release names its defendant "X, 36, of Place"
JOINED_CHARS = 600  # the longest run of lines read as one sentence (``_joined``)


@dataclass(frozen=True)
class CaseStep:
    """One release of the case: its step label ("" when it names none) and the sentence that
    shows it (``start``/``end`` in the body); ``translation_of``: the id of the release of the
    case it translates ("" for none: ``mark_translations``)."""

    release: Release
    step: str
    start: int
    end: int
    translation_of: str = ""


def _name_pattern(name: str) -> re.Pattern:
    """First and last name, up to two words between, any case, either apostrophe."""
    parts = [re.escape(p).replace("'", "['’]") for p in name.replace("’", "'").split() if p]
    middle = r"(?:\s+[\w.'’-]+){0,2}?"
    return re.compile(rf"\b{parts[0]}{middle}\s+{parts[-1]}\b", re.I)


def case_numbers(release: Release) -> list[str]:
    """The court case numbers a release states ("Case #14ZF0333", "Case No. 20NF2102")."""
    return text_case_numbers(release.body)


def _naming(store, lexical, name: str, sources) -> list[Release]:
    """The releases naming ``name`` (an archive page listing a headline that names them is none)."""
    ids = lexical.releases_with([t] for t in bm25_tokens(name)) if lexical is not None else None
    pattern = _name_pattern(name)
    found = [r for r in store.releases_where(sources=sources, release_ids=ids)
             if pattern.search(r.title) or pattern.search(r.body)]
    archives = listings(store, found)
    return [r for r in found if r.id not in archives]


def _with_case_numbers(store, found: list[Release]) -> list[Release]:
    """``found`` and the releases stating one of their court case numbers."""
    sources = sorted({r.source for r in found})
    more = {rid for r in found for number in case_numbers(r) for rid in store.ids_stating(number, "case", sources)}
    more -= {r.id for r in found}
    return found + (store.releases_where(release_ids=sorted(more)) if more else [])




def defendant_name(release: Release) -> str | None:
    """The person the release names as press releases do (see ``defendant_span``), or None."""
    span = defendant_span(release)
    text = release.body[span[0]:span[1]] if span else ""
    m = IDENTIFIED.search(text) or DEFENDANT.search(text)
    return (m["a"] or m["b"]) if m else None


def _joined(body: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The sentences with a line that ends in no full stop joined to the next ("the arrest and
    charging of" / "36-year-old Rodney Poucely" / "after an investigation ..."), up to
    ``JOINED_CHARS`` characters: some sites put a name on a line of its own."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and body[out[-1][1] - 1] not in TERMINALS + CLOSERS and end - out[-1][0] <= JOINED_CHARS:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def defendant_span(release: Release) -> tuple[int, int] | None:
    """The sentence naming the defendant, or None: the first that says "the defendant was
    identified as X" anywhere; else the first of the opening sentences naming "X, 36, of Place";
    else the first of those that names "36-year-old X" and a step of the case ("charged",
    "sentenced"); else the first of those with a full name beside a step ("X faces", "X was
    sentenced", "found X guilty"). A sentence broken over lines is read whole (``_joined``)."""
    body = release.body
    spans = _joined(body, split_sentences(body))
    for start, end in spans:
        if IDENTIFIED.search(body[start:end]):
            return start, end
    for start, end in spans[:OPENING]:
        if DEFENDANT.search(body[start:end]):
            return start, end
    for start, end in spans[:OPENING]:
        if AGED_FIRST.search(body[start:end]) and step_of(body[start:end]):
            return start, end
    for start, end in spans[:OPENING]:
        if STEP_NAMED.search(body[start:end]):
            return start, end
    return None


def _shown(release: Release, step: str | None) -> tuple[int, int]:
    """The lead sentence reporting ``step``: first one naming the person, then one stating a
    term ("to 15 years to life"), then the earliest; else the lead."""
    if step:
        pattern = STEP_PATTERNS[step]
        reporting = [(s, e) for s, e in lead_spans(release) if pattern.search(release.body[s:e])]
        if reporting:  # one that names the person and states a term ("to 15 years to life") first
            return max(reporting, key=lambda span: (bool(DEFENDANT.search(release.body[span[0]:span[1]])),
                                                    bool(TERM.search(release.body[span[0]:span[1]])),
                                                    -span[0]))
    return lead_span(release)


def _step(release: Release) -> str | None:
    """The step the title reports; else the first of the lead sentences that reports one."""
    step = step_of(release.title)
    for start, end in split_sentences(release.body)[:5]:
        if step is not None:
            break
        step = step_of(release.body[start:end])
    return step


def person_mentions(question: Question, sources) -> list:
    """The names of two words or more in ``question`` that may be a person's: not the place a
    source is named for ("Orange County")."""
    places = {n for s in sources for n in source_names(s)}
    return [m for m in question.mentions
            if m.kind == "name" and len(m.tokens) >= 2 and " ".join(m.tokens) not in places]


def case_history(store, lexical, question: Question, sources) -> tuple[str, list[CaseStep]] | None:
    """(the person, the case's releases in date order), or None when the question names no
    person any release names."""
    text = question.text
    after_against = re.search(r"\b(?:against|of)\s+([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)+)", text)
    named = named_sources(text, sources)
    found = []
    for m in person_mentions(question, sources):
        words = re.sub(r"['’]s$", "", m.text).split()  # "Courtney Pandolfi's prosecution"
        tries = [" ".join(words)] + ([" ".join(words[1:])] if len(words) >= 3 else [])
        for name in tries:  # then without a capitalised word before the name ("Trace Sanford Solny")
            releases = _naming(store, lexical, name, named)
            if releases:
                found.append((after_against is None or name not in after_against.group(1), len(releases), name,
                              releases))
                break
    if not found:
        return None
    _, _, name, releases = min(found, key=lambda f: f[:3])
    return name, case_steps(_with_case_numbers(store, releases))


def defendant_case(store, lexical, question: Question, sources) -> tuple[str, list[CaseStep]] | None:
    """(the defendant, their case's releases in date order) for the name of two words or more in
    ``question`` that some release names as releases name defendants ("X, 36, of Place"; a place or
    an organisation never is), the one the fewest releases name; None when there is none."""
    found = []
    for m in question.mentions:
        if m.kind != "name" or len(m.tokens) < 2:
            continue
        name = re.sub(r"['’]s$", "", m.text)
        releases = _naming(store, lexical, name, tuple(sources))
        pattern = _name_pattern(name)
        if releases and any(pattern.search(p) for r in releases for p in named_people(r.body)):
            found.append((len(releases), name, releases))
    if not found:
        return None
    _, name, releases = min(found, key=lambda f: f[:2])
    return name, case_steps(_with_case_numbers(store, releases))


def case_steps(releases) -> list[CaseStep]:
    """``releases`` in date order (undated last), each with its step and the sentence showing it."""
    steps = []
    for rel in sorted(releases, key=lambda r: (r.date or "9999", r.id)):
        step = _step(rel)
        start, end = _shown(rel, step)
        steps.append(CaseStep(rel, step or "", start, end))
    return steps


def mark_translations(steps: list[CaseStep], store, lexical) -> list[CaseStep]:
    """``steps`` with each release that translates another of them marked (Orange County and Dallas post
    some releases again in Spanish or Vietnamese, naming the same person: the pairs the fitted model of
    ``rag.collect.translations`` finds among the case's releases, as a count's). A translation takes the
    step of the release it translates: its title's words are no step's."""
    pairs = translations([s.release for s in steps], store, lexical)
    step = {s.release.id: s.step for s in steps}
    return [replace(s, translation_of=pairs[s.release.id], step=step[pairs[s.release.id]] or s.step)
            if s.release.id in pairs else s for s in steps]


def named_case(store, lexical, name: str, sources=()) -> list[CaseStep]:
    """The case of ``name`` as given (``rag case NAME``): every release naming them, in order."""
    return case_steps(_with_case_numbers(store, _naming(store, lexical, name, tuple(sources))))
