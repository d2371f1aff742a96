"""The library's front door: load once, then search and ask many times."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

from typing import Iterator, Sequence

from .answer import get_answerer
from .conversation import standalone
from .chunking import ChunkerSettings
from .embedding import Embedder, get_embedder
from .index import BuildReport, Index, build_index
from .models import Answer, Hit
from .retrieval import NO_FILTERS, Filters, widen
from .retrieval.hybrid import HybridRetriever, retriever_config
from .retrieval.rerank import make_reranker
from .settings import Settings


def chunker_settings(settings: Settings) -> ChunkerSettings:
    return ChunkerSettings(settings.chunk_tokens, settings.overlap_tokens)


def make_embedder(settings: Settings) -> Embedder:
    return get_embedder(settings.embedder, batch_size=settings.embed_batch_size, dtype=settings.embed_dtype,
                        backend=settings.embed_backend)


def index_corpus(settings: Settings, roots=None, *, rebuild=False, progress=False,
                 embedder: Embedder | None = None) -> BuildReport:
    return build_index(
        roots or [settings.corpus],
        settings.index_dir,
        embedder or make_embedder(settings),
        chunker_settings(settings),
        rebuild=rebuild,
        progress=progress,
    )


def make_retriever(settings: Settings, index, embedder) -> HybridRetriever:
    config = retriever_config(settings.retriever, dates=settings.dates)
    return HybridRetriever(index, embedder, config, make_reranker(settings.rerank, settings.rerank_model or None))


@dataclass(frozen=True)
class Retrieved:
    """``ask_stream``'s first item: the question as searched and the passages found."""

    query: str
    hits: list[Hit]


class Pipeline:
    """Embedder, index, retriever and answerer, each loaded once."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None):
        self.settings = settings
        self.embedder = embedder or make_embedder(settings)
        self.index = Index(settings.index_dir)
        self.index.check(self.embedder)
        self.retriever = make_retriever(settings, self.index, self.embedder)
        self.embedder.embed(["warm-up"])  # load the model now, not inside the first query's timing
        self._answerers: dict[str, object] = {}
        self._answerers_lock = threading.Lock()  # the chat serves several sessions at once

    def answerer(self, name: str | None = None):
        """The answerer registered as ``name`` (default: settings), built once."""
        name = name or self.settings.answerer
        with self._answerers_lock:
            if name not in self._answerers:
                self._answerers[name] = get_answerer(name, embedder=self.embedder)
            return self._answerers[name]

    def search(self, query: str, k: int | None = None, filters: Filters = NO_FILTERS) -> list[Hit]:
        return self.retriever.retrieve(query, k or self.settings.top_k, filters)

    def passages(self, hits: list[Hit]) -> list[Hit]:
        """What the answerer reads: the hits, widened by neighbouring chunks if set."""
        return [widen(h, self.index.store, self.settings.widen) for h in hits]

    def standalone(self, question: str, history: Sequence[str] = (), answerer: str | None = None) -> str:
        """The question to search for: a follow-up rewritten with the conversation, by the
        answerer's LLM when it has one (``rewrite``), else by the cheap rule."""
        if not history:
            return question
        rewrite = getattr(self.answerer(answerer), "rewrite", None)
        return rewrite(question, history) if rewrite else standalone(question, history)

    def ask_stream(self, question: str, *, k: int | None = None, answerer: str | None = None,
                   filters: Filters = NO_FILTERS, history: Sequence[str] = ()) -> Iterator[Retrieved | str | Answer]:
        """Answer ``question`` step by step: ``Retrieved`` as soon as the passages are found,
        then text deltas while an LLM answerer writes, then the checked ``Answer`` (timed).

        Earlier questions in ``history`` make a follow-up standalone; the search uses the
        standalone question, and an LLM answerer also reads its own rewrite (the rule's
        "terms: question" form is for search only)."""
        t0 = time.perf_counter()
        query = self.standalone(question, history, answerer)
        t_rewrite = time.perf_counter()
        hits = self.search(query, k, filters)
        t1 = time.perf_counter()
        yield Retrieved(query, hits)
        impl = self.answerer(answerer)
        reads, passages = (query if hasattr(impl, "rewrite") else question), self.passages(hits)
        answer = None
        if hasattr(impl, "stream"):
            for item in impl.stream(reads, passages):
                if isinstance(item, Answer):
                    answer = item
                else:
                    yield item
        else:
            answer = impl.answer(reads, passages)
        t2 = time.perf_counter()
        timings = dict(answer.timings_ms)
        if history:
            timings["rewrite"] = (t_rewrite - t0) * 1000
        timings.update(retrieve=(t1 - t_rewrite) * 1000, answer=(t2 - t1) * 1000, total=(t2 - t0) * 1000)
        yield replace(answer, timings_ms=timings)

    def ask(self, question: str, **kwargs) -> tuple[Answer, list[Hit]]:
        """The whole answer at once: ``ask_stream``'s last item and its hits."""
        hits, answer = [], None
        for item in self.ask_stream(question, **kwargs):
            if isinstance(item, Retrieved):
                hits = item.hits
            elif isinstance(item, Answer):
                answer = item
        return answer, hits
