"""Build or update an index from corpus roots: embed only what is new or changed."""
from __future__ import annotations

import functools
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from ..chunking import ChunkerSettings
from ..config import IngestConfig
from ..embedding import Embedder
from ..errors import IndexUnavailable
from ..ingest import IngestResult, load_corpus
from ..mapping import LocalMap, Mapper
from ..models import Skipped
from ..text.people import case_numbers, named_people
from . import generations, lexical, scope as scopes
from .embcache import CachedEmbedder, EmbeddingCache, cache_path, fingerprint
from .lock import WriteLock
from .manifest import Manifest, record_files
from .prepare import prepare
from .store import MetaStore
from .vector_registry import AUTO, choose_index, fit_index, load_vector_index, new_vector_index
from .vectors import day_number

META = "meta.sqlite"
VECTORS = "vectors.faiss"


@dataclass
class BuildReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    chunks_embedded: int = 0      # texts sent to the model (embedding-cache misses)
    cache_hits: int = 0           # texts whose vectors came from the embedding cache
    cache_misses: int = 0
    releases: int = 0
    chunks: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    written: bool = False
    kept: dict[str, int] = field(default_factory=dict)  # releases from other roots/feeds kept: origin -> count
    added_ids: list[str] = field(default_factory=list)
    updated_ids: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def _lexical_loads(folder: Path) -> bool:
    """False for an index from before BM25, or one whose tokenizer has since changed."""
    try:
        lexical.LexicalIndex.load(folder)
    except IndexUnavailable:
        return False
    return True


def _has_names(folder: Path) -> bool:
    """False for an index from before the ``names`` table (or an older version of its patterns)."""
    store = MetaStore(folder / META, readonly=True, check=False)
    try:
        return store.names_ready
    finally:
        store.close()


def _has_date_index(folder: Path) -> bool:
    """False for an index from before releases(date) was indexed (date-window filters scanned every
    release body: ~25 ms a query on 8.6k releases, 0.1 ms with the index)."""
    store = MetaStore(folder / META, readonly=True, check=False)  # checked when the live store was read
    try:
        return bool(store.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'releases_date'").fetchall())
    finally:
        store.close()


def _collection_read_now(index_dir: Path) -> str | None:
    """The Qdrant collection of the generation being replaced (readers may still be on it)."""
    from .qdrant import collection_of

    live = generations.current(index_dir)
    return collection_of(live / VECTORS) if live is not None else None


def build_index(
    roots: Sequence[str | Path],
    index_dir: str | Path,
    embedder: Embedder,
    chunker: ChunkerSettings = ChunkerSettings(),
    *,
    rebuild: bool = False,
    progress: bool = False,
    vector_index: str = AUTO,
    embed_cache: str = "",
    max_release_chars: int = IngestConfig.max_release_chars,
    replace: bool = False,
    qdrant: dict | None = None,
    mapper: Mapper | None = None,
) -> BuildReport:
    """Bring the releases of ``index_dir`` that come from ``roots`` in line with the files there.

    Releases are compared by id and content hash: new ones are added, changed
    ones re-chunked and re-embedded, vanished ones removed, the rest untouched.
    Releases from other roots (or synced feeds) are kept and counted in ``report.kept``, unless
    ``replace`` (then the index holds exactly ``roots``; ``rebuild`` implies it).
    Nothing is written when nothing changed. Every save is atomic (see generations), and one
    process at a time writes an index (``lock.WriteLock``: a second waits, saying for whom when
    ``progress`` is on). ``vector_index`` forces a vector index type (``auto``: by size; ``qdrant``: where
    a Qdrant server index lives, settings ``vectors.qdrant_*``);
    ``embed_cache`` is the embedding cache file (empty: beside the index; ``off``: none); a release
    longer than ``max_release_chars`` is skipped. ``mapper`` (rag.mapping) runs the per-file and
    per-release work (reading, cleaning, chunking, tokenizing): here by default, or on a Ray cluster.
    """
    index_dir = Path(index_dir)
    say = (lambda line: print(line, file=sys.stderr, flush=True)) if progress else None
    origins = [(str(Path(r).resolve()), "file" if Path(r).is_file() else "folder") for r in roots]
    with WriteLock(index_dir, on_wait=say):
        t0 = time.perf_counter()
        ingested = load_corpus(roots, progress=progress, max_release_chars=max_release_chars, mapper=mapper)
        return update_index(ingested, index_dir, embedder, chunker, scope=scopes.roots_scope(roots),
                            origins=origins, rebuild=rebuild, replace=replace, progress=progress,
                            vector_index=vector_index, embed_cache=embed_cache, qdrant=qdrant,
                            ingest_seconds=time.perf_counter() - t0, locked=True, mapper=mapper)


def update_index(
    ingested: IngestResult,
    index_dir: str | Path,
    embedder: Embedder,
    chunker: ChunkerSettings = ChunkerSettings(),
    *,
    scope: scopes.Scope,
    origins: Sequence[tuple[str, str]] = (),
    rebuild: bool = False,
    replace: bool = False,
    progress: bool = False,
    vector_index: str = AUTO,
    embed_cache: str = "",
    ingest_seconds: float = 0.0,
    locked: bool = False,
    qdrant: dict | None = None,
    mapper: Mapper | None = None,
) -> BuildReport:
    """Make the releases of ``index_dir`` that lie in ``scope`` (a test on a release's path) exactly
    ``ingested``; keep the others (``replace``: remove them too). ``origins`` (location, kind) are
    recorded as brought in now. ``locked``: the caller holds the index's write lock; ``mapper``: where
    the per-release work runs (rag.mapping; default here)."""
    index_dir = Path(index_dir)
    if not locked:
        say = (lambda line: print(line, file=sys.stderr, flush=True)) if progress else None
        with WriteLock(index_dir, on_wait=say):
            return update_index(ingested, index_dir, embedder, chunker, scope=scope, origins=origins,
                                rebuild=rebuild, replace=replace, progress=progress, vector_index=vector_index,
                                embed_cache=embed_cache, ingest_seconds=ingest_seconds, locked=True, qdrant=qdrant,
                                mapper=mapper)
    return _build(ingested, index_dir, embedder, chunker, rebuild, progress, vector_index, embed_cache,
                  scope, replace or rebuild, origins, ingest_seconds, qdrant, mapper or LocalMap(progress))


def _build(ingested: IngestResult, index_dir: Path, embedder: Embedder, chunker: ChunkerSettings, rebuild: bool,
           progress: bool, vector_index: str, embed_cache: str, scope: scopes.Scope, replace: bool,
           origins: Sequence[tuple[str, str]], ingest_seconds: float, qdrant: dict | None,
           mapper: Mapper) -> BuildReport:
    report = BuildReport()
    report.skipped = list(ingested.skipped)
    t0 = time.perf_counter() - ingest_seconds
    report.seconds["ingest"] = ingest_seconds

    live = None if rebuild else generations.current(index_dir)
    old_hashes: dict[str, str] = {}
    old_paths: dict[str, str] = {}
    old_skipped: list[Skipped] = []
    known_origins: list[str] = []
    variant = getattr(embedder, "variant", None)
    live_manifest = None
    if live is not None:
        live_manifest = Manifest.read(live)
        live_manifest.check(embedder.name, embedder.dim, chunker.chunk_tokens, chunker.overlap_tokens, variant)
        store = MetaStore(live / META, readonly=True)
        old_hashes, old_paths, old_skipped = store.release_hashes(), store.release_paths(), store.skipped()
        known_origins = [location for location, _kind, _when in store.origins()]
        store.close()

    def ours(rid: str) -> bool:  # may this build change or remove the indexed release rid?
        return replace or scope(old_paths[rid])

    new: dict[str, object] = {}
    for r in ingested.releases:
        if r.id in old_paths and not ours(r.id):  # the same id from another root: keep the one indexed
            report.skipped.append(Skipped(r.path, f"id clash: {r.id!r} is already indexed from {old_paths[r.id]} "
                                                  "(another root; index with --replace to take this one)"))
        else:
            new[r.id] = r
    added = [rid for rid in new if rid not in old_hashes]
    updated = [rid for rid in new if rid in old_hashes and old_hashes[rid] != new[rid].content_hash]
    removed = [rid for rid in old_hashes if rid not in new and ours(rid)]
    kept = [old_paths[rid] for rid in old_hashes if rid not in new and not ours(rid)]
    report.kept = scopes.by_origin(kept, known_origins)
    report.added, report.updated, report.removed = len(added), len(updated), len(removed)
    report.added_ids, report.updated_ids = added, updated
    report.unchanged = len(new) - len(added) - len(updated)
    # skips of files outside this build's scope stay on record
    all_skipped = sorted([*(s for s in old_skipped if not (replace or scope(s.path))), *report.skipped],
                         key=lambda s: s.path)
    up_to_date = live is not None and _lexical_loads(live) and _has_date_index(live) and _has_names(live)
    if up_to_date and not report.changed and old_skipped == all_skipped:
        report.releases = len(new) + len(kept)
        report.chunks = Manifest.read(live).chunks
        report.seconds["total"] = time.perf_counter() - t0
        return report

    folder = generations.new_generation(index_dir)
    if live is not None:
        shutil.copyfile(live / META, folder / META)
        vectors = load_vector_index(live / VECTORS, live_manifest.vector_params, qdrant)
        if hasattr(vectors, "branch"):  # a server collection: the new generation writes to its own copy
            vectors = vectors.branch()
    else:
        vectors = None  # its type is chosen below, once the number of chunks is known
    store = MetaStore(folder / META)
    gone = store.delete_releases(updated + removed)
    if vectors is not None:
        vectors.remove(gone)
    lexical.ensure_tables(store.db)
    lexical.delete_tokens(store.db, gone, updated + removed)

    t1 = time.perf_counter()
    todo = [new[rid] for rid in added + updated]
    prepared = mapper(functools.partial(prepare, chunker=chunker), todo, "chunking")
    report.seconds["chunk"] = time.perf_counter() - t1
    texts = [c.embed_text(p.release.title, p.release.date) for p in prepared for c in p.chunks]
    t2 = time.perf_counter()
    path = cache_path(index_dir, embed_cache)
    cache = EmbeddingCache(path, fingerprint(embedder), embedder.dim) if path is not None and texts else None
    cached = CachedEmbedder(embedder, cache)
    try:
        embedded = cached.embed(texts, progress=progress)
    finally:
        if cache is not None:
            cache.close()
    report.seconds["embed"] = time.perf_counter() - t2
    report.chunks_embedded = report.cache_misses = cached.misses
    report.cache_hits = cached.hits

    ids: list[int] = []
    payload: list[dict] = []  # what a Qdrant index filters on (FAISS keeps ids only)
    chunk_tokens: dict[int, list[str]] = {}
    names_were_ready = store.names_ready
    for p in prepared:
        release = p.release
        new_ids = store.add_release(release, p.chunks)
        payload += [{"release_id": release.id, "source": release.source, "date": day_number(release.date),
                     "start": c.start, "end": c.end} for c in p.chunks]
        store.add_names(release.id, p.names, p.cases)
        chunk_tokens.update(zip(new_ids, p.chunk_tokens))
        ids += new_ids
    if vectors is None:
        vectors = new_vector_index(choose_index(len(ids), embedder.dim, vector_index), embedder.dim, qdrant)
    vectors.add(ids, embedded, payload=payload)
    vectors = fit_index(vectors, len(vectors), vector_index)  # another type (or retrained buckets) past a size threshold
    t3 = time.perf_counter()
    lexical.store_token_lists(store.db, chunk_tokens, {p.release.id: p.title_tokens for p in prepared})
    lexical.backfill(store.db)  # an index from before BM25 existed gets its tokens once
    if names_were_ready or live is None:
        store.mark_names_ready()
    else:  # an index from before the names table: every release read once
        store.fill_names(lambda body: (named_people(body), case_numbers(body)))
    bm25 = lexical.build_from_db(store.db)
    store.set_skipped(all_skipped)
    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    if replace:
        store.forget_origins(lambda location: location in {loc for loc, _ in origins})
    for location, kind in origins:
        store.record_origin(location, kind, when)
    store.commit()
    report.releases, report.chunks = store.count("releases"), store.count("chunks")
    store.close()
    vectors.save(folder / VECTORS)
    bm25.save(folder)
    report.seconds["bm25"] = time.perf_counter() - t3
    Manifest(
        embedder=embedder.name,
        dim=embedder.dim,
        chunk_tokens=chunker.chunk_tokens,
        overlap_tokens=chunker.overlap_tokens,
        vector_index=vectors.name,
        vector_params=getattr(vectors, "params", {}),
        embed_variant=variant or "",
        releases=report.releases,
        chunks=report.chunks,
        corpus=tuple(loc for loc, kind in origins if kind != "feed") or (live_manifest.corpus if live_manifest else ()),
        built_at=when,
        files=record_files(folder),
        # variants that agree within tolerance may mix (rag.embedding.compatible_variants): all are listed
        extra={"embed_dtype": getattr(embedder, "dtype", "float32"),
               "embed_variants": sorted({*(live_manifest.extra.get("embed_variants", [live_manifest.variant])
                                           if live_manifest and variant else []), *([variant] if variant else [])})},
    ).write(folder)
    reading = _collection_read_now(index_dir) if vectors.name == "qdrant" else None
    generations.publish(index_dir, folder)
    if vectors.name == "qdrant":  # server collections of generations no reader is on any more
        from .qdrant import retire

        retire(index_dir, vectors, reading)
    report.written = True
    report.seconds["total"] = time.perf_counter() - t0
    return report
