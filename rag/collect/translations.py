"""Translations among a count's or list's matches: a release posted again in another language
(an English release and its Spanish version) counts once.

A match whose language (``rag.text.language``) is not the one most matches are in (the
earliest match's on a tie) is a translation of a release of that language when a fitted model
says so (``bench/fit_translations.py``, on hand-labelled pairs). Its candidates: the releases of its
source in the most common language, dated at most ``MAX_DAYS`` apart; the one sharing most of
its names and numbers (capitalised words and figures, each weighted by its IDF over the index's
releases) is scored. Features (:data:`FEATURES`): that share ("shared"), how far it is ahead of
the next candidate's ("margin"), and the days between them. At or above the fitted threshold,
and when it is a match too, the candidate is the release that counts.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..fitted import LinearModel, load_model, read_weights
from ..models import Release
from ..text.language import language
from ..text.tokenize import bm25_tokens

__all__ = ["FEATURES", "MAX_DAYS", "WEIGHTS", "candidates", "best_candidate", "load_translation", "translations",
           "translations_of"]

WEIGHTS = Path(__file__).with_name("translation_weights.json")
SCRIPT = "bench/fit_translations.py"
FEATURES = ("shared", "margin", "days")
MAX_DAYS = 7  # candidates dated this close (the 151 labelled translations: 132 the same day, 150 within 4 days)
_NAMES = re.compile(r"(?<![\w.,])(?:\d[\d,.]*\d|\d|[A-Z][\w'’-]{2,})")


def _tokens(release: Release, lexical) -> dict[str, float]:
    """The release's names and numbers as index tokens, each with its IDF (1.0 without an index)."""
    out = {}
    for word in _NAMES.findall(f"{release.title}\n{release.body}"):
        for token in bm25_tokens(word):
            if token not in out:
                out[token] = lexical.release_idf(token) if lexical is not None else 1.0
    return out


def _shared(a: dict[str, float], b: dict[str, float]) -> float:
    """The weighted share of the smaller set's tokens the other holds."""
    both = sum(w for t, w in a.items() if t in b)
    return both / max(1e-9, min(sum(a.values()), sum(b.values())))


def _near(store, release: Release) -> list[Release]:
    """The dated releases of ``release``'s source at most ``MAX_DAYS`` from it (itself left out)."""
    day = dt.date.fromisoformat(release.date[:10])
    near = store.releases_where(sources=(release.source,), date_from=(day - dt.timedelta(MAX_DAYS)).isoformat(),
                                date_to=(day + dt.timedelta(MAX_DAYS)).isoformat(), dated=True)
    return [r for r in near if r.id != release.id]


def _language(release: Release, languages: dict[str, str]) -> str:
    if release.id not in languages:
        languages[release.id] = language(f"{release.title}\n{release.body}")
    return languages[release.id]


def candidates(store, release: Release, lang: str, languages: dict[str, str]) -> list[Release]:
    """Releases of ``release``'s source in ``lang`` dated at most ``MAX_DAYS`` from it
    (``languages``: a cache of release id -> language, filled here)."""
    if not release.date:
        return []
    return [other for other in _near(store, release) if _language(other, languages) == lang]


def best_candidate(release: Release, cands: list[Release], lexical) -> tuple[Release, list[float]] | None:
    """The candidate sharing most of ``release``'s names and numbers, with its row of
    :data:`FEATURES`; None without candidates."""
    if not cands:
        return None
    mine = _tokens(release, lexical)
    shares = [_shared(mine, _tokens(c, lexical)) for c in cands]
    best = max(range(len(cands)), key=lambda i: (shares[i], -i))
    rest = max((s for i, s in enumerate(shares) if i != best), default=0.0)
    days = abs((dt.date.fromisoformat(cands[best].date) - dt.date.fromisoformat(release.date)).days)
    return cands[best], [shares[best], shares[best] - rest, float(days)]


@dataclass(frozen=True)
class TranslationModel:
    model: LinearModel
    threshold: float


@lru_cache(maxsize=2)
def load_translation(path: str = str(WEIGHTS)) -> TranslationModel:
    """The shipped (or given) fitted pair model; a ``ConfigError`` when it reads other features."""
    model = load_model(path, "translation", FEATURES, SCRIPT)
    return TranslationModel(model, float(read_weights(path, "translation", SCRIPT)["threshold"]))


def _majority(dated: list[Release]) -> tuple[str, dict[str, str]]:
    """The language most of ``dated`` are in (the earliest's on a tie), and each one's language."""
    languages = {r.id: language(f"{r.title}\n{r.body}") for r in dated}
    return Counter(languages.values()).most_common(1)[0][0], languages


def _original(release: Release, store, lexical, main: str, languages: dict[str, str], ids: set[str],
              model: TranslationModel | None) -> str | None:
    """The id among ``ids`` of the ``main``-language release ``release`` translates: its best
    candidate, when the fitted model scores the pair at or above its threshold; else None."""
    found = best_candidate(release, candidates(store, release, main, languages), lexical)
    if found is None or found[0].id not in ids:
        return None
    model = model or load_translation()
    return found[0].id if model.model.predict([found[1]])[0] >= model.threshold else None


def translations(releases: list[Release], store, lexical, model: TranslationModel | None = None) -> dict[str, str]:
    """For ``releases`` (one count's matches): release id -> id of the release (among them) it
    translates, for each one in another language than most of them whose best candidate scores
    at or above the model's threshold. Undated releases are never paired (no window to look in)."""
    dated = [r for r in releases if r.date]
    if len(dated) < 2:
        return {}
    main, languages = _majority(dated)
    ids = {r.id for r in dated}
    out = {}
    for rel in dated:
        if languages[rel.id] not in (main, "") and (orig := _original(rel, store, lexical, main, languages, ids, model)):
            out[rel.id] = orig
    return out


def translations_of(releases: list[Release], store, lexical, keep=lambda release: True,
                    model: TranslationModel | None = None) -> list[tuple[Release, str]]:
    """(release, id of the release it translates) for each release *not* among ``releases`` (one
    count's counted matches) that translates one of them: of its source, dated at most ``MAX_DAYS``
    from it, in another language than most of them, and paired with it as ``translations`` pairs
    (its best candidate, at or above the model's threshold). A Spanish version shares no English
    topic word, so the topic match never finds it; the count lists it, marked. ``keep`` says which
    may join (those dated inside the count's window)."""
    dated = [r for r in releases if r.date]
    if not dated:
        return []
    main, languages = _majority(dated)
    ids, seen, out = {r.id for r in releases}, set(), []
    for rel in dated:
        if languages[rel.id] != main:
            continue
        for other in _near(store, rel):
            if other.id in ids or other.id in seen or not keep(other):
                continue
            seen.add(other.id)
            if _language(other, languages) in (main, ""):
                continue
            if orig := _original(other, store, lexical, main, languages, ids, model):
                out.append((other, orig))
    return sorted(out, key=lambda pair: (pair[0].date, pair[0].id))
