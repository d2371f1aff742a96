"""What a counted or listed release must be, read from the question (a frozen record).

``criteria_for(question, sources)``: the sources it names (``rag.question.sources``), its date
window (its time words against ``as_of``; failing those, the one year a counting sentence
names), and its topic: the words after "mention", "about", "announced" ... as runs of index
stems ("a sentence of life without parole" -> ("sentenc",), ("life", "without", "parol")),
and a quoted title opening ("'Meet ...'").
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, replace

from ..question import Question
from ..question.mentions import INSTITUTION_WORDS
from ..question.route import counted_modifiers, only_year, title_prefix, topic_text
from ..question.sources import named_sources, source_names
from ..text.stopwords import FUNCTION_WORDS, TOPIC_FILLER
from ..text.plurals import variants
from ..text.tokenize import bm25_tokens

__all__ = ["Criteria", "criteria_for", "topic_runs", "with_words_topic"]

_NOT_TOPIC = frozenset("""press news media such individual separate different total distinct all every any times
    state attorney's attorneys' da's office's county's""".split())
_MONTH = (r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|spring|summer|autumn|fall|winter|year|month|week|last|this")


@dataclass(frozen=True)
class Criteria:
    """``sources`` (empty: all), ``start``/``end`` (ISO days, inclusive; None: open), ``topic``
    (the words as asked) and ``runs`` (their stems, see ``topic_runs``), ``title_prefix``, and
    ``words``: every content word of the question (``question_words``), which the fitted topic
    match (``rag.collect.topic``) reads beside the topic."""

    sources: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    topic: str = ""
    runs: tuple[tuple[tuple[str, ...], ...], ...] = ()
    title_prefix: str = ""
    words: str = ""
    fitted: bool = False  # the topic matched by the fitted model (``rag.collect.find``), not as word runs

    @property
    def windowed(self) -> bool:
        return self.start is not None or self.end is not None

    def holds_date(self, date: str | None) -> bool:
        """Whether a release dated ``date`` (ISO, maybe with a time) is inside the window; an undated
        one is inside no window."""
        if not self.windowed:
            return True
        if not date:
            return False
        day = date[:10]
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def describe(self) -> str:
        """The criteria in words, for the answer: a reader checks and corrects them."""
        return " ".join(["releases", *self.conditions()])

    def conditions(self) -> list[str]:
        """Each condition in words ("from kings_ny", "dated 2025-01-01 to 2025-12-31", ...)."""
        parts = []
        if self.sources:
            parts.append("from " + " or ".join(self.sources))
        if self.start and self.end:
            parts.append(f"dated {self.start} to {self.end}")
        elif self.start:
            parts.append(f"dated {self.start} or later")
        elif self.end:
            parts.append(f"dated {self.end} or earlier")
        if self.title_prefix:
            parts.append(f"titled \u201c{self.title_prefix} \u2026\u201d")
        if self.runs and self.fitted:
            parts.append(f"about \u201c{self.topic}\u201d (scored by the fitted topic match)")
        elif self.runs:
            parts.append(f"mentioning \u201c{self.topic}\u201d in one sentence")
        return parts

    def to_dict(self) -> dict:
        return asdict(self)


def topic_runs(topic: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """The topic's runs of content words (split at function words); each word as its index
    stems, with an irregular plural's partner ("knives": ("knive", "knife"))."""
    runs, run = [], []
    for word in re.findall(r"[\w'’-]+", topic):
        if word.lower() in FUNCTION_WORDS:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(word)
    if run:
        runs.append(run)
    out = []
    for words in runs:
        kept = [w for w in words if w.lower() not in TOPIC_FILLER]
        words = kept if len(kept) >= 2 else words
        stems = []
        for word in words:
            alternatives = tuple(dict.fromkeys(t for v in variants(word) for t in bm25_tokens(v)))
            if alternatives:
                stems.append(alternatives)
        if stems:
            out.append(tuple(stems))
    return tuple(out)


def _modifier_topic(text: str, sources) -> str:
    """The counted noun's modifiers that name neither the publisher nor the time ("How many
    hate-crime press releases did ... put out" -> "hate-crime"); "" when nothing is left."""
    mods = counted_modifiers(text)
    if not mods:
        return ""
    names = {w for s in sources for n in source_names(s) for w in n.split()}
    words = [w for w in re.findall(r"[\w'’-]+", mods)
             if w.lower() not in FUNCTION_WORDS | INSTITUTION_WORDS | names | _NOT_TOPIC
             and not re.fullmatch(r"\d+(?:st|nd|rd|th|s)?|(?:19|20)\d\d", w.lower())
             and not re.fullmatch(_MONTH, w.lower())]
    return " ".join(words)


_ASKING = frozenset("""how many which what who list name names show count counted counting number numbers total
    publish published publishing put puts issue issued issues post posted posts release released releases
    item items statement statements announcement announcements article articles story stories mention
    mentioned mentioning mentions dealt deal deals involved involve involving about announce announced
    were was did does do year years month months week weeks quarter half first second third fourth last
    this past so far named page pages repost reposts reposted""".split())


def question_words(text: str, sources, keep: str = "") -> str:
    """The question's content words that name neither a publisher (of ``sources``), the time, nor
    the asking and counting ("I'm tracking hit-and-run crashes: how many OC District Attorney
    releases in 2025 involved drivers charged" -> "I'm tracking hit-and-run crashes drivers charged");
    the words of ``keep`` (the topic) always stay ("mention Luton": Luton is also a place
    Bedfordshire Police names itself by)."""
    names = {w for s in sources for n in source_names(s) for w in n.lower().split()}
    drop = (FUNCTION_WORDS | INSTITUTION_WORDS | _NOT_TOPIC | _ASKING | names) - set(keep.lower().split())
    words = [w for w in (t.strip("'’") for t in re.findall(r"[\w'’-]+", text or ""))  # 'In The News': quoted
             if w and w.lower() not in drop and not re.fullmatch(r"\d+(?:st|nd|rd|th|s)?|(?:19|20)\d\d", w.lower())
             and not re.fullmatch(_MONTH, w.lower())]
    return " ".join(words)


def criteria_for(question: Question, sources) -> Criteria:
    """The criteria ``question`` states, over the index's ``sources``."""
    text = question.text
    start = end = None
    scope = question.time_scope
    if scope is not None and scope.bounded:  # "latest news (May-June 2026)": the months bound it
        start = scope.start.isoformat() if scope.start else None
        end = scope.end.isoformat() if scope.end else None
    elif (year := only_year(text)) is not None:
        start, end = dt.date(year, 1, 1).isoformat(), dt.date(year, 12, 31).isoformat()
    topic = topic_text(text) or _modifier_topic(text, sources)
    return Criteria(sources=named_sources(text, sources), start=start, end=end, topic=topic,
                    runs=topic_runs(topic), title_prefix=title_prefix(text),
                    words=question_words(text, sources, keep=topic) if topic else "")


def with_words_topic(criteria: Criteria, text: str, sources) -> Criteria:
    """``criteria`` with the question's content words (``question_words``) as its topic, for a list
    only the fitted router reads (``rag.collect.run``) whose wording has no word that says what a
    release is about ("Who did the Riverside DA charge with elder abuse in 2023?")."""
    words = question_words(text, sources)
    return replace(criteria, topic=words, runs=topic_runs(words), words=words)
