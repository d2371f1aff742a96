"""The fitted sentence reader: which candidate sentence holds the asked fact.

Each candidate sentence of the retrieved passages (``evidence.Candidate``, already scored by
the ranker) gets features that carry across questions -- how similar it is to the question
(the embedder's cosine, IDF overlap with the question's words, with the words that are not
names, with the question's focus: "what prison sentence", "how many guns", and -- apart -- with
the clause that asks and with the context that only describes: "In the case of the Spring man who
shot ..., how long had he been lying in wait?", ``rag.question.asked.asked_clause``), whether it
holds the kind of thing asked (an amount, a count, a duration, a person, a place, a means or a
cause: "how was the theft uncovered?"), whether it states only a possible outcome ("if
convicted, he faces a maximum of ...") when the question asks what happened ("what sentence did
he receive?") or what could have ("what maximum did he face?"; ``rag.text.steps``), where it
sits (its release's rank, its position in the release, the release's opening sentence), its form --
and a logistic regression fitted on the dev sets' labelled sentences (``bench/fit_reader.py``; a
sentence holding a key fact of a gold release is a positive) turns
them into the probability that it answers. Every feature group earns its place in the fit's
leave-one-group-out table (``bench/results/reader_fit.md``).

The weights ship as ``reader_weights.json`` beside this file (feature names, scaling,
coefficients, the fit's cross-validated scores); nothing here is hand-set.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from ..fitted import LinearModel, load_model
from ..question import Question
from ..question.asked import MONEY, asked_clause
from ..question.mentions import ReleaseText
from ..text.stem import suffix_stem
from ..text.tokenize import content_stems
from ..text.steps import DURATION, asks_outcome, asks_potential, hypothetical
from .evidence import Candidate

WEIGHTS = Path(__file__).with_name("reader_weights.json")

# what a question asks for, finer than ``answer_type`` (a question may ask several)
_ASKS = {
    "money": re.compile(r"\bhow much\b.*\b(pay|paid|cost|worth|money|fine|fined|restitution|settle|owe|steal|stole|"
                        r"embezzl|grant|award|bail|damages|penalt)|\b(restitution|settlement|fine|penalt(y|ies)|"
                        r"bail|grant|dollars?|amount)\b", re.I),
    "count": re.compile(r"\bhow many\b|\bnumber of\b", re.I),
    "duration": re.compile(r"\b(sentence[ds]?|prison|jail|probation|how long|years?|months?|term)\b(?![\s-]+old\b)",
                           re.I),
    "person": re.compile(r"\bwho(m|se)?\b|\bname of\b|\bwhich (officer|detective|judge|prosecutor|attorney|"
                         r"defendant|man|woman|person)\b", re.I),
    "place": re.compile(r"\bwhere\b|\b(which|what) (city|county|country|state|town|street|location|address)\b|"
                        r"\bfrom which\b", re.I),
    # how something was done, found or came about ("how was the theft uncovered?"), not a comparison
    "manner": re.compile(r"\bhow (?:was|were|did|does|do|is|are|had|has|could|would)\b(?![^?]*\b(?:differ|compare)\w*)",
                         re.I),
}
# what a sentence holds
_HOLDS = {
    "money": MONEY,
    "count": re.compile(r"\b\d[\d,]*\b|\b(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|"
                        r"hundreds?|thousands?)\b", re.I),
    "duration": DURATION,
    "person": re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z]+"),
    "place": re.compile(r"\b(in|at|from|near|to)\s+(the\s+)?[A-Z][a-z]+"),
    # a means, a cause or a discovery: "discovered when ...", "alerted the Postal Service", "by pretending to be",
    # "caught on a surveillance camera", "after witnesses ... called 911"
    "manner": re.compile(r"\b(?:after|when|upon|through|by|via|using|posing|posed|pretend\w*|alert\w*|tip(?:ped|s)?|"
                         r"notic\w*|reveal\w*|discover\w*|uncover\w*|aware|trac(?:ed|ing)|linked|captur\w*|caught|"
                         r"apprehend\w*|located|called|audit\w*|surveillance|video|cameras?|DNA|fingerprints?|install\w*)\b",
                         re.I),
}
ASK_KINDS = tuple(_ASKS)
FIGURES = ("money", "count", "duration", "person", "place")  # kinds a sentence states as a value


def asked_kinds(question: Question) -> frozenset[str]:
    """The kinds of thing ``question`` asks for (money, count, duration, person, place, manner)."""
    return frozenset(k for k, p in _ASKS.items() if p.search(question.text))


# dates are not counts: "December 7", "2019"
_DATE_NUMBERS = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
                           r"\b(?:19|20)\d\d\b", re.I)


def holds(kind: str, text: str) -> bool:
    """Whether ``text`` holds a thing of ``kind`` (an age is no duration, a date no count)."""
    pattern = _HOLDS[kind]
    if kind == "count":
        text = _DATE_NUMBERS.sub(" ", text)
    return bool(pattern.search(text))


def _idf_share(terms: Sequence[str], cands: Sequence[Candidate]) -> list[float]:
    """IDF-weighted (over the candidates) share of ``terms`` found in each candidate (0 without terms)."""
    terms = list(dict.fromkeys(terms))
    if not terms or not cands:
        return [0.0] * len(cands)
    n = len(cands)
    weights = {t: math.log(1.0 + (n + 1) / (sum(t in c.stems for c in cands) + 1)) for t in terms}
    total = sum(weights.values())
    return [sum(w for t, w in weights.items() if t in c.stems) / total for c in cands]


def _name_stems(question: Question) -> frozenset[str]:
    """The stems of the words of the names the question gives."""
    return frozenset(suffix_stem(t) for m in question.mentions for t in m.tokens)


_NOT_FOCUS = frozenset("the a an of kind type sort".split())
_FOCUS = re.compile(r"\b(?:what|which|how many|how much)\s+((?:[\w'-]+\s+){0,3}?)(?:did|does|do|was|were|is|are|has|"
                    r"had|have|will|would|could|can)\b", re.I)


def focus_stems(question: Question) -> frozenset[str]:
    """The stems of what the question asks about: "what prison sentence did ..." -> prison, sentenc;
    "how many guns were ..." -> gun."""
    found = set()
    for m in _FOCUS.finditer(question.text):
        found.update(suffix_stem(t) for t in re.findall(r"[a-z]+", m.group(1).lower()) if t not in _NOT_FOCUS)
    return frozenset(found)


FEATURES = ("dense", "lexical", "lexical_other", "support", "dense_gap", "lexical_gap", "lexical_other_gap",
            "support_gap", "names_here", "release_rank", "focus", "lexical_asked", "lexical_asked_gap", "context_echo",
            "hit_pos", "position", "opening", "fragment", "log_words", "numbers",
            *(f"asks_{k}_holds" for k in ASK_KINDS), *(f"asks_{k}_lacks" for k in ASK_KINDS),
            "outcome_hypothetical", "potential_hypothetical")


def features(question: Question, cands: Sequence[Candidate]) -> list[list[float]]:
    """One row of :data:`FEATURES` per candidate (the ranker has scored them already)."""
    kinds = asked_kinds(question)
    name_stems = _name_stems(question)
    other_terms = [t for t in question.stems if t not in name_stems]
    other = _idf_share(other_terms, cands)
    # the clause that asks vs the context that describes: a lead sentence restating the question's
    # description ("a Spring man ... the murder of his ex-girlfriend's new boyfriend") is no answer to
    # "how long had he been lying in wait?"
    asked_terms = {t for t in content_stems(asked_clause(question.text)) if t not in name_stems}
    asked = _idf_share(sorted(asked_terms), cands)
    echo = _idf_share([t for t in other_terms if t not in asked_terms], cands)
    required = [m for m in question.mentions if m.required]
    release_rank: dict[str, int] = {}
    for c in sorted(cands, key=lambda c: c.hit_pos):
        release_rank.setdefault(c.release.id, len(release_rank))
    best = {"dense": max(c.dense for c in cands), "lexical": max(c.lexical for c in cands),
            "support": max(c.support for c in cands), "other": max(other), "asked": max(asked)}
    focus = focus_stems(question)
    potential = asks_potential(question.text)
    outcome = asks_outcome(question.text) and not potential  # what happened, not what could have
    rows = []
    for c, lex_other, lex_asked, lex_echo in zip(cands, other, asked, echo):
        words = c.text.split()
        here = ReleaseText(c.text)
        names = sum(here.contains(m) for m in required) / len(required) if required else 1.0
        body_len = max(1, len(c.release.body))
        row = [c.dense, c.lexical, lex_other, c.support, best["dense"] - c.dense, best["lexical"] - c.lexical,
               best["other"] - lex_other, best["support"] - c.support, names,
               min(release_rank[c.release.id], 4) / 4,
               len(focus & c.stems) / len(focus) if focus else 0.0, lex_asked, best["asked"] - lex_asked, lex_echo,
               min(c.hit_pos, 9) / 9, c.start / body_len, float(c.release.body[:c.start].strip() == ""),
               float(c.fragment), math.log(1 + len(words)), min(len(re.findall(r"\d[\d,.]*", c.text)), 5) / 5]
        held = [k in kinds and holds(k, c.text) for k in ASK_KINDS]
        row += [float(h) for h in held]
        row += [float(k in kinds and not h) for k, h in zip(ASK_KINDS, held)]
        hyp = hypothetical(c.text)
        row += [float(outcome and hyp), float(potential and hyp)]
        rows.append(row)
    return rows


@dataclass(frozen=True)
class Reader(LinearModel):
    """The fitted model (``rag.fitted.LinearModel``) over :data:`FEATURES`."""

    def probabilities(self, question: Question, cands: Sequence[Candidate]) -> list[float]:
        """P(candidate holds the asked fact), one per candidate."""
        return self.predict(features(question, cands))


@lru_cache(maxsize=4)
def load_reader(path: str = str(WEIGHTS)) -> Reader:
    """The shipped (or given) fitted reader."""
    return load_model(path, "reader", FEATURES, "bench/fit_reader.py", Reader)
