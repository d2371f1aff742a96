"""Quoted phrases: what a question puts in quote marks ('clear hold build', “Operation Silver
Harbor”), and the one test of whether a text holds such a phrase (retrieval's phrase boost,
the extractive lookup, the highlighted snippet of a citation lookup). Pure functions.
"""
from __future__ import annotations

import re

_QUOTE_OPEN = "'\"\u2018\u201c"
_QUOTE_CLOSE = "'\"\u2019\u201d"
# A phrase between quote marks that open after a space or bracket and close before one; an
# apostrophe inside a word ("Doesn't") is no quote mark.
QUOTED = re.compile(
    rf"(?:^|(?<=[\s(\[:;,]))[{_QUOTE_OPEN}]"
    rf"((?:[^{_QUOTE_OPEN}{_QUOTE_CLOSE}]|(?<=\w)['\u2019](?=\w))+?)"
    rf"[{_QUOTE_CLOSE}](?=$|[\s).,;:?!])")


def phrase_key(text: str) -> str:
    """``text`` as lower-case words joined by single spaces (quote marks, dashes and
    punctuation dropped): how long a quoted phrase is, in words."""
    return " ".join(re.findall(r"[^\W_]+", text.lower().replace("\u2019", "'").replace("'", "")))


def quoted_phrases(question: str, min_words: int = 2) -> list[str]:
    """The phrases ``question`` puts in quote marks ('clear hold build', “Operation Silver
    Harbor”), of at least ``min_words`` words, in order."""
    out = []
    for m in QUOTED.finditer(question):
        phrase = m.group(1).strip()
        if len(phrase_key(phrase).split()) >= min_words and phrase not in out:
            out.append(phrase)
    return out


def phrase_pattern(phrase: str) -> re.Pattern:
    """A pattern finding ``phrase`` as whole words in any text, case, punctuation, dashes
    and curly or straight apostrophes aside: the one test of "holds the quoted phrase"
    for retrieval, the extractive lookup and the highlighted snippet."""
    words = re.findall(r"[^\W_]+(?:['\u2019][^\W_]+)*", phrase)
    parts = ["['\u2019]".join(re.escape(piece) for piece in re.split(r"['\u2019]", w)) for w in words]
    return re.compile(r"(?<![^\W_])" + r"[\W_]+".join(parts) + r"(?![^\W_])", re.I)


def phrase_span(text: str, question: str) -> tuple[int, int] | None:
    """Where in ``text`` the first phrase ``question`` quotes occurs, as (start, end)
    character offsets (see :func:`phrase_pattern`), or None: what a citation lookup
    shows highlighted."""
    for phrase in quoted_phrases(question):
        m = phrase_pattern(phrase).search(text)
        if m:
            return m.start(), m.end()
    return None
