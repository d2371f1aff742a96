"""Question wording that asks *for a release* rather than about its content.

"Which Orange County DA release announced ...? Give its title and date." asks for a release
(its title and date are the answer), and searches better as "Orange County DA announced
...": words such as "release", "title", "date" match boilerplate ("FOR IMMEDIATE RELEASE",
"Title of a Sample Press Release") instead of the story. Pure functions.
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


def asks_for_release(question: str) -> bool:
    """Does the question ask which release said something (title/date wanted)?"""
    return bool(_ASKS_FOR_RELEASE.search(question))


def search_text(question: str) -> str:
    """The question without the wording that asks for a release, for lexical search."""
    if not asks_for_release(question):
        return question
    text = question
    for pattern in _META:
        text = pattern.sub(" ", text)
    text = re.sub(r"\s+([?.,!])", r"\1", re.sub(r"\s+", " ", text)).strip(" ,.")
    return text or question
