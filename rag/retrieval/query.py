"""Question wording that asks *for a release* rather than about its content.

"Which Orange County DA release announced ...? Give its title and date." searches
better as "Orange County DA announced ...": words such as "release", "title",
"date" match boilerplate ("FOR IMMEDIATE RELEASE", "Title of a Sample Press
Release") instead of the story. Also the phrases a question quotes ("which release
says 'We cannot arrest our way out of this'?"), which retrieval looks for verbatim.
Pure functions.
"""
from __future__ import annotations

import re

_ASKS_FOR_RELEASE = re.compile(
    r"\b(which|what)\b[^?.]{0,60}?\b(press release|news release|release|announcement|statement|news story)\b|"
    r"\b(looking for|find|after)\b[^?.]{0,40}\b(release|announcement)\b|"
    r"\b(its|the) (title|headline)\b", re.I)

_META = [
    re.compile(r"\b(give|what is|what's|tell me|provide|with|and) (me )?(its|the) (title|headline)"
               r"( and (its |the )?(publication |release )?date)?[^.?!]*[.?!]?", re.I),
    re.compile(r"\b(its|the) (publication |release )?date\b", re.I),
    re.compile(r"\bI'?m (looking for|after|trying to find)\b", re.I),
    re.compile(r"\b(press|news) release\b|\breleases?\b|\bannouncement\b", re.I),
]


def is_lookup(question: str) -> bool:
    """Does the question ask which release said something (title/date wanted)?"""
    return bool(_ASKS_FOR_RELEASE.search(question))


def search_text(question: str) -> str:
    """The question without the wording that asks for a release, for lexical search."""
    if not is_lookup(question):
        return question
    text = question
    for pattern in _META:
        text = pattern.sub(" ", text)
    text = re.sub(r"\s+([?.,!])", r"\1", re.sub(r"\s+", " ", text)).strip(" ,.")
    return text or question


_QUOTE_OPEN = "'\"\u2018\u201c"
_QUOTE_CLOSE = "'\"\u2019\u201d"
_QUOTED = re.compile(
    rf"(?:^|(?<=[\s(\[:;,]))[{_QUOTE_OPEN}]"
    rf"((?:[^{_QUOTE_OPEN}{_QUOTE_CLOSE}]|(?<=\w)['\u2019](?=\w))+?)"  # an apostrophe inside a word is no quote mark
    rf"[{_QUOTE_CLOSE}](?=$|[\s).,;:?!])")


def phrase_key(text: str) -> str:
    """``text`` as lower-case words joined by single spaces (quote marks, dashes and
    punctuation dropped): how long a quoted phrase is, in words."""
    return " ".join(re.findall(r"[^\W_]+", text.lower().replace("\u2019", "'").replace("'", "")))


def quoted_phrases(question: str, min_words: int = 2) -> list[str]:
    """The phrases ``question`` puts in quote marks ('clear hold build', “Operation Silver
    Harbor”), of at least ``min_words`` words, in order."""
    out = []
    for m in _QUOTED.finditer(question):
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
