"""English plurals the Snowball stemmer does not join to their singular.

Snowball already stems "knives"/"knife", "men"/"man", "children"/"child" alike; it leaves
"gunmen" and "gunman", "teeth" and "tooth" apart, so a search for one misses the other.
``variants(word)`` gives the word and such a partner: the irregular plurals below, and the
"-men"/"-man" compounds ("gunmen", "policewoman"). Left out on purpose: pairs whose plural is
also a common verb ("lives", "leaves"), which would match the verb.
"""
from __future__ import annotations

__all__ = ["IRREGULAR", "variants"]

IRREGULAR = {
    "wolves": "wolf", "halves": "half", "shelves": "shelf", "loaves": "loaf", "calves": "calf",
    "teeth": "tooth", "feet": "foot", "mice": "mouse", "geese": "goose",
}
_SINGULAR_TO_PLURAL = {s: p for p, s in IRREGULAR.items()}
_NOT_COMPOUNDS = frozenset("human humans german germans roman romans shaman ottoman specimen abdomen".split())


def variants(word: str) -> tuple[str, ...]:
    """``word`` (lower-cased) and its plural or singular partner, if the stemmer needs one."""
    low = word.lower()
    other = IRREGULAR.get(low) or _SINGULAR_TO_PLURAL.get(low)
    if other is None and len(low) > 4 and low.endswith(("men", "man")) and low not in _NOT_COMPOUNDS:
        other = low[:-3] + ("man" if low.endswith("men") else "men")
    return (low, other) if other else (low,)
