"""Corpus ingestion: files on disk -> cleaned :class:`~rag.models.Release` records.

``load_corpus(roots)`` walks each root, reads every supported file and returns
the releases plus a :class:`~rag.models.Skipped` entry (with a reason) for every
file or record that did not become one.  Nothing here prints or exits, and a
bad file never raises: only a missing root (a caller error) raises
:class:`~rag.errors.ConfigError`.

Formats (see :mod:`rag.ingest.formats` and :mod:`rag.ingest.pages`):

* Markdown/text with YAML front matter (```` ```yaml ```` fence or ``---``);
* text starting `` date YYYY-MM-DD`` (body follows, no title);
* scraped page text - boilerplate learned per group (:mod:`rag.ingest.boilerplate`);
* JSON Lines, one release per line;
* saved web pages (``.html``/``.htm``, and text files that are really HTML): the article read by
  trafilatura (:mod:`rag.ingest.html`), then cleaned like scraped text with its group's boilerplate.

``load_pages(pages)`` does the same for pages already fetched and read (``rag sync``).

Order of work: discover -> read/parse the structured files and collect pages
-> learn boilerplate per group of pages -> clean pages -> assign ids in order,
skipping id clashes and exact duplicates (same title and body).
"""
from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath

from rag.config import IngestConfig
from rag.mapping import LocalMap, Mapper
from rag.models import Release, Skipped

from . import boilerplate
from .common import Skip
from .files import HTML_SUFFIXES, CorpusFile, decode, discover, read_bytes, unsupported_reason
from .formats import Fields, Record, kind_of, parse_dated, parse_front_matter, parse_jsonl
from .html import Extracted, extract_html, looks_like_html
from .pages import parse_page

__all__ = ["IngestResult", "SyncedPage", "load_corpus", "load_pages"]


@dataclass(frozen=True)
class IngestResult:
    """Everything a corpus yielded."""

    releases: tuple[Release, ...]
    skipped: tuple[Skipped, ...]  # every file/record that did not become a release, with a reason


@dataclass
class _Slot:
    """One future release or skip, in corpus order."""

    id: str
    path: str
    source: str
    fields: Fields | None = None
    reason: str | None = None
    page: tuple[str, str, list[str]] | None = None  # (text, file name, line keys) awaiting its model
    group: tuple[int, str] | None = None
    html: Extracted | None = None  # what the HTML page declared (date, canonical URL) beside its text


@dataclass(frozen=True)
class SyncedPage:
    """A fetched web page already read by :func:`~rag.ingest.html.extract_html`: its URL is its id."""

    url: str
    source: str
    group: str  # pages of one group share boilerplate (a site)
    extracted: Extracted


def load_corpus(roots: Sequence[str | Path] | str | Path, *, progress: bool = False,
                max_release_chars: int = IngestConfig.max_release_chars, mapper: Mapper | None = None
                ) -> IngestResult:
    """Ingest every release under ``roots`` (directories, or single files).

    ``progress=True`` shows tqdm bars on stderr. A release whose text is longer than
    ``max_release_chars`` is skipped with the reason. ``mapper`` (rag.mapping) runs the reading
    and the cleaning of pages (default: here); learning the boilerplate and assembling the releases
    (ids, duplicates) happen here, as they need every page of a group at once.
    """
    if isinstance(roots, (str, os.PathLike)):
        roots = [roots]
    mapper = mapper or LocalMap(progress)
    files = discover(roots)
    slots = [slot for read in mapper(_read, files, "reading") for slot in read]
    return _finish(slots, mapper, max_release_chars)


def load_pages(pages: Sequence[SyncedPage], *, max_release_chars: int = IngestConfig.max_release_chars
               ) -> IngestResult:
    """Releases from synced pages: each page's id and path are its URL; boilerplate per group."""
    slots = [_page_slot(p.url, p.url, p.source, p.extracted, p.url.rsplit("/", 1)[-1], (-1, p.group))
             for p in pages]
    return _finish(slots, LocalMap(), max_release_chars)


def _page_slot(rid: str, path: str, source: str, extracted: Extracted, name: str,
               group: tuple[int, str]) -> _Slot:
    page = (extracted.text, name, boilerplate.text_line_keys(extracted.text)[1])
    return _Slot(rid, path, source, page=page, group=group, html=extracted)


CLEAN_BATCH = 64  # pages of one group cleaned per work item (each item carries its group's model)


def _finish(slots: list[_Slot], mapper: Mapper, max_release_chars: int) -> IngestResult:
    """Learn boilerplate per group of pages, clean the pages, then assemble the releases."""
    pages: dict[tuple[int, str], list[_Slot]] = defaultdict(list)
    for slot in slots:
        if slot.page is not None and slot.group is not None:
            pages[slot.group].append(slot)
    work = []  # (the group's model, up to CLEAN_BATCH of its pages)
    for group in pages.values():
        model = boilerplate.learn([s.page[2] for s in group])  # type: ignore[index]
        work += [(model, group[i:i + CLEAN_BATCH]) for i in range(0, len(group), CLEAN_BATCH)]
    cleaned = {id(slot): new for (_, group), done in zip(work, mapper(_clean, work, "cleaning"))
               for slot, new in zip(group, done)}
    return _assemble([cleaned.get(id(s), s) for s in slots], max_release_chars)


def _clean(item: tuple[object, list[_Slot]]) -> list[_Slot]:
    """Pages of one group, cleaned with the group's boilerplate model: each slot with its fields, or
    the reason it was skipped (never raises)."""
    model, group = item
    return [_clean_page(slot, model) for slot in group]


def _clean_page(slot: _Slot, model) -> _Slot:
    text, name, keys = slot.page  # type: ignore[misc]
    out = _Slot(slot.id, slot.path, slot.source, group=slot.group)
    try:
        fields = parse_page(text, model, name, keys)
        if slot.html is not None:  # what the page declared beats what its text suggests
            date = slot.html.date or fields.date or slot.html.guessed_date  # see rag.ingest.html
            fields = Fields(fields.title, date, slot.html.url, fields.body)
        out.fields = fields
    except Skip as exc:
        out.reason = str(exc)
    except Exception as exc:  # a bad file must never stop ingestion
        out.reason = f"could not parse: {type(exc).__name__}: {exc}"
    return out


def _read(f: CorpusFile) -> list[_Slot]:
    """Slots for one file: one for a text file, one per non-blank line of a .jsonl."""
    reason = unsupported_reason(f)
    if reason:
        return [_Slot(f.rel, f.path, f.source, reason=reason)]
    try:
        data = read_bytes(f.path)
        if f.suffix == ".jsonl":
            return _read_jsonl(f, data)
        text = decode(data)
        if not text.strip():
            raise Skip("empty file (whitespace only)")
        if f.suffix in HTML_SUFFIXES or looks_like_html(text):
            # HTML pages learn boilerplate among themselves: trafilatura already took their menus out, and
            # what they share with the folder's scraped text (a "Published 14 March 2025" line) is no menu
            return [_page_slot(f.rel, f.path, f.source, extract_html(text), os.path.basename(f.rel),
                               (f.root_index, f.group + "\x00html"))]
        kind = kind_of(text)
        if kind == "page":
            page = (text, os.path.basename(f.rel), boilerplate.text_line_keys(text)[1])
            return [_Slot(f.rel, f.path, f.source, page=page, group=(f.root_index, f.group))]
        if kind == "dated":
            fields = parse_dated(text)
        else:
            fields, _meta = parse_front_matter(text)
        return [_Slot(f.rel, f.path, fields.source or f.source, fields=fields)]
    except Skip as exc:
        return [_Slot(f.rel, f.path, f.source, reason=str(exc))]
    except Exception as exc:  # a bad file must never stop ingestion
        return [_Slot(f.rel, f.path, f.source, reason=f"could not parse: {type(exc).__name__}: {exc}")]


def _read_jsonl(f: CorpusFile, data: bytes) -> list[_Slot]:
    stem = PurePath(f.rel).stem
    out = []
    for item in parse_jsonl(data):
        if isinstance(item, Record):
            out.append(_Slot(item.id, f"{f.path}:{item.lineno}", item.fields.source or stem,
                             fields=item.fields))
        else:
            lineno, reason = item
            out.append(_Slot("", f"{f.path}:{lineno}", stem, reason=reason))
    if not out:
        out.append(_Slot("", f.path, stem, reason="empty file (no JSON records)"))
    return out


def _assemble(slots: list[_Slot], max_chars: int) -> IngestResult:
    releases: list[Release] = []
    skipped: list[Skipped] = []
    by_id: dict[str, str] = {}
    by_content: dict[str, str] = {}
    for slot in slots:
        if slot.fields is None:
            skipped.append(Skipped(slot.path, slot.reason or "not ingested"))
            continue
        if slot.id in by_id:
            skipped.append(Skipped(slot.path, f"id clash: {slot.id!r} was already ingested from {by_id[slot.id]}"))
            continue
        f = slot.fields
        if len(f.body) > max_chars:
            skipped.append(Skipped(slot.path, f"release text of {len(f.body):,} characters, over the limit of "
                                              f"{max_chars:,} (setting max_release_chars): split it or raise the limit"))
            continue
        digest = hashlib.sha256(f"{f.title}\x00{f.body}".encode()).hexdigest()
        if digest in by_content:
            skipped.append(Skipped(slot.path, f"exact duplicate of {by_content[digest]}"))
            continue
        by_id[slot.id] = slot.path
        by_content[digest] = slot.id
        releases.append(Release(
            id=slot.id, title=f.title, date=f.date, url=f.url,
            source=slot.source, body=f.body, path=slot.path,
        ))
    return IngestResult(tuple(releases), tuple(skipped))
