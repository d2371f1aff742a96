"""The one support measure shared by the answerers' citation check and the evaluation suite.

Pure and deterministic: :func:`support_score` (lexical support of a sentence by quoted text)
with :data:`SUPPORT_THRESHOLD` / :data:`SUPPORT_METHOD`, and :func:`shown_text` (what a
reader sees of a source). Text goes through ``rag.text`` (``normalize``, ``content_tokens``,
the support stop words); ``eval`` imports these from here; nothing here imports ``eval``.
"""
from __future__ import annotations

from collections.abc import Iterable

from ..models import uncut_title
from ..text.normalize import normalize
from ..text.tokenize import content_tokens

__all__ = ["SUPPORT_METHOD", "SUPPORT_THRESHOLD", "missing_numbers", "shown_text", "support_score", "supports"]

SUPPORT_METHOD = "lexical-overlap"
"""How :func:`support_score` judges support: lexical overlap of content tokens."""

SUPPORT_THRESHOLD = 0.6
"""A cited sentence is supported when at least this share of its content tokens is in its quotes."""


def support_score(sentence: str, quotes: Iterable[str] | str) -> float:
    """Lexical support of one sentence by its quote(s), in [0, 1] (method ``lexical-overlap``).

    The share of the sentence's distinct content tokens -- :func:`normalize` tokens
    (citation markers removed) that are not support stop words (``rag.text.stopwords``) -- which occur
    among the normalised tokens of any of the quotes (each quote normalised on
    its own).  A sentence with no content tokens scores 1.0 (it claims nothing).
    No stemming or synonyms: a paraphrase scores low, which is why the support
    threshold (:data:`SUPPORT_THRESHOLD`) is below 1.  Independent of the eval
    data structures, so it can check any generated sentence against any text.
    """
    if isinstance(quotes, str):
        quotes = [quotes]
    content = content_tokens(sentence)
    if not content:
        return 1.0
    quote_tokens: set[str] = set()
    for quote in quotes:
        quote_tokens.update(normalize(quote).split())
    return len(content & quote_tokens) / len(content)


def missing_numbers(sentence: str, quotes: Iterable[str] | str) -> list[str]:
    """The numbers of ``sentence`` (digits or number words, after :func:`normalize`) that none of
    ``quotes`` holds: "10 arrests" cited to "more than 21 arrests" misses "10"."""
    if isinstance(quotes, str):
        quotes = [quotes]
    held: set[str] = set()
    for quote in quotes:
        held.update(normalize(quote).split())
    return [t for t in dict.fromkeys(normalize(sentence).split()) if t[:1].isdigit() and t not in held]


def supports(sentence: str, quotes: Iterable[str] | str) -> bool:
    """Whether ``quotes`` support ``sentence`` for an answerer's citation check: the support
    measure reaches :data:`SUPPORT_THRESHOLD` and every number the sentence states is in them
    (a small model's wrong figure must not pass because the other words match)."""
    quotes = [quotes] if isinstance(quotes, str) else list(quotes)
    return support_score(sentence, quotes) >= SUPPORT_THRESHOLD and not missing_numbers(sentence, quotes)


def shown_text(title: str, date: str | None, quote: str) -> str:
    """What a reader (or the model) sees of a cited source: title, date, then the quote.
    Support is measured against this, so a claim naming the release's title is supported."""
    return f"{uncut_title(title)} ({date or 'undated'}) {quote}"
