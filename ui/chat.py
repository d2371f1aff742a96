"""Chat logic without Gradio: validate input, retrieve, then answer (streamed when it can be).

``ChatService.run`` is a generator of events, so the UI can show the retrieved passages
the moment retrieval is done and the answer as it is written:

- ``Retrieved(search_question, hits)`` — right after retrieval;
- ``Partial(text)`` — the answer so far (LLM answerers only);
- ``Done(answer)`` — the checked answer, timings filled in.

Shared state is read-only after start-up (index, embedder); answerers are built once
under a lock, and local LLM generation takes turns (``rag.answer.turns``; a waiting question is
shown its place in line).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Sequence

from rag.answer import ANSWERERS
from rag.answer.turns import Waiting
from rag.errors import RagError
from rag.errors import ConfigError
from rag.models import Answer, Hit, Release
from rag.pipeline import Retrieved as PipelineRetrieved
from rag.retrieval import Filters

MAX_QUESTION_CHARS = 1000
MAX_K = 20


@dataclass(frozen=True)
class Retrieved:
    search_question: str
    hits: list[Hit]


@dataclass(frozen=True)
class Partial:
    text: str


@dataclass(frozen=True)
class Done:
    answer: Answer


@dataclass
class Turn:
    """One question and what came of it; kept per browser session for the panel and feedback."""

    question: str
    history: list[str] = field(default_factory=list)
    search_question: str = ""
    hits: list[Hit] = field(default_factory=list)
    answer: Answer | None = None
    partial: str = ""
    error: str = ""
    answerer: str = ""
    k: int = 0
    filters: dict = field(default_factory=dict)
    siblings: dict = field(default_factory=dict)  # cited release id -> (defendant, other releases of the case)
    deadlines: tuple[float, float] | None = None  # a model server's (first token, total) seconds: counted down


def check_question(question: str | None, limit: int = MAX_QUESTION_CHARS) -> str:
    """The question, stripped; ConfigError when it is empty or longer than ``limit`` characters."""
    text = (question or "").strip()
    if not text:
        raise ConfigError("the question is empty")
    if len(text) > limit:
        raise ConfigError(f"the question is {len(text)} characters long; the limit is {limit}. "
                          "Please ask a shorter question.")
    return text


def parse_filters(date_from: str | None = None, date_to: str | None = None, sources: Sequence[str] | str | None = None,
                  as_of: str | None = None, release_ids: Sequence[str] | str | None = None) -> Filters:
    """Filters from form values (blank means unset); ConfigError names the bad value."""
    def blank(v):
        if v is None or isinstance(v, str):
            return (v or "").strip() or None
        return v

    if isinstance(sources, str):
        sources = [sources]
    if isinstance(release_ids, str):
        release_ids = [release_ids]
    return Filters(date_from=blank(date_from), date_to=blank(date_to), sources=tuple(s for s in (sources or ()) if s),
                   release_ids=tuple(r for r in (release_ids or ()) if r), as_of=blank(as_of))


def filters_json(filters: Filters) -> dict:
    return {"date_from": filters.date_from.isoformat() if filters.date_from else None,
            "date_to": filters.date_to.isoformat() if filters.date_to else None,
            "sources": list(filters.sources), "release_ids": list(filters.release_ids),
            "as_of": filters.as_of.isoformat() if filters.as_of else None}


def check_k(k, default: int) -> int:
    """Passages to retrieve: ``default`` when unset (None, blank, 0), else a whole number 1..MAX_K."""
    if k is None or k == "" or k == 0:
        return default
    try:
        value = int(k)
        whole = float(k) == value
    except (TypeError, ValueError):
        whole = False
    if not whole or not 1 <= value <= MAX_K:
        raise ConfigError(f"k must be a whole number from 1 to {MAX_K}, got {k!r}")
    return value


class ChatService:
    def __init__(self, pipeline):
        self.pipeline = pipeline
        self.settings = pipeline.settings

    # -- what the form offers ----------------------------------------------------------
    @staticmethod
    def answerer_names() -> list[str]:
        return ANSWERERS.names()

    def sources(self) -> list[str]:
        """The distinct release sources in the index, for the source filter."""
        return self.pipeline.index.store.sources()

    def stats(self) -> tuple[int, int]:
        store = self.pipeline.index.store
        return store.count("releases"), store.count("chunks")

    def release(self, release_id: str) -> Release | None:
        return self.pipeline.index.release((release_id or "").strip())

    # -- work --------------------------------------------------------------------------
    def answerer(self, name: str | None):
        return self.pipeline.answerer((name or "").strip() or None)  # unknown names: ConfigError listing them

    def deadlines(self, name: str | None) -> tuple[float, float] | None:
        """The answerer's ``(first token, whole answer)`` deadlines in seconds, if it has any."""
        try:
            return getattr(self.answerer(name), "deadlines", None)
        except RagError:
            return None

    def warm_up(self) -> None:
        """Load the lexical index and the default answerer before the first visitor does."""
        self.pipeline.search("warm-up", 1)
        self.answerer(None)

    def search(self, query: str, k: int | None = None, filters: Filters | None = None) -> list[Hit]:
        query = check_question(query)
        return self.pipeline.search(query, check_k(k, 10), filters or Filters())

    def run(self, question: str, history: Sequence[str] = (), *, answerer: str | None = None, k=None,
            filters: Filters | None = None) -> Iterator[Retrieved | Partial | Done]:
        """Retrieve, report the hits, then answer (streamed when the answerer can).

        ``Pipeline.ask_stream``'s steps, as UI events: a follow-up is made standalone with the
        earlier questions (by the answerer's LLM when it has one, else by the rule), the
        standalone question is searched, and an answerer that rewrites reads its rewrite.
        """
        question = check_question(question)
        k = check_k(k, self.settings.retrieval.top_k)
        name = (answerer or "").strip() or self.settings.answerer
        self.answerer(name)  # validated (and built) before anything is shown
        parts: list[str] = []
        for item in self.pipeline.ask_stream(question, k=k, answerer=name, filters=filters or Filters(),
                                             history=[h for h in history if h]):
            if isinstance(item, PipelineRetrieved):
                yield Retrieved(item.query, item.hits)
            elif isinstance(item, Answer):
                yield Done(item)
            elif isinstance(item, Waiting):  # in line for the local model: shown until the first token
                yield Partial(item.text)
            else:
                parts.append(item)
                yield Partial("".join(parts))

    def siblings(self, answer: Answer) -> dict:
        """The other releases of the cases a fact answer cites (``Pipeline.siblings``)."""
        return self.pipeline.siblings(answer)

    def ask(self, question: str, history: Sequence[str] = (), **kwargs) -> tuple[Answer, list[Hit], str]:
        """The whole answer at once (the API): answer, hits, the question as searched."""
        hits, search_question, answer = [], question, None
        for event in self.run(question, history, **kwargs):
            if isinstance(event, Retrieved):
                hits, search_question = event.hits, event.search_question
            elif isinstance(event, Done):
                answer = event.answer
        return answer, hits, search_question
