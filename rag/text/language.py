"""Which language a text is written in: py3langid (langid.py's model, shipped in its wheel;
deterministic, no download)."""
from __future__ import annotations

__all__ = ["SAMPLE", "language"]

SAMPLE = 2000  # characters read: a release's title and opening say its language


def language(text: str) -> str:
    """The ISO 639-1 code of ``text``'s language ("en", "es", "vi" ...), read from its first
    ``SAMPLE`` characters; "" for a text with no letters."""
    sample = (text or "")[:SAMPLE]
    if not any(ch.isalpha() for ch in sample):
        return ""
    from py3langid.langid import classify

    return str(classify(sample)[0])
