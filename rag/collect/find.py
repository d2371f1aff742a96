"""Every release of the index that meets a ``Criteria`` (store queries plus the topic match).

A release matches when it is of a named source and dated inside the window and, with a topic,
is about it: scored by the fitted topic match (``rag.collect.topic``) at or above its
threshold, or, with ``TOPIC_MODEL`` off, holding every run of the topic's words in one
sentence (``rag.collect.match``). Undated releases are never inside a window: they are counted
apart. Releases with the same sentences (whitespace, case and datelines aside) count once; the
later ones are marked as duplicates of the first. A release in another language than most
matches, translating one of them (``rag.collect.translations``), is marked too and not counted; so is
a translation of a counted release that the topic match could not find (a Spanish version holds no
English topic word), which joins the list when dated inside the window.
Archive pages (a newsroom index listing other releases' headlines, ``rag.ingest.listing``) are
no releases: left out, and named in a note.
"""
from __future__ import annotations

import dataclasses

from ..ingest.listing import listings
from .criteria import Criteria
from .match import Match, Matches, lead_span, text_key, topic_span
from .topic import MAX_CANDIDATES, about_topic, best_sentence, candidate_ids
from .translations import translations, translations_of

__all__ = ["TOPIC_MODEL", "TRANSLATIONS", "TRANSLATIONS_JOIN", "find_matches"]

TOPIC_MODEL = True  # the fitted topic match; False: the word runs (bench/collect.py measures both)
TRANSLATIONS = True  # translations of a counted release marked, not counted (bench/collect.py: a row without)
TRANSLATIONS_JOIN = True  # a counted release's translations the topic match cannot find join the list, marked


def _word_runs(store, lexical, criteria: Criteria) -> tuple[list, list]:
    ids = None
    if criteria.runs and lexical is not None:
        ids = lexical.releases_with(alternatives for run in criteria.runs for alternatives in run)
    dated = store.releases_where(sources=criteria.sources, date_from=criteria.start, date_to=criteria.end,
                                 release_ids=ids, dated=True if criteria.windowed else None)
    undated = store.releases_where(sources=criteria.sources, release_ids=ids, dated=False) if criteria.windowed else []
    return dated, undated


def find_matches(store, lexical, criteria: Criteria, topic_model: bool | None = None,
                 second_look: bool = True) -> Matches:
    """Every release in ``store`` meeting ``criteria`` (``lexical``: a ``LexicalIndex``, or None
    to read every release of the window for the word runs); ``topic_model`` (default
    ``TOPIC_MODEL``) picks how the topic is matched; ``second_look``: the topic match's second look
    (``rag.collect.feedback``, fitted on the windows of counts and lists) where it is on."""
    use_model = (TOPIC_MODEL if topic_model is None else topic_model) and bool(criteria.runs) and lexical is not None
    notes = []
    if use_model:  # only releases holding a word of the topic or the question can be about it
        ids = candidate_ids(lexical, criteria.runs, criteria.words)
        dated = store.releases_where(sources=criteria.sources, date_from=criteria.start, date_to=criteria.end,
                                     release_ids=ids, dated=True if criteria.windowed else None)
        undated = store.releases_where(sources=criteria.sources, release_ids=ids, dated=False) if criteria.windowed else []
        if len(dated) > MAX_CANDIDATES:
            notes.append(f"the topic was scored over the {MAX_CANDIDATES} releases of the window that best match "
                         f"its words (of {len(dated)} holding one)")
        dated = about_topic(dated, lexical, criteria, second_look=second_look)
        undated = about_topic(undated, lexical, criteria, second_look=second_look)
    else:
        dated, undated = _word_runs(store, lexical, criteria)
    archives = listings(store, [*dated, *undated])
    if archives:
        shown = "; ".join(f"\u201c{' '.join(r.title.split())}\u201d ({r.id})"
                          for r in [*dated, *undated] if r.id in archives)
        notes.append(f"{len(archives)} archive page{'s' if len(archives) > 1 else ''} listing other releases' "
                     f"headlines matched and {'were' if len(archives) > 1 else 'was'} left out: {shown}")
        dated, undated = [r for r in dated if r.id not in archives], [r for r in undated if r.id not in archives]
    prefix = criteria.title_prefix.lower()

    def matching(releases) -> list[Match]:
        out, first_of = [], {}
        for rel in releases:
            if prefix and not rel.title.lower().startswith(prefix):
                continue
            if use_model:
                span = (*best_sentence(rel, criteria.runs, criteria.words), False)
            else:
                span = topic_span(rel, criteria.runs)
                if span is None:
                    continue
            key = text_key(rel)
            out.append(Match(rel, span[0], span[1], span[2], first_of.get(key)))
            first_of.setdefault(key, rel.id)
        of = translations([m.release for m in out if m.duplicate_of is None], store, lexical) if TRANSLATIONS else {}
        out = [dataclasses.replace(m, duplicate_of=of[m.release.id], translation=True) if m.release.id in of else m
               for m in out]
        if TRANSLATIONS and TRANSLATIONS_JOIN and not prefix and out and out[0].release.date:
            counted, listed = [m.release for m in out if m.duplicate_of is None], {m.release.id for m in out}
            for rel, orig in translations_of(counted, store, lexical,
                                             keep=lambda r: r.id not in listed and criteria.holds_date(r.date)):
                start, end = lead_span(rel)
                out.append(Match(rel, start, end, False, orig, translation=True))
            out.sort(key=lambda m: (m.release.date or "~", m.release.id))
        return out

    criteria = dataclasses.replace(criteria, fitted=use_model)
    return Matches(criteria, tuple(matching(dated)), tuple(matching(undated)), tuple(notes))
