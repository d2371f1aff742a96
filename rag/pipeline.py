"""The library's front door: load once, then search and ask many times."""
from __future__ import annotations

import time
from dataclasses import replace

from typing import Sequence

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
    return get_embedder(settings.embedder, batch_size=settings.embed_batch_size, dtype=settings.embed_dtype)


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

    def answerer(self, name: str | None = None):
        name = name or self.settings.answerer
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

    def ask(self, question: str, *, k: int | None = None, answerer: str | None = None,
            filters: Filters = NO_FILTERS, history: Sequence[str] = ()) -> tuple[Answer, list[Hit]]:
        """Answer ``question``; earlier questions in ``history`` make a follow-up standalone.

        The search uses the standalone question; an LLM answerer also reads its own rewrite
        (the rule's "terms: question" form is for search only)."""
        t0 = time.perf_counter()
        query = self.standalone(question, history, answerer)
        t_rewrite = time.perf_counter()
        hits = self.search(query, k, filters)
        t1 = time.perf_counter()
        impl = self.answerer(answerer)
        answer = impl.answer(query if hasattr(impl, "rewrite") else question, self.passages(hits))
        t2 = time.perf_counter()
        timings = dict(answer.timings_ms)
        timings.update(rewrite=(t_rewrite - t0) * 1000, retrieve=(t1 - t_rewrite) * 1000,
                       answer=(t2 - t1) * 1000, total=(t2 - t0) * 1000)
        return replace(answer, timings_ms=timings), hits
