"""Frozen records that flow through the pipeline.

corpus file -> Release -> Chunk -> (vector) -> Hit -> Answer(text, Citation[])
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Iterable

TITLE_CUT = "\u2026"  # ends a title cut at TITLE_MAX characters (rag/ingest/common.py)


def uncut_title(title: str) -> str:
    """A title's words without the "…" that tells a reader it was cut (what embedders and the support
    check compare, so the mark changes no score)."""
    return title.strip().removesuffix(TITLE_CUT).rstrip()


@dataclass(frozen=True)
class Release:
    """One press release, cleaned of site boilerplate.

    ``id`` is the path of the file relative to the corpus root (for a JSON Lines
    export, the record's own ``id``). ``date`` is ISO 8601 (``YYYY-MM-DD``) or
    ``None`` when no date could be found. ``body`` is the text that chunks point
    into: ``body[chunk.start:chunk.end] == chunk.text``.
    """

    id: str
    title: str
    date: str | None
    url: str | None
    source: str
    body: str
    path: str

    @property
    def content_hash(self) -> str:
        """Hash of everything that reaches the index: a changed hash means re-embed."""
        h = hashlib.sha256()
        for part in (self.title, self.date or "", self.url or "", self.source, self.body):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()


@dataclass(frozen=True)
class Skipped:
    """A corpus file (or record) that did not become a release, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Chunk:
    """A token-sized window of a release body, with exact character offsets."""

    release_id: str
    seq: int
    start: int
    end: int
    text: str

    def embed_text(self, title: str, date: str | None) -> str:
        """What the embedder sees: a short title/date header, then the passage (a cut title's "…" is
        for readers: left out)."""
        header = uncut_title(title)
        if date:
            header = f"{header} ({date})"
        return f"{header}\n{self.text}" if header else self.text


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with the release it belongs to."""

    chunk: Chunk
    release: Release
    score: float
    rank: int

    def span(self) -> tuple[int, int] | None:
        """Where the passage lies in its release body (None if it cannot be found)."""
        chunk, body = self.chunk, self.release.body
        if 0 <= chunk.start <= chunk.end <= len(body) and body[chunk.start:chunk.end] == chunk.text:
            return chunk.start, chunk.end
        found = body.find(chunk.text) if chunk.text else -1
        return (found, found + len(chunk.text)) if found >= 0 else None


def distinct_passages(hits: Iterable[Hit | None]) -> list[Hit]:
    """``hits`` in order, each passage (release id, chunk seq) once; None entries skipped."""
    seen: set[tuple[str, int]] = set()
    out: list[Hit] = []
    for hit in hits:
        if hit is not None and (hit.release.id, hit.chunk.seq) not in seen:
            seen.add((hit.release.id, hit.chunk.seq))
            out.append(hit)
    return out


@dataclass(frozen=True)
class Citation:
    """Source ``n`` of an answer: a quoted span of one release."""

    n: int
    release_id: str
    title: str
    date: str | None
    url: str | None
    start: int
    end: int
    quote: str


@dataclass(frozen=True)
class Listed:
    """One release an answer about many releases lists (a count's or list's match, a case's
    step), cited as [n] (None: named, not cited: an undated match of a count over a window).
    ``label``: the case step ("sentenced"), "undated", "translation" (of release
    ``duplicate_of``), or ""; ``duplicate_of``: the n of the release with the same text (or
    translated) that counts instead."""

    n: int | None
    release_id: str
    title: str
    date: str | None
    url: str | None
    label: str = ""
    duplicate_of: int | None = None


@dataclass(frozen=True)
class Answer:
    """What every answerer returns. An answer about many releases (``route`` "count", "list"
    or "case") also lists them (``matches``) and states what it looked for (``criteria``)."""

    text: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    answerer: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)
    note: str = ""
    confidence: float | None = None  # the answerer's own measure, when it has one (extractive: best support)
    route: str = "fact"
    criteria: str = ""
    matches: tuple[Listed, ...] = ()

    def to_json(self) -> dict:
        return {
            "answer": self.text,
            "refused": self.refused,
            "citations": [asdict(c) for c in self.citations],
            "answerer": self.answerer,
            "note": self.note,
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            **({"route": self.route, "criteria": self.criteria, "matches": [asdict(m) for m in self.matches]}
               if self.route != "fact" else {}),
        }
