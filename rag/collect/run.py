"""One call for the pipeline: a routed question's answer over the whole index, or None.

``collect(question, index, filters, answerer)`` -> (Answer, Hit[]) for a "count", "list" or
"case" question; None for a fact question, for a case question whose person no release
names, and for a question only the fitted router reads as a count or list (``read_route``) when it states
no topic or fewer than ``FITTED_LIST_MIN`` releases match: it then gets the normal answer, so a
misrouted question loses nothing. Such a list whose wording names no topic after "about",
"involving", "announced" ... (``topic_text``) takes the question's content words as its topic
(``WORDS_TOPIC``; ``with_words_topic``); a count or list the patterns read with no topic said
("statements ... reacting to a guilty verdict") takes the content words few of its window's releases
hold (``TELLING_SHARE``; ``telling_words``). The hits are the
listed releases' first passages, in the answer's order, so the sources panel and the
evaluation's release ranking read them as they read a search's.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Sequence

from ..errors import ConfigError
from ..models import Answer, Hit
from ..question import Question
from ..question.mentions import INSTITUTION_WORDS, ReleaseText
from ..question.route import read_route
from ..retrieval import NO_FILTERS, Filters
from ..text.people import named_people
from ..text.steps import asks_sentence, states_sentence
from ..text.tokenize import bm25_tokens
from .case import (case_history, case_steps, defendant_case, defendant_name, mark_translations, named_case,
                   person_mentions)
from .compose import answer_case, answer_matches
from .criteria import Criteria, criteria_for, question_words, topic_runs, with_words_topic
from .find import find_matches
from .match import Matches
from .translations import translations

__all__ = ["FITTED_LIST_MIN", "MAX_HITS", "SELF_NAMED", "WORDS_TOPIC", "case_answer", "case_siblings", "collect",
           "described_case", "first_last", "fitted_list_holds", "publisher_sources", "read_criteria", "telling_words",
           "unknown_publisher"]


# a list only the fitted router reads needs this many matching releases: one release answering a
# question is the normal answer's to quote (its passages, its sentence), not a list's
FITTED_LIST_MIN = 2
# the releases the fitted topic match finds for a case question's words, at any date, join the case: a named person's
# (from the sources of the releases naming them), and one asked by description ("the 2019 Harding Street raid", "the
# Antifa group's Pacific Beach brawl": from the best-matching release's source, with the case of the defendant it names);
# off: the named person's releases only, and a described case is its defendant's (bench/collect.py measures both)
CASE_TOPIC = True
DESCRIBED_MIN = 2  # releases a case asked by description needs; one release is the normal answer's to quote
WORDS_TOPIC = True  # such a list with no topic said takes the question's content words as its topic
# a count or list the patterns read with no topic said takes its content words held by fewer than this share of the
# window's releases as its topic ("statements reacting to a guilty verdict"; "Miami-Dade" in Miami-Dade's releases
# is none); 0: never. Chosen on the tuning sets' counts and lists among 0.25, 0.5, 0.75 and every word (1.01):
# bench/collect.py rows "telling words below ..."
TELLING_SHARE = 0.75


def unknown_publisher(question: Question, criteria: Criteria) -> str:
    """The publisher the question names that is no source of the index ("the Manhattan DA"),
    or "": counting every source's releases for it would answer another question."""
    if criteria.sources:
        return ""
    for m in question.mentions:
        if m.kind == "context" and any(t not in INSTITUTION_WORDS for t in m.tokens):
            return m.text
    return ""


SELF_NAMED = 0.5  # a source is the publisher a question names when at least half its releases name it


def publisher_sources(question: Question, index) -> tuple[str, ...]:
    """The sources whose own releases name the publisher the question names, in at least
    ``SELF_NAMED`` of them ("Bedfordshire Police" -> the folder of Bedfordshire's releases,
    whatever it is called)."""
    total = index.store.source_counts()
    found: list[str] = []
    for m in question.mentions:
        if m.kind == "context" and any(t not in INSTITUTION_WORDS for t in m.tokens):
            ids = index.lexical.releases_with([t] for t in bm25_tokens(m.text))
            found += [s for s, n in index.store.source_counts(ids or ()).items() if n >= SELF_NAMED * total[s]]
    return tuple(dict.fromkeys(found))


def _with_filters(criteria: Criteria, filters: Filters) -> Criteria:
    """The caller's filters where the question says nothing of its own."""
    changes = {}
    if not criteria.sources and filters.sources:
        changes["sources"] = tuple(filters.sources)
    if not criteria.windowed and (filters.date_from or filters.date_to):
        changes["start"] = filters.date_from.isoformat() if filters.date_from else None
        changes["end"] = filters.date_to.isoformat() if filters.date_to else None
    return dataclasses.replace(criteria, **changes) if changes else criteria


def read_criteria(question: Question, index, filters: Filters = NO_FILTERS, fitted: bool = False) -> Criteria:
    """What a counted or listed release must be: the question's criteria over the index's
    sources, with the publishers its own releases name and the caller's filters. ``fitted``: the
    list was read by the fitted router (``read_route``), and with no word saying what a release is
    about takes the question's content words as its topic (``WORDS_TOPIC``); read by the patterns,
    its telling words (``telling_words``), if any."""
    criteria = criteria_for(question, index.store.sources())
    if fitted and not criteria.runs and WORDS_TOPIC:
        criteria = with_words_topic(criteria, question.text, index.store.sources())
    named = tuple(dict.fromkeys(criteria.sources + publisher_sources(question, index)))
    criteria = _with_filters(dataclasses.replace(criteria, sources=named), filters)
    if not fitted and not criteria.runs and not criteria.title_prefix and TELLING_SHARE:
        words = telling_words(criteria, question_words(question.text, index.store.sources()), index)
        if words:
            criteria = dataclasses.replace(criteria, topic=words, runs=topic_runs(words), words=words)
    return criteria


def telling_words(criteria: Criteria, words: str, index) -> str:
    """The words of ``words`` held by fewer than ``TELLING_SHARE`` of the releases of ``criteria``'s
    sources and window: the ones that tell its releases apart ("Miami-Dade" in the Miami-Dade
    State Attorney's releases tells none)."""
    if not words or index.lexical is None:
        return ""
    window = index.store.release_ids_where(sources=criteria.sources, date_from=criteria.start, date_to=criteria.end,
                                           dated=True if criteria.windowed else None)
    if not window:
        return ""
    kept = []
    for word in words.split():
        stems = [t for run in topic_runs(word) for alternatives in run for t in alternatives]
        if stems and len((index.lexical.releases_with([stems]) or set()) & window) < TELLING_SHARE * len(window):
            kept.append(word)
    return " ".join(kept)


MAX_HITS = 100  # passages reported for the sources panel; the answer lists every match


def _hits(index, answer: Answer) -> list[Hit]:
    hits = []
    for listed in answer.matches[:MAX_HITS]:
        chunks = index.store.chunks_of(listed.release_id)
        if chunks:
            hits.append(Hit(chunks[0], index.store.release(listed.release_id), 1.0, len(hits) + 1))
    return hits


def fitted_list_holds(matches: Matches) -> bool:
    """Whether a count or list only the fitted router read is the answer: its criteria state a topic and at
    least ``FITTED_LIST_MIN`` releases count (else the question gets the normal answer)."""
    return bool(matches.criteria.runs) and len(matches.counted) >= FITTED_LIST_MIN


def collect(question: Question, index, filters: Filters, answerer: str) -> tuple[Answer, list[Hit]] | None:
    """See the module's doc."""
    kind, fitted = read_route(question.text)
    if kind == "fact":
        return None
    sources = index.store.sources()
    lexical = index.lexical
    if kind == "case":
        found = case_history(index.store, lexical, question, sources)
        if found is None:
            return None
        name, steps = found
        if CASE_TOPIC and steps:
            criteria, about = topic_case(question, index, tuple(sorted({s.release.source for s in steps})))
            answer = _case(name, joined(steps, about), index, answerer,
                           criteria=f"releases naming {name} or {' '.join(criteria.conditions())}")
        else:
            answer = _case(name, steps, index, answerer)
    else:
        criteria = read_criteria(question, index, filters, fitted)
        unknown = unknown_publisher(question, criteria)
        if unknown:
            note = (f"no source of this index is {unknown!r}; its sources are {', '.join(sources)}"
                    " (name one of them, or ask without a publisher)")
            return Answer(f"I cannot count releases of {unknown}: {note}.", True, (), answerer, note=note,
                          route=kind, criteria=criteria.describe()), []
        matches = find_matches(index.store, lexical, criteria)
        if fitted and not fitted_list_holds(matches):
            return None
        answer = answer_matches(matches, question.text, kind, answerer)
    return answer, _hits(index, answer)


def _case(name: str, steps: list, index, answerer: str, criteria: str | None = None) -> Answer:
    """``answer_case`` over ``steps`` with the releases translating another of them marked (``mark_translations``)."""
    return answer_case(name, mark_translations(steps, index.store, index.lexical), answerer, criteria)


def case_answer(name: str, index, filters: Filters, answerer: str = "case") -> Answer:
    """The case of ``name`` (every release naming them, from ``filters.sources`` if given); a
    refusal saying so when no release names them."""
    name = " ".join(name.split())
    if len(name.split()) < 2:
        note = f"give a first and a last name, not {name!r}"
        return Answer(f"I cannot follow a case by {name!r}: {note}.", True, (), answerer, note=note, route="case")
    steps = named_case(index.store, index.lexical, name, filters.sources)
    if not steps:
        like = difflib.get_close_matches(name, index.store.people(), n=3, cutoff=0.8)
        note = f"no release names {name}" + (f"; names like it: {', '.join(like)}" if like else "")
        return Answer(f"No release in this index names {name}.", True, (), answerer, note=note, route="case",
                      criteria=f"releases naming {name}")
    return _case(name, steps, index, answerer)


def first_last(person: str) -> str | None:
    """A person's first and last name ("Jonah Q. Whitlock" -> "Jonah Whitlock": no initials, no
    "Jr."), as releases naming them all write it; None for fewer than two words."""
    words = [w for w in person.split() if not re.fullmatch(r"[A-Z]\.|[JS]r\.", w)]
    return f"{words[0]} {words[-1]}" if len(words) >= 2 else None


def described_case(question: Question, hits: Sequence[Hit], index, filters: Filters,
                   answerer: str) -> tuple[Answer, list[Hit]] | None:
    """For a case question that names nobody ("What became of the prominent water polo coach
    accused of ...", "the 2019 Harding Street raid"): the case of the defendant the search's best
    release names (as releases name defendants, ``defendant_name``), from that release's source, and with
    ``CASE_TOPIC`` the releases of that source the topic match finds for the question's words
    (``topic_case``); None when the question is no case question, names a person (no release naming
    them: the normal answer), or fewer than ``DESCRIBED_MIN`` releases are found."""
    if read_route(question.text)[0] != "case" or not hits or person_mentions(question, index.store.sources()):
        return None  # not a case question, or one naming someone no release names: the normal answer
    release = hits[0].release
    name = first_last(defendant_name(release) or "")
    steps = named_case(index.store, index.lexical, name, (release.source,)) if name else []
    said = [f"naming {name}"] if steps else []
    if CASE_TOPIC:
        criteria, about = topic_case(question, index, (release.source,))
        steps = joined(steps, about)
        said.append(" ".join(criteria.conditions()))
    if len(steps) < DESCRIBED_MIN:
        return None
    answer = _case(name or "the case", steps, index, answerer, criteria="releases " + " or ".join(said))
    whom = f", and the case of {name}, whom the best-matching release names as its defendant" if name else ""
    note = f"the question names nobody: {answer.criteria}{whom}"
    return dataclasses.replace(answer, note=note), _hits(index, answer)


def topic_case(question: Question, index, sources: tuple[str, ...]) -> tuple[Criteria, list]:
    """(the criteria, the case's steps): the releases of ``sources`` the fitted topic match finds for the
    question's content words (``with_words_topic``), at any date (a case question's dates are the
    events', not its releases'), in date order."""
    every = index.store.sources()
    criteria = with_words_topic(criteria_for(question, every), question.text, every)
    criteria = dataclasses.replace(criteria, sources=sources, start=None, end=None)
    # no second look: it was fitted on counts' and lists' windows, and a whole source's releases read alike
    # (bench/collect.py: with it, case histories met 4 fewer on the tuning sets, 1 fewer on the judges)
    matches = find_matches(index.store, index.lexical, criteria, second_look=False)
    return matches.criteria, case_steps([m.release for m in matches.counted])


def joined(steps: list, more: list) -> list:
    """``steps`` and the releases of ``more`` not among them, in date order."""
    seen = {s.release.id for s in steps}
    return case_steps([s.release for s in steps] + [s.release for s in more if s.release.id not in seen])


def case_siblings(release, index) -> tuple[str, list] | None:
    """(the person ``release`` names as its defendant, the other releases of their case, from
    the same source, in date order), or None when it names nobody so or no other release does. A
    translation of a release of the case (of ``release`` itself, or of another) is no other release
    (``rag.collect.translations``; the case's timeline lists it, marked)."""
    name = defendant_name(release)
    if name is None:
        return None
    others = [s.release for s in named_case(index.store, index.lexical, name, (release.source,))
              if s.release.id != release.id]
    translated = translations([release, *others], index.store, index.lexical)
    others = [r for r in others if r.id not in translated]
    return (name, others) if others else None


def count_topic(index, topic: str, *, sources: Sequence[str] = (), start: str | None = None,
                end: str | None = None, answerer: str = "extractive") -> Answer:
    """The releases of ``sources`` (all: empty) dated ``start``..``end`` about ``topic`` (matched as
    a count question's topic: ``rag.collect.find``), counted and listed; for
    callers that give the criteria themselves (the MCP tool ``count_releases``)."""
    unknown = [s for s in sources if s not in index.store.sources()]
    if unknown:
        raise ConfigError(f"unknown source {unknown[0]!r}; valid: {', '.join(index.store.sources())}")
    criteria = Criteria(sources=tuple(sources), start=start, end=end, topic=topic.strip(),
                        runs=topic_runs(topic) if topic.strip() else (),
                        words=question_words(topic, index.store.sources(), keep=topic))
    question = f"How many releases mention {topic}?" if topic.strip() else "How many releases?"
    return answer_matches(find_matches(index.store, index.lexical, criteria), question, "count", answerer)


def sentencing_passage(question: Question, index, filters: Filters = NO_FILTERS, read=()) -> Hit | None:
    """For "what sentence did X (ultimately) receive?": the passage of the latest release of X's case
    that reports a sentencing (the chunk holding its step sentence), or None when the question asks
    no sentence, names no person a release names, or no release of the case reports one. The
    sentencing is often a later release than the charge the question describes, which the search,
    led by the question's description, ranks first. A question that describes the defendant without
    naming them ("the Flatbush landlord ... what sentence did he receive?") follows the case of the
    first person named as a defendant in the first of the releases ``read`` (the search's, in rank
    order) that holds every name the question requires."""
    if not asks_sentence(question.text):
        return None
    sources = filters.sources or index.store.sources()
    found = defendant_case(index.store, index.lexical, question, sources)
    if found is None:
        required = [m for m in question.mentions if m.required]
        lead = next((r for r in read if all(ReleaseText(r.title, r.body).contains(m) for m in required)), None)
        name = first_last(next(iter(named_people(lead.body)), "") if lead is not None else "")
        found = (name, named_case(index.store, index.lexical, name, (lead.source,))) if name else None
    if found is None:
        return None
    sentenced = [s for s in found[1] if s.step == "sentenced"
                 and (states_sentence(s.release.title) or states_sentence(s.release.body[s.start:s.end]))]
    if not sentenced:
        return None
    step = sentenced[-1]
    for chunk in index.store.chunks_of(step.release.id):
        if chunk.start <= step.start < chunk.end:
            return Hit(chunk, step.release, 1.0, 0)
    return None
