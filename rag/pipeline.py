"""The library's front door: load once, then search and ask many times.

    question ─(rewrite a follow-up)─▶ analyse ─▶ retrieve ─▶ Hit[] ─▶ answerer ─▶ Answer

``ask_stream`` is the one implementation of asking: the CLI, the chat and ``rag eval`` all
call it.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Sequence

from .answer import Answerer, Rewrite, get_answerer
from .answer.combine import combine, part_items, rescue_parts
from .collect.run import case_answer, case_siblings, collect, described_case, sentencing_passage
from .embedding import Embedder, embedder_from
from .errors import RagError
from .index import BuildReport, Index, build_index, generations
from .models import Answer, Citation, Hit, distinct_passages
from .question import Question, analyse, analyse_parts, as_question
from .retrieval import NO_FILTERS, Filters, whole, widen
from .retrieval.hybrid import HybridRetriever, retriever_config
from .retrieval.fusion import rrf
from .retrieval.known import known_as_context
from .retrieval.rerank import make_reranker
from .settings import Settings

log = logging.getLogger(__name__)


def make_embedder(settings: Settings) -> Embedder:
    return embedder_from(settings.embedding, settings.cache.dir)


def index_corpus(settings: Settings, roots=None, *, rebuild=False, progress=False,
                 embedder: Embedder | None = None, replace: bool = False) -> BuildReport:
    embedder = embedder or make_embedder(settings)
    mapper = None
    if settings.ray.address:  # per-file and per-release work and the embedding on a Ray cluster
        from .index.distributed import RayEmbedder, RayMap

        embedder = RayEmbedder(embedder, settings.embedding, settings.cache.dir, settings.ray.address,
                               settings.ray.actors, settings.ray.batch_size, progress=progress)
        mapper = RayMap(settings.ray.address, settings.ray.map_batch_size, progress=progress)
    return build_index(
        roots or [settings.corpus],
        settings.index_dir,
        embedder,
        settings.chunking,
        rebuild=rebuild,
        progress=progress,
        vector_index=settings.vectors.kind,
        qdrant=settings.vectors.qdrant(settings.index_dir),
        embed_cache=settings.cache.embed_cache,
        max_release_chars=settings.ingest.max_release_chars,
        replace=replace,
        mapper=mapper,
    )


def sync_feeds(settings: Settings, urls: Sequence[str] = (), *, source: str | None = None,
               progress: bool = False, embedder: Embedder | None = None, client=None):
    """``rag sync``: fetch what changed in ``urls`` (or every remembered feed) and update the index
    (see :mod:`rag.sync`). One writer at a time: the index's write lock is held throughout."""
    import sys

    from .index.build import update_index
    from .index.lock import WriteLock
    from .index.scope import urls_scope
    from .sync import sync

    say = (lambda line: print(line, file=sys.stderr, flush=True)) if progress else None

    def build(ingested, origins):
        return update_index(ingested, settings.index_dir, embedder or make_embedder(settings), settings.chunking,
                            scope=urls_scope, origins=origins, progress=progress,
                            vector_index=settings.vectors.kind, embed_cache=settings.cache.embed_cache, locked=True,
                            qdrant=settings.vectors.qdrant(settings.index_dir))

    with WriteLock(Path(settings.index_dir), on_wait=say):
        return sync(settings.index_dir, list(urls), build, config=settings.sync, source=source, client=client,
                    say=say, max_release_chars=settings.ingest.max_release_chars)


def make_retriever(settings: Settings, index, embedder) -> HybridRetriever:
    r = settings.retrieval
    config = retriever_config(r.retriever, dates=r.dates)
    return HybridRetriever(index, embedder, config, make_reranker(r.rerank, r.rerank_model or None))


def interleave(lists: Sequence[Sequence[Hit]], depth: int) -> list[Hit]:
    """The lists' hits taken in turn (first of each, then second of each ...), each passage
    once, re-ranked 1..n, at most ``depth``."""
    turns = zip(*[list(hits) + [None] * (depth - len(hits)) for hits in lists])
    out = distinct_passages(hit for row in turns for hit in row)
    return [Hit(h.chunk, h.release, h.score, n) for n, h in enumerate(out[:depth], start=1)]


def reciprocal(lists: Sequence[Sequence[Hit]], depth: int) -> list[Hit]:
    """The lists' hits by their release's summed reciprocal rank over the lists (a release ranked
    r-th among one list's releases adds 1/r), then by place in their list, then list order; each
    passage once, re-ranked 1..n, at most ``depth``. A release both parts of a question find comes
    first (the release about the whole case, not one part's near miss), and one part's r-th release
    comes before another's (r+1)-th however many passages of one release a list holds."""
    score = dict(rrf([[h.release.id for h in hits] for hits in lists], k=0))  # 1/r, each release at its best rank
    rows, seen = [], set()
    for part, hits in enumerate(lists):
        for pos, hit in enumerate(hits):
            if (hit.release.id, hit.chunk.seq) not in seen:
                seen.add((hit.release.id, hit.chunk.seq))
                rows.append((-score[hit.release.id], pos, part, hit))
    rows.sort(key=lambda row: row[:3])
    return [Hit(h.chunk, h.release, h.score, n) for n, (*_, h) in enumerate(rows[:depth], start=1)]


MERGES = {"interleave": interleave, "reciprocal": reciprocal}  # retrieval.split_merge


@dataclass(frozen=True)
class Retrieved:
    """``ask_stream``'s first item: the question as searched and the passages found."""

    query: str
    hits: list[Hit]


@dataclass(frozen=True)
class Generation:
    """One committed index generation and the retriever over it: what one request reads."""

    index: Index
    retriever: HybridRetriever


def part_fallbacks(impl: Answerer, parts: Sequence[Question], read: Sequence[list[Hit]],
                   answers: list[Answer]) -> list[Answer]:
    """An LLM's answers to the parts of a two-part question, a part it declined answered by its
    fallback (the extractive answerer, with its own refusal threshold) when another part was
    answered: the question is about something the releases hold, and half an answer beats none."""
    fallback = getattr(impl, "fallback", None)
    if not impl.streams or fallback is None or all(a.refused for a in answers):
        return answers
    out = []
    for part, passages, answer in zip(parts, read, answers):
        if answer.refused:
            alt = fallback.answer(part, passages)
            if not alt.refused:
                answer = replace(alt, note=f"the model declined this part; extractive answer: {alt.note}")
        out.append(answer)
    return out


def _whole_index(found: tuple[Answer, list[Hit]], search: str, t0: float, t_rewrite: float
                 ) -> Iterator[Retrieved | Answer]:
    """A count, list or case answered over the whole index: its hits, then the answer, timed (no
    passages were read, so no answer time)."""
    answer, hits = found
    t1 = time.perf_counter()
    yield Retrieved(search, hits)
    yield replace(answer, timings_ms={"retrieve": (t1 - t_rewrite) * 1000, "answer": 0.0, "total": (t1 - t0) * 1000})


class Pipeline:
    """Embedder, index, retriever and answerer, each loaded once.

    The index is the live generation of ``settings.index_dir``; when ``rag index`` commits a
    newer one, the next request loads it and switches (``refresh``); a request already running
    finishes on the generation it started with, so none sees half of an update."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None):
        self.settings = settings
        self.embedder = embedder or make_embedder(settings)
        self._generation = self._load()
        self._reload_lock = threading.Lock()
        self.embedder.embed(["warm-up"])  # load the model now, not inside the first query's timing
        self._answerers: dict[str, Answerer] = {}
        self._answerers_lock = threading.Lock()  # the chat serves several sessions at once

    def _load(self) -> Generation:
        index = Index(self.settings.index_dir, qdrant=self.settings.vectors.qdrant(self.settings.index_dir))
        index.check(self.embedder)
        retriever = make_retriever(self.settings, index, self.embedder)
        if retriever.config.bm25:
            index.lexical  # noqa: B018 -- read BM25 now: the next `rag index` deletes this generation's folder
        if self.settings.retrieval.routes:
            index.store.source_counts()  # one scan of the releases now, not inside the first count's answer
        return Generation(index, retriever)

    @property
    def index(self) -> Index:
        return self._generation.index

    @property
    def retriever(self) -> HybridRetriever:
        return self._generation.retriever

    @retriever.setter
    def retriever(self, retriever) -> None:
        """Another retriever over the same generation (an evaluation's variant)."""
        self._generation = replace(self._generation, retriever=retriever)

    def add_files(self, files: Sequence[str]):
        """Files uploaded in the chat: saved under the index's uploads folder and indexed (that
        folder is one more root; the rest of the index is kept). Returns ``(saved, BuildReport)``;
        the next request serves the new generation."""
        from .index.uploads import save_uploads, uploads_root

        saved = save_uploads(self.settings.index_dir, files)
        report = None
        if saved.files:
            report = index_corpus(self.settings, [str(uploads_root(self.settings.index_dir))],
                                  embedder=self.embedder)
        self.refresh()
        return saved, report

    def refresh(self) -> Generation:
        """The generation to serve a request from: the live one, loaded first if ``rag index``
        committed it since the last request. A newer one that cannot be loaded (being replaced
        again, or damaged) is logged and the one in use kept."""
        gen = self._generation
        try:
            live = generations.current(Path(self.settings.index_dir))
        except RagError:
            live = None
        if live is None or live == gen.index.folder:
            return gen
        with self._reload_lock:
            if self._generation.index.folder != live:
                try:
                    new = self._load()
                except RagError as exc:
                    log.warning("index %s changed but the new generation cannot be loaded (%s); still serving %s",
                                self.settings.index_dir, exc, gen.index.folder.name)
                    return self._generation
                log.info("index %s: now serving %s", self.settings.index_dir, new.index.folder.name)
                self._generation = new
            return self._generation

    def answerer(self, name: str | None = None) -> Answerer:
        """The answerer registered as ``name`` (default: settings), built once."""
        name = name or self.settings.answerer
        with self._answerers_lock:
            if name not in self._answerers:
                self._answerers[name] = get_answerer(name, embedder=self.embedder, settings=self.settings)
            return self._answerers[name]

    def analyse(self, question: str, filters: Filters = NO_FILTERS) -> Question:
        """The question as the pipeline reads it ("today" is ``filters.as_of``)."""
        return analyse(question, filters.as_of)

    def search(self, query: str | Question, k: int | None = None, filters: Filters = NO_FILTERS, *,
               generation: Generation | None = None) -> list[Hit]:
        gen = generation or self.refresh()
        return gen.retriever.retrieve(as_question(query, filters.as_of), k or self.settings.retrieval.top_k, filters)

    def passages(self, hits: list[Hit], *, generation: Generation | None = None) -> list[Hit]:
        """What the answerer reads: the hits, widened by neighbouring chunks if set, the first one
        to its whole release if set (``retrieval.whole_first``)."""
        store = (generation or self._generation).index.store
        out = [widen(h, store, self.settings.retrieval.widen) for h in hits]
        if out and self.settings.retrieval.whole_first:
            out[0] = whole(out[0])
        return out

    def read(self, question: Question, hits: list[Hit], filters: Filters, gen: Generation) -> list[Hit]:
        """The passages the answerer reads for ``question``: ``hits`` (widened), led by the case's
        sentencing passage when it asks what sentence someone received (``retrieval.case_passages``;
        ``rag.collect.run.sentencing_passage``) and the search did not rank that passage first."""
        passages = self.passages(hits, generation=gen)
        read = list({h.release.id: h.release for h in passages}.values())
        found = (sentencing_passage(question, gen.index, filters, read) if self.settings.retrieval.case_passages
                 else None)
        if found is None or (passages and passages[0].release.id == found.release.id):
            return passages
        rest = [h for h in passages if (h.release.id, h.chunk.seq) != (found.release.id, found.chunk.seq)]
        return [found] + rest[: max(0, len(hits) - 1)]

    def grounded(self, question: Question, passages: list[Hit], gen: Generation) -> Question:
        """``question`` as the answerer reads it: a name the passages lack but the archive holds
        is context, no grounds to refuse (``retrieval.known_names``; ``rag.retrieval.known``)."""
        if not self.settings.retrieval.known_names:
            return question
        return known_as_context(question, passages, gen.index.store)

    def rewrite(self, question: str, history: Sequence[str] = (), answerer: str | None = None) -> Rewrite:
        """A follow-up made standalone with the conversation (by the answerer: its LLM when it
        has one, else the rule); a question with no history as it is."""
        if not history:
            return Rewrite(search=question, reads=question)
        return self.answerer(answerer).rewrite(question, history)

    def ask_stream(self, question: str, *, k: int | None = None, depth: int | None = None,
                   answerer: str | None = None, filters: Filters = NO_FILTERS,
                   history: Sequence[str] = ()) -> Iterator[Retrieved | str | Answer]:
        """Answer ``question`` step by step: ``Retrieved`` as soon as the passages are found,
        then text deltas while an LLM answerer writes, then the checked ``Answer`` (timed).

        ``k`` passages reach the answerer (default: settings); ``depth`` (>= k) more are
        retrieved and reported in ``Retrieved`` (the evaluation ranks releases over them).
        Earlier questions in ``history`` make a follow-up standalone (see ``rewrite``). A
        question asking two things (``Question.parts``) is searched once per part, the parts'
        passages merged (``retrieval.split_merge``: by summed reciprocal release rank, or in turn), and
        answered each from its own passages (``retrieval.part_top_k`` of them; an LLM's: ``k``), the answers combined
        (``retrieval.split``); an LLM answerer (``retrieval.split_llm``) generates once per part,
        the parts' text streamed in turn, and the combined answer (renumbered sources) last."""
        t0 = time.perf_counter()
        k = k or self.settings.retrieval.top_k
        depth = max(k, depth or k)
        gen = self.refresh()
        rewrite = self.rewrite(question, history, answerer)
        t_rewrite = time.perf_counter()
        searched = self.analyse(rewrite.search, filters)
        impl = self.answerer(answerer)
        routed = collect(searched, gen.index, filters, impl.name) if self.settings.retrieval.routes else None
        if routed is not None:  # a count, list or case: over the whole index, no passages to read
            yield from _whole_index(routed, rewrite.search, t0, t_rewrite)
            return
        split = self.settings.retrieval.split and (not impl.streams or self.settings.retrieval.split_llm)
        parts = list(analyse_parts(searched, self.settings.retrieval.split_search)) if split else []
        # a part reads more passages than a whole question: its own release is often further down (not for an LLM,
        # whose prompt would grow)
        part_k = k if impl.streams else max(k, self.settings.retrieval.part_top_k)
        if len(parts) > 1:  # asks two things: each part searched on its own
            per_part = [self.search(part, max(depth, part_k), filters, generation=gen) for part in parts]
            hits = MERGES[self.settings.retrieval.split_merge](per_part, depth)
        else:
            parts, hits = [], self.search(searched, depth, filters, generation=gen)
        described = (described_case(searched, hits, gen.index, filters, impl.name)
                     if self.settings.retrieval.routes and not parts else None)
        if described is not None:  # a case asked by description
            yield from _whole_index(described, rewrite.search, t0, t_rewrite)
            return
        t1 = time.perf_counter()
        yield Retrieved(rewrite.search, hits)
        answer = None
        if parts:  # and answered on its own
            answers: list[Answer] = []
            read = [self.read(part, found[:part_k], filters, gen) for part, found in zip(parts, per_part)]
            parts = [self.grounded(part, passages, gen) for part, passages in zip(parts, read)]
            said: list[Citation] = []  # what earlier parts quoted (extractive: not quoted again)
            for part, passages in zip(parts, read):
                gap = bool(answers)  # the next part's text follows the last one's after a space
                for item in part_items(impl, part, passages, said):
                    if isinstance(item, Answer):
                        said.extend(item.citations)
                        answers.append(item)
                    else:
                        if gap and isinstance(item, str):
                            yield " "
                            gap = False
                        yield item
            answer = combine(rescue_parts(impl, parts, read, part_fallbacks(impl, parts, read, answers)), impl.name)
        else:
            reads = self.analyse(rewrite.reads, filters)
            passages = self.read(reads, hits[:k], filters, gen)
            for item in impl.stream(self.grounded(reads, passages, gen), passages):
                if isinstance(item, Answer):
                    answer = item
                else:
                    yield item
        t2 = time.perf_counter()
        timings = dict(answer.timings_ms)
        if history:
            timings["rewrite"] = (t_rewrite - t0) * 1000
        timings.update(retrieve=(t1 - t_rewrite) * 1000, answer=(t2 - t1) * 1000, total=(t2 - t0) * 1000)
        yield replace(answer, timings_ms=timings)

    def case(self, name: str, filters: Filters = NO_FILTERS) -> Answer:
        """The case of the person ``name``: every release naming them, in date order, each step
        labelled and cited, the latest first (``rag case``)."""
        return case_answer(name, self.refresh().index, filters)

    def siblings(self, answer: Answer) -> dict[str, tuple[str, list]]:
        """For each release a fact answer cites: (its defendant, the other releases of that
        case), when there are any ("2 more releases about this case")."""
        if answer.route != "fact":
            return {}
        index, out = self.refresh().index, {}
        for rid in dict.fromkeys(c.release_id for c in answer.citations):
            release = index.store.release(rid)
            found = case_siblings(release, index) if release is not None else None
            if found:
                out[rid] = found
        return out

    def ask(self, question: str, **kwargs) -> tuple[Answer, list[Hit]]:
        """The whole answer at once: ``ask_stream``'s last item and its hits."""
        hits, answer = [], None
        for item in self.ask_stream(question, **kwargs):
            if isinstance(item, Retrieved):
                hits = item.hits
            elif isinstance(item, Answer):
                answer = item
        return answer, hits
