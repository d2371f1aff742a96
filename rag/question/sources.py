"""The publisher a question names, as the index's source ids ("the Orange County DA" -> orange_ca).

A source id is the corpus folder a release came from: ``orange_ca``, ``san_diego_ca``,
``kings_ny``, ``bedfordshire``. Its name is the id without a two-letter state or country
suffix, underscores as spaces ("san diego"); ``ALIASES`` holds the names people use that the
id does not spell (Brooklyn is Kings County). Pure functions.
"""
from __future__ import annotations

import re
from typing import Iterable

__all__ = ["ALIASES", "named_sources", "source_names"]

ALIASES = {  # name people use -> source id (or its name part); only applied to ids the index has
    "brooklyn": "kings_ny",
    "oc": "orange_ca",
    "ocda": "orange_ca",
    "kings county": "kings_ny",
    "manhattan": "new_york_ny",
    "bronx": "bronx_ny",
    "queens": "queens_ny",
    "staten island": "richmond_ny",
    "houston": "harris_tx",
    "chicago": "cook_il",
    "phoenix": "maricopa_az",
    "miami": "miami_dade_fl",
    "luton": "bedfordshire",
    "la county": "los_angeles_ca",  # "the LA County DA"; a bare "La" is a place's ("La Habra")
}
_PUBLISHER = re.compile(r"^\s*(?:county\s+)?(?:'s\s+)?(?:da\b|d\.a\.|district attorney|state'?s attorney|"
                        r"prosecutor|police|sheriff|office|newscenter|newsroom|news)", re.I)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[-_/]", " ", text.replace("’", "'").lower())).strip()


def source_names(source: str) -> list[str]:
    """What ``source`` is called: its id's name part ("san_diego_ca" -> "san diego") and its aliases."""
    base = _norm(re.sub(r"_[a-z]{2}$", "", source.lower()))
    names = [base] if base else []
    names += [alias for alias, target in ALIASES.items() if target.lower() in (source.lower(), base)]
    return names


def named_sources(question: str, sources: Iterable[str]) -> tuple[str, ...]:
    """The sources ``question`` names, in ``sources`` order. When it names several, those named
    as a publisher ("Dallas County DA", "Brooklyn District Attorney") win over places ("a
    Dallas man")."""
    text = _norm(question)
    found: dict[str, bool] = {}
    for source in sources:
        for name in source_names(source):
            for m in re.finditer(rf"\b{re.escape(name)}\b", text):
                found[source] = found.get(source, False) or bool(_PUBLISHER.match(text[m.end():]))
    if sum(found.values()) and len(found) > 1:
        return tuple(s for s, as_publisher in found.items() if as_publisher)
    return tuple(found)
