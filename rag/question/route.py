"""Which way a question goes: one fact, a count or list of releases, or a case's history.

* ``route(question)``: "count" ("How many press releases did the Orange County DA publish in
  July 2024?"), "list" ("Which 2023 Harris County DA releases announced ...?"), "case" ("What
  happened in the case against X?", "Trace the Brooklyn case over ...") or "fact" (everything
  else: the normal answer). The patterns here read the wordings they were written on; a question
  they leave to "fact" is a case, list or count question when the fitted ``route_model`` is sure enough
  (``bench/fit_route.py``; ``read_route`` says which read it).
* ``topic_text(question)``: for a count or list, the words that say what a release must be
  about ("mention a gun buyback" -> "a gun buyback"); "" when every release of the source and
  window counts.
* ``title_prefix(question)``: a quoted title opening ("profiles ('Meet ...')" -> "Meet").
* ``only_year(question)``: the one bare year a count names ("How many 2025 Brooklyn DA press
  releases ..."), the window when the time words say nothing else.

Pure functions over the question text; what a route does with them is ``rag.collect``'s.
"""
from __future__ import annotations

import re

__all__ = ["MODEL", "ROUTES", "asks_amount", "counted_modifiers", "only_year", "pattern_route", "read_route", "route",
           "title_prefix", "topic_text"]

ROUTES = ("fact", "count", "list", "case")

# What a release is called, and what a publisher does with one.
_ITEMS = (r"(?:press |news |media )?(?:releases|posts|items|stories|announcements|articles|statements|"
          r"advisories|profiles|updates)")
_PUBLISH = r"(?:publish|post|issue|put out|release|run|send out)(?:ed|d|s)?"
# "Which <up to five words> <plural people or cases> has/did ...": the words and the noun named
_WHICH_PLURAL = (r"^\W*which\s+(?P<mods>(?:[\w'’-]+\s+){0,5}?)(?P<noun>cases|defendants|people|officers|officials|"
                 r"suspects|individuals|candidates|companies|businesses)\s+(?:has|have|did)\b")
_COUNT = re.compile(rf"\b(?:how many|how often|number of|count(?:ing)? (?:of |the )?)\b(?:[^?.]{{0,60}}?)\b{_ITEMS}\b|"
                    # "how many times did X release ...", not "how many victims did X say ... the scam run" nor
                    # "how many calls did the release say ...": a figure stated, the verb not a publisher's
                    rf"\bhow (?:many|often)\b[^?.]{{0,60}}\bdid\b(?:(?!\bsa(?:y|id)\b)[^?.]){{0,80}}?"
                    rf"(?<!\bthe )(?<!\ba )(?<!\bits )(?<!\bthat )(?<!\bthis )\b{_PUBLISH}\b|"
                    r"\bhow (?:many times|often)\b[^?.]{0,60}\b(?:did|has|have)\b[^?.]{0,80}\bannounc(?:e|ed|es)\b", re.I)
_LIST = re.compile(rf"^\W*(?:which|what|list|name|show)\b(?:[^?.]{{0,60}}?)\b{_ITEMS}\b|"
                   r"\b(?:who were|list|name|which were)\s+(?:all\s+)?the\s+defendants\s+in\s+(?:the\s+)?[^?.]{1,60}?\s+cases\b|"
                   r"\b(?:list|name)\s+(?:everyone|everybody|all those|all the people|anyone)\b|"
                   r"^\W*which\s+(?:defendants|people|suspects)\s+(?:has|have|did)\b|"
                   rf"^\W*who\s+(?:were|are)\s+the\s+(?:defendants|people|suspects)\b[^?.]{{0,80}}\b{_ITEMS}\b|"
                   # "Which elder-exploitation cases has the Miami-Dade State Attorney's Office announced?": plural
                   # people or cases a publisher announced, charged or prosecuted
                   rf"{_WHICH_PLURAL}[^?.]{{0,80}}?\b(?:announc|prosecut|charg|indict|convict)\w*|"
                   r"\b(?:list|name)\s+(?:all\s+)?the\s+(?:people|defendants|suspects)\b[^?.]{0,90}?\bcases\b|"
                   rf"\b(?:list|name|show me) (?:all|every|each) (?:the )?(?:[\w'’-]+\s+){{0,6}}?"
                   rf"(?:press |news )?(?:release|post|announcement|statement)s?\b", re.I)
# A case question asks how something went over time (a cue) about a case or a person (a subject).
_HISTORY = re.compile(r"\bwhat (?:has |had )?happened\b|\bwhat (?:has )?(?:be)?c(?:a|o)me of\b|\bcatch (?:me|us) up\b|"
                      r"\bwhat(?:'s|’s| is) the (?:status|latest)\b|\bstatus of\b|\bturn(?:ed|s)? out\b|"
                      r"\bhow did\b[^?]{0,120}\b(?:end|conclude|wrap up)\b|"
                      r"\bha(?:s|ve) [^?]{0,80}\bbeen (?:paroled|released|sentenced|convicted|tried|extradited)\b|"
                      r"\bwhat(?:'s|’s| is) the latest (?:on|in|with)\b|\bsummari[sz]e\b|\bwalk (?:me |us )?through\b|"
                      r"\bfrom (?:arrest|charge|indictment) to (?:sentence|sentencing|verdict|trial)\b|"
                      r"\bwhere (?:does|do|did) [^?]{0,80}\bstand\b|\btrace\b|\bhistory\b|\btimeline\b|\bunfold(?:ed|s)?\b|"
                      r"\bhow did (?:the|his|her|their) (?:case|prosecution|trial|proceedings)\b|\bso far\b|"
                      r"\b(?:latest|current|final) (?:status|outcome)\b|\bhow did (?:the case|it) end\b|"
                      r"\bwhat (?:was|is) the (?:final )?outcome\b|\boutcome of the (?:case|prosecution|trial)\b", re.I)
_AMOUNT = re.compile(r"\bhow (?:many|much)\b", re.I)  # "So far this year, how many people has X arrested?": a fact
_SUBJECT = re.compile(r"\b(?:case|prosecution|trial|proceedings|charges|parole)\b", re.I)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z]\.?)?(?:\s+[A-Z][a-z'’-]+)+\b")


def asks_amount(question: str) -> bool:
    """Whether ``question`` asks "how many/much": one figure as often as a count of releases."""
    return bool(_AMOUNT.search(question or ""))


MODEL = True  # switch: the fitted reading (``route_model``) may send to a case, list or count what the patterns leave
#               to "fact"
FITTED_COUNTS = True  # switch: ... and a "how many/much" question it reads as a count or list to a count


def pattern_route(question: str) -> str:
    """The route the patterns read: "count", "list", "case" or "fact"."""
    text = question or ""
    if _COUNT.search(text):
        return "count"
    if _LIST.search(text):
        return "list"
    if _HISTORY.search(text) and not _AMOUNT.search(text) and (_SUBJECT.search(text) or _NAME.search(text)):
        return "case"
    return "fact"


def route(question: str) -> str:
    """"count", "list", "case" or "fact": see ``read_route``."""
    return read_route(question)[0]


def read_route(question: str) -> tuple[str, bool]:
    """(route, fitted): the patterns' route, fitted False; a question they leave to "fact" goes
    where the fitted model reads it (fitted True): to a case history when it puts 1 - P(fact) at or
    over its threshold and a case likelier than a count or list (``reads_case``), else to a list when
    1 - P(fact) reaches its list threshold (``reads_list``) and the question asks no "how many/much",
    to a count when it asks one (``FITTED_COUNTS``, since stop 56: "How many sex trafficking cases did
    the Brooklyn DA announce in 2025?"; "So far this year, how many people has the team arrested?" reads
    like a count and asks one figure, and stays under the threshold). Either way back to the normal
    answer is ``rag.collect.run``'s: a case whose person no release names, a count or list with no topic
    or fewer than two releases."""
    kind = pattern_route(question)
    if kind != "fact" or not MODEL:
        return kind, False
    from .route_model import load_route_model, reads_case, reads_list

    model = load_route_model()
    p = model.probabilities(question or "")
    if reads_case(p, model.threshold):
        return "case", True
    if reads_list(p, model.list_threshold):
        if not asks_amount(question):
            return "list", True
        if FITTED_COUNTS:
            return "count", True
    return "fact", False


# The clause that says what a release is about: after "mention", "about", "announced" ...
_TOPIC = re.compile(r"\b(?:mention(?:s|ed|ing)?|about|on the (?:subject|topic) of|concerning|"
                    r"involv(?:e|ed|es|ing)|discuss(?:es|ed|ing)?|address(?:es|ed|ing)?|highlight(?:s|ed|ing)?|"
                    r"cit(?:e|es|ed|ing)|referenc(?:e|es|ed|ing)|touch(?:es|ed)? on|center(?:s|ed)? on|"
                    r"related to|regarding|announc(?:e|ed|es|ing)|report(?:s|ed|ing)?|deal(?:s|t)? with|"
                    r"dealing with|cover(?:s|ed|ing)?|describ(?:e|ed|es|ing)|featur(?:e|ed|es|ing)|"
                    r"focus(?:ed|es|ing)? on|tied to|linked to|br(?:ing|ings|inging|ought) up|rais(?:e|ed|es|ing)|"
                    r"on(?!\s+(?:its|their|the|our|his|her)\s+(?:\w+\s+)?(?:page|site|website|feed|account|blog)s?\b))"
                    r"\b\s+(.+)",
                    re.I)
_TOPIC_END = re.compile(r"[?.!;:]|,?\s+and\s+(?:who|whom|what|which|how|when|where|name|give|list)\b|"
                        r"\b(?:in|during|from|between|since|before|after|last|this|so far|and name|name)\b|"
                        r"\s+or\s+", re.I)  # "X or Y": X (a release about either is not told apart yet)


def _asking_sentence(question: str) -> str:
    """The sentence of ``question`` that asks for a count or list (the whole question if none)."""
    return next((s for s in re.split(r"(?<=[.?!])\s+", question) if _COUNT.search(s) or _LIST.search(s)), question)


_DEFENDANTS_IN = re.compile(r"\b(?:defendants|people|suspects)\b(?:[^?.]{0,40}?\bcharged)?\s+in\s+(?:the\s+)?"
                            r"([^?.]{1,60}?)\s+cases\b", re.I)


def topic_text(question: str) -> str:
    """The words a counted release must hold, "" for none (see the module's doc)."""
    asked = _asking_sentence(question)
    m = _DEFENDANTS_IN.search(asked)  # "the defendants in the animal cruelty cases the OCDA announced"
    if m:
        return m.group(1).strip()
    cue = _COUNT.search(asked) or _LIST.search(asked)
    # the topic said after the counting words ("For a story on fentanyl: how many ... mention fentanyl")
    m = (_TOPIC.search(asked, cue.start()) if cue else None) or _TOPIC.search(asked)
    if not m:
        return ""
    topic = m.group(1)
    quoted = re.search(r"(?<!\w)[\"“‘']([^\"”’']{2,60})[\"”’'](?!\w)", topic)
    if quoted:  # "mentioning 'pig butchering' scams": the quoted words are the topic
        return quoted.group(1).strip()
    end = _TOPIC_END.search(topic)
    return (topic[: end.start()] if end else topic).strip(" ,'\"")


_MODIFIERS = re.compile(rf"\b(?:how many|number of|which|what|list(?: all| every)?(?: the)?)\s+(?P<mods>[^?.]{{0,80}}?)"
                        rf"\s*\b{_ITEMS}\b", re.I)


_ANNOUNCED = re.compile(_WHICH_PLURAL, re.I)
_GENERIC = frozenset("cases defendants people suspects individuals".split())


def counted_modifiers(question: str) -> str:
    """The words before the counted noun ("How many hate-crime press releases" -> "hate-crime";
    "Which elder-exploitation cases has the DA announced" -> "elder-exploitation"; "Which
    law enforcement officers did ..." -> "law enforcement officers"), where a topic may hide when
    no "mention"/"about" introduces one; "" for none."""
    m = _MODIFIERS.search(question or "")
    if m:
        return m.group("mods").strip()
    m = _ANNOUNCED.search(question or "")
    if m:
        noun = "" if m.group("noun").lower() in _GENERIC else m.group("noun")
        return " ".join([m.group("mods").strip(), noun]).strip()
    return ""


_PREFIX = re.compile(r"""['"‘“(]\s*([A-Z][\w'’-]*(?:\s+[\w'’-]+){0,3})\s*(?:\.\.\.|…)\s*['"’”)]""")


def title_prefix(question: str) -> str:
    """The quoted opening of the titles asked about ("('Meet ...')" -> "Meet"), or ""."""
    m = _PREFIX.search(question or "")
    return m.group(1) if m else ""


_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


def only_year(question: str) -> int | None:
    """The year, when the counting sentence names exactly one and no other time words."""
    asked = _asking_sentence(question)
    years = set(_YEAR.findall(asked))
    return int(years.pop()) if len(years) == 1 else None
