"""Text as people type or send it, made safe to read: decoded leniently, control characters out.

A question may arrive with bytes that are not UTF-8 (a terminal in another encoding: Python
hands them over as lone surrogates, which every tokenizer rejects), with NUL or other control
characters, or with nothing to search for at all ("", "(((", "?!").
"""
from __future__ import annotations

import re
import unicodedata

_SURROGATES = re.compile("[\ud800-\udfff]")
_KEEP = frozenset("\t\n")


def clean_input(text: str | bytes) -> str:
    """``text`` as valid Unicode (NFC): undecodable bytes become U+FFFD, control characters other
    than tab and newline are dropped (carriage returns become newlines)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    elif _SURROGATES.search(text):
        try:  # bytes a terminal sent that were not UTF-8, as Python's surrogateescape keeps them
            text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:
            text = _SURROGATES.sub("\ufffd", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) != "Cc")
    return unicodedata.normalize("NFC", text)


def has_content(text: str) -> bool:
    """Whether ``text`` holds anything to search for: a letter or a digit."""
    return any(ch.isalnum() for ch in text)
