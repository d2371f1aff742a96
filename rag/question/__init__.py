"""Question understanding, in one step: ``analyse(question, as_of) -> Question``.

Retrieval and the answerers read the same frozen record instead of each parsing the text
again: what is asked (answer type, one thing or two, a release itself), what is named
(people, places, numbers, quoted phrases), the time scope, and the text to search.

Modules: ``mentions`` (names, numbers, quotes and where a release holds them), ``asked``
(what kind of answer), ``lookup`` (questions asking for a release), ``timeparse`` (time
words -> a release-date scope), ``followup`` (follow-ups made standalone).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from ..text.clean import clean_input
from ..text.quotes import quoted_phrases
from ..text.tokenize import content_stems
from .asked import answer_type, asks_two_things, question_parts
from .lookup import asks_for_release, search_text
from .mentions import Mention, question_mentions, specific_terms
from .timeparse import TimeScope, parse_time

__all__ = ["Mention", "Question", "TimeScope", "analyse", "analyse_parts", "as_question"]


@dataclass(frozen=True)
class Question:
    """A question as the pipeline understands it.

    ``text``: as asked (stripped). ``search_text``: without wording that asks for a release.
    ``answer_type``: "quantity", "time", "person" or None. ``asks_for_release``: "which
    release ...?" (title and date are the answer). ``asks_two_things``: "what X ..., and what
    Y ...?". ``mentions``: what a passage must name to be about it. ``quoted_phrases``: the
    phrases in quote marks (two words or more). ``specific_terms``: capitalised words,
    numbers and quotes, lower-cased. ``time_scope``: time words read against ``as_of``
    (None: none). ``stems``: content stems (question words and filler dropped). ``parts``: the
    question as one question per thing it asks, each with its context (one part: itself).
    """

    text: str
    as_of: dt.date | None
    search_text: str
    answer_type: str | None
    asks_for_release: bool
    asks_two_things: bool
    mentions: tuple[Mention, ...]
    quoted_phrases: tuple[str, ...]
    specific_terms: tuple[str, ...]
    time_scope: TimeScope | None
    stems: tuple[str, ...]
    parts: tuple[str, ...] = ()

    @property
    def required_mentions(self) -> tuple[Mention, ...]:
        """The mentions an answer's release must contain (not the publisher or jurisdiction)."""
        return tuple(m for m in self.mentions if m.required)


def analyse(question: str, as_of: dt.date | str | None = None) -> Question:
    """Read ``question`` once (cleaned: ``rag.text.clean``); ``as_of`` is the day "today" means (None: today)."""
    text = clean_input(question or "").strip()
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    return Question(
        text=text,
        as_of=as_of,
        search_text=search_text(text),
        answer_type=answer_type(text),
        asks_for_release=asks_for_release(text),
        asks_two_things=asks_two_things(text),
        mentions=tuple(question_mentions(text)),
        quoted_phrases=tuple(quoted_phrases(text)),
        specific_terms=tuple(specific_terms(text)),
        time_scope=parse_time(text, as_of),
        stems=tuple(content_stems(text)),
        parts=question_parts(text) if text else (),
    )


_YEAR = re.compile(r"(?:19|20)\d\d")


def analyse_parts(question: Question, whole_search: bool = True) -> tuple[Question, ...]:
    """The parts of ``question`` (``Question.parts``), each analysed. A later part whose time
    words are only those of the context it shares with the first ("Campbell was charged in
    January 2008. What maximum sentence did he face, and what sentence did he receive?") looks
    from that time on rather than inside it: a case's later step is in a later release, which need
    not name the context's year either (a year the first part names is context in the later one). With
    ``whole_search``, a later part is searched with the whole question's words after its own: what
    it asks about is often only in the first ("How much did the officer pay the man for a cougar
    head, and what fine did he get?"), which the part keeps only as names, if any (``question_parts``)."""
    parts = [analyse(p, question.as_of) for p in question.parts]
    if whole_search:
        parts[1:] = [replace(p, search_text=f"{p.search_text} {question.search_text}") for p in parts[1:]]
    first = parts[0].time_scope if parts else None
    years = {m.text for m in parts[0].mentions if m.kind == "number" and _YEAR.fullmatch(m.text)} if parts else set()
    for i, part in enumerate(parts[1:], start=1):
        scope = part.time_scope
        if scope is not None and first is not None and scope.matched == first.matched and scope.start is not None:
            part = replace(part, time_scope=TimeScope(scope.start, None, False, scope.matched))
        if any(m.text in years for m in part.mentions):  # for the same reason, its year is context
            part = replace(part, mentions=tuple(replace(m, kind="context") if m.kind == "number" and m.text in years
                                                else m for m in part.mentions))
        parts[i] = part
    return tuple(parts)


def as_question(question: Question | str, as_of: dt.date | None = None) -> Question:
    """``question`` itself, or the analysis of a question given as text."""
    return question if isinstance(question, Question) else analyse(question, as_of)
