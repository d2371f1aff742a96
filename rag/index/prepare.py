"""The per-release work of a build, done before anything is written: chunks, BM25 tokens and the
people and case numbers a release names. One pure function over one release, so a build can run it
here or on a Ray cluster (rag.mapping) and get the same result."""
from __future__ import annotations

from dataclasses import dataclass

from ..chunking import ChunkerSettings, chunk_release
from ..models import Chunk, Release
from ..text.people import case_numbers, named_people
from ..text.tokenize import bm25_tokens as tokenize  # as rag.index.lexical's


@dataclass(frozen=True)
class Prepared:
    release: Release
    chunks: list[Chunk]
    chunk_tokens: list[list[str]]  # BM25 tokens of each chunk's text
    title_tokens: list[str]
    names: list[str]  # people named as defendants (rag.text.people)
    cases: list[str]  # court case numbers


def prepare(release: Release, chunker: ChunkerSettings) -> Prepared:
    chunks = chunk_release(release, chunker)
    return Prepared(release, chunks, [tokenize(c.text) for c in chunks], tokenize(release.title),
                    named_people(release.body), case_numbers(release.body))
