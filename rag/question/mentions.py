"""The specific things a question names (pure functions).

* ``question_mentions(question)``: what a passage must contain for an answer to be about
  what was asked: quoted phrases, numbers and case numbers, and runs of capitalised words
  (names). ``ReleaseText(...).contains(mention)`` looks one up in a release: quotes and
  numbers match as a contiguous run of normalised tokens; a name matches when each of its
  words does (initials aside), an acronym also by the initials of a run of capitalised
  words, and anything also inside the release URL.
* ``release_texts(hits)`` / ``missing_mentions(mentions, texts)``: the releases of some hits, ready
  for lookups, and the required mentions none of them contains (grounding: ``rag.answer.evidence``,
  ``rag.retrieval.known``).
* ``specific_terms(question)``: a looser list (capitalised words, numbers, quoted phrases,
  lower-cased) for the overlap reranker and for telling a follow-up that names nothing.

Capitalised runs that contain an institution word ("Orange County DA",
"Bedfordshire Police") name the publisher or jurisdiction, which a release
rarely repeats in every passage, so they are *context*, never grounds to refuse
on their own; a run of capitalised words with no institution word (a person, a
place, an operation) is a *name*, and so is every quoted phrase and number.
Question words, ranks and roles ("Detective", "DCI"), months and weekdays never
join a run, and neither does a lone sentence-initial word; a question in Title
Case or ALL CAPS names nothing by capitals.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from ..models import Hit
from ..text.quotes import QUOTED
from ..text.sentences import TITLES
from ..text.stopwords import FUNCTION_WORDS, QUESTION_STOPWORDS
from ..text.tokenize import normalise_token, words as tokens
from ..text.stem import suffix_stem as stem

_RAW_WORD = re.compile(r"[^\W_](?:\w|['’.\-&](?=\w)|,(?=\d{3}))*")
_CAMEL = re.compile(r"[A-Z][a-z]+|[A-Z]+(?![a-z])|[a-z]+|\d+")  # the parts of "TechSoup", "iPhone"
_POSSESSIVE = re.compile(r"['’]s$")  # "Prop 36's", "TechSoup's"

# Words that make a capitalised run a reference to an institution or jurisdiction.
INSTITUTION_WORDS = frozenset(
    """da das ada district attorney attorneys office police department dept county city state
    states sheriff sheriffs court courts constabulary force council borough police's prosecutor
    prosecutors prosecution service unit agency bureau division squad task team commission
    authority government ministry department's public safety news press release releases
    statement fbi doj dea atf nypd lapd us usa uk federal superior supreme""".split()
)
MONTHS_DAYS = frozenset(
    """january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday""".split()
)
# Ranks and roles: part of how people are referred to, not of their names.
ROLE_WORDS = frozenset(
    """mr mrs ms mx dr prof sir dame lady lord det detective sgt sergeant insp inspector chief
    supt superintendent constable pc dc ds di dci dcs officer officers deputy assistant acting
    special agent agents judge justice magistrate mayor governor gov senator sen president
    minister secretary director manager commissioner captain capt lieutenant lt commander
    sheriff senior junior general counsel spokesperson spokesman spokeswoman congressman congresswoman
    congressmember rep representative assemblyman assemblywoman assemblymember councilman councilwoman
    councilmember alderman alderwoman ambassador""".split()
)
# Capitalised words that start requests or sentences, or say who rather than which.
CAPITAL_STOP = QUESTION_STOPWORDS | MONTHS_DAYS | ROLE_WORDS | frozenset({"i"})


@dataclass(frozen=True)
class Mention:
    """Something specific a question names, as a run of normalised tokens."""

    text: str
    tokens: tuple[str, ...]
    kind: str  # "quote", "number", "name" or "context"

    @property
    def required(self) -> bool:
        return self.kind != "context"


def _is_acronym(word: str) -> bool:
    letters = word.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


def question_mentions(question: str) -> list[Mention]:
    """Quoted phrases, numbers/case numbers and capitalised runs named by ``question``."""
    mentions: list[Mention] = []
    for m in QUOTED.finditer(question):
        phrase = m.group(1)
        toks = tuple(tokens(phrase))
        if toks:
            mentions.append(Mention(phrase, toks, "quote"))
    unquoted = QUOTED.sub(" , ", question)  # quoted words are matched as a phrase above
    words = [(m.group(0), m.start(), m.end()) for m in _RAW_WORD.finditer(unquoted)]
    for word, _, _ in words:
        if any(c.isdigit() for c in word):
            word = _POSSESSIVE.sub("", word)  # "Prop 36's": the number is 36
            toks = tuple(tokens(word))
            if toks:
                mentions.append(Mention(word, toks, "number"))
    gaps = [unquoted[words[i - 1][2]:w[1]].strip() if i else "." for i, w in enumerate(words)]
    abbrev = [i > 0 and g == "." and (len(words[i - 1][0]) == 1 or words[i - 1][0].lower() in TITLES)
              for i, g in enumerate(gaps)]
    initial = [g[-1:] in (".", "?", "!", ":") and not a for g, a in zip(gaps, abbrev)]
    alpha = [w for w, _, _ in words if w[0].isalpha()]
    shouting = len(alpha) >= 3 and all(w.isupper() for w in alpha)
    title_case = any(w[0].isupper() and len(w) > 1 and w.lower() in FUNCTION_WORDS
                     for (w, _, _), first in zip(words, initial) if not first)
    if shouting or title_case:
        return mentions  # "Were Knives Seized In Luton?": capitals say nothing about names
    run: list[str] = []

    def flush() -> None:
        if not run:
            return
        toks = tuple(t for w in run for t in tokens(w))
        is_context = any(t in INSTITUTION_WORDS for t in toks)
        if toks:
            mentions.append(Mention(" ".join(run), toks, "context" if is_context else "name"))
        run.clear()

    for i, (word, _, _) in enumerate(words):
        if gaps[i] and not abbrev[i]:
            flush()  # punctuation ends a name ("Smith, Jones"), an initial's dot does not
        low = normalise_token(word)
        is_cap = word[0].isupper() and (low not in CAPITAL_STOP or (len(word) == 1 and bool(run)))
        if initial[i] and is_cap and not (i + 1 < len(words) and words[i + 1][0][0].isupper()):
            is_cap = _is_acronym(word)  # a sentence-initial capital alone is no evidence
        if is_cap:
            run.append(word)
        else:
            flush()
    flush()
    return mentions


def initials_runs(text: str) -> list[str]:
    """Initial letters of each run of capitalised words ("Detective Chief Inspector" -> "DCI")."""
    out: list[str] = []
    cur: list[str] = []
    for word in _RAW_WORD.findall(text):
        if word[0].isupper():
            cur.append(word[0])
        elif word.lower() not in {"of", "and", "for", "the"} or not cur:
            if len(cur) >= 2:
                out.append("".join(cur))
            cur = []
    if len(cur) >= 2:
        out.append("".join(cur))
    return out


def acronyms(text: str) -> frozenset[str]:
    """Stemmed lower-case acronyms a text spells out: every 2-6 letter stretch of
    the initials of a run of capitalised words ("Detective Chief Inspector" gives
    "dci"), so a question's "DCI" or "DA" can match the words written in full."""
    out: set[str] = set()
    for run in initials_runs(text):
        run = run.lower()
        for i in range(len(run)):
            for j in range(i + 2, min(len(run), i + 6) + 1):
                out.add(stem(run[i:j]))
    return frozenset(out)


class ReleaseText:
    """Where question mentions are looked up: one release's title, body and metadata."""

    def __init__(self, *parts: str | None, url: str | None = None):
        text = "\n".join(p for p in parts if p)
        self._text = text
        self._joined = " " + " ".join(tokens(text)) + " "
        self._url = re.sub(r"[^a-z0-9]", "", (url or "").lower())
        self._initials: str | None = None

    def contains(self, mention: Mention) -> bool:
        """Quotes and numbers match as a run of tokens; a name matches when each of
        its words (initials aside; a number word is its number: "Two" finds "two" and "2")
        occurs ("John Smith" finds "John A. Smith"), in the singular or plural, without a
        lower-case hyphenated affix ("Boson-led")."""
        if " " + " ".join(mention.tokens) + " " in self._joined:
            return True
        if mention.kind == "number" and all(t.isdigit() for t in mention.tokens):
            # a range or date ("2017-18", "4/12"): any of its numbers will do
            return any(" " + t + " " in self._joined for t in mention.tokens)
        if self._url and len("".join(mention.tokens)) >= 4 and "".join(mention.tokens) in self._url:
            return True
        words = [w for w in mention.text.split() if len(w) > 1]  # initials aside
        if mention.kind == "name" and words:
            return all(self._has_word(w) for w in words)
        return False

    def _has_word(self, word: str) -> bool:
        """One word of a name: its tokens, initials aside, or an acronym's expansion."""
        if _is_acronym(word):
            if " " + " ".join(tokens(word)) + " " in self._joined:
                return True
            if self._initials is None:
                self._initials = " ".join(initials_runs(self._text))
            return word.replace(".", "").upper() in self._initials
        if "-" in word:  # "Boson-led": the lower-case affix is not part of the name
            pieces = word.split("-")
            parts = [p for p in pieces if p[:1].isupper() or p[:1].isdigit()]
            if len(parts) > 1 and len(parts) < len(pieces):  # "Virginia-to-Brooklyn": two names, each on its own
                return all(self._has_word(p) for p in parts)
            if parts and len(parts) < len(pieces):
                word = "-".join(parts)
        toks = [t for t in tokens(word) if len(t) > 1 or t.isdigit()]  # "Two" is "2", no initial
        if not toks:
            return False
        if " " + " ".join(toks) + " " in self._joined:
            return True
        # a plural or singular of the same name: "Street Meets" finds "Street Meet"
        last = toks[-1]
        other = last[:-1] if last.endswith("s") and len(last) > 3 else last + "s"
        if " " + " ".join(toks[:-1] + [other]) + " " in self._joined:
            return True
        # a name written closed up or apart: "TechSoup" finds "Tech Soup"
        parts = _CAMEL.findall(_POSSESSIVE.sub("", word))
        return len(parts) > 1 and " " + " ".join(p.lower() for p in parts) + " " in self._joined


_WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*[A-Za-z]|\d[\d,.]*\d|\d")


def specific_terms(question: str) -> list[str]:
    """Names (capitalised words not opening the question), numbers and quoted phrases of 3 to
    80 characters, lower-cased: a looser cousin of :func:`question_mentions` for the overlap
    reranker and for telling a follow-up that names nothing."""
    terms = [m.group(1).lower() for m in QUOTED.finditer(question) if 3 <= len(m.group(1)) <= 80]
    found = _WORD.findall(question)
    for i, w in enumerate(found):
        if w[0].isdigit():
            terms.append(w.replace(",", "").rstrip(".").lower())
        elif i > 0 and w[0].isupper() and not w.isupper() or (len(w) > 1 and w.isupper()):
            terms.append(w.rstrip(".").lower())
    return list(dict.fromkeys(t for t in terms if t))


def release_texts(hits: Sequence[Hit]) -> dict[str, ReleaseText]:
    """Each release of ``hits`` (first seen first), ready for looking up mentions."""
    texts: dict[str, ReleaseText] = {}
    for hit in hits:
        r = hit.release
        if r.id not in texts:
            texts[r.id] = ReleaseText(r.title, r.body, r.source, r.date, url=r.url)
    return texts


def missing_mentions(mentions: Sequence[Mention], texts: Sequence[ReleaseText]) -> list[Mention]:
    """The required mentions that none of ``texts`` contains."""
    return [m for m in mentions if m.required and not any(t.contains(m) for t in texts)]
