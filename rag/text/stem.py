"""The two stemmers, as functions over a list of words (bm25s' tokenizer takes one so).

* :func:`snowball` -- the English Snowball stemmer (PyStemmer), after folding a few irregular
  plurals Snowball leaves alone ("knives" -> "knife"): the BM25 index's.
* :func:`suffix` -- a crude suffix stripper (seized/seizes/seize -> "seiz", parks -> "park"):
  the answerers' matching of question words in sentences. Replacing it with Snowball changes
  which sentences answer; that is a measured change, not a refactoring.
"""
from __future__ import annotations

import threading
from typing import Callable, Sequence

Stemmer = Callable[[Sequence[str]], list[str]]

IRREGULAR_PLURALS = {"knives": "knife", "wives": "wife", "thieves": "thief", "men": "man", "women": "woman",
                     "children": "child"}
_local = threading.local()  # PyStemmer objects are not thread-safe


def snowball(words: Sequence[str]) -> list[str]:
    """English Snowball stems, irregular plurals folded first."""
    if not words:
        return []
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer.stemWords([IRREGULAR_PLURALS.get(w, w) for w in words])


def suffix_stem(tok: str) -> str:
    """One word's crude stem: plural "s"/"ies", then "ing"/"ed", then a final "e"."""
    if tok[:1].isdigit() or len(tok) <= 3:
        return tok
    if tok.endswith("ies") and len(tok) > 4:
        tok = tok[:-3] + "y"
    elif tok.endswith("s") and not tok.endswith(("ss", "us", "is")):
        tok = tok[:-1]
    for end in ("ing", "ed"):
        if tok.endswith(end) and len(tok) - len(end) >= 3:
            tok = tok[: -len(end)]
            break
    if tok.endswith("e") and len(tok) > 4:
        tok = tok[:-1]
    return tok


def suffix(words: Sequence[str]) -> list[str]:
    """:func:`suffix_stem` of each word."""
    return [suffix_stem(w) for w in words]
