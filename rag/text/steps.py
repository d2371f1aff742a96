"""The steps of a criminal case as press releases report them, and whether a sentence states an
outcome or only a possible one.

``step_of(text)`` labels a title or sentence with the most final step it reports ("Convicted
and Sentenced" is "sentenced"); ``STEPS`` lists the labels, most final first. Used by case
histories (``rag.collect.case``) and by the sentence reader (``rag.answer.reader``: a question
asking what sentence someone received is answered from the sentencing release, not from the
charge's "faces a maximum of").
"""
from __future__ import annotations

import re

__all__ = ["DURATION", "OUTCOME", "STEPS", "STEP_PATTERNS", "TERM", "asks_outcome", "asks_potential", "asks_sentence",
           "hypothetical", "sentence_asked", "states_asked_sentence", "states_possible_sentence", "states_sentence",
           "step_of"]

STEPS = (  # (label, pattern), checked in this order: the most final step a text reports wins
    ("dismissed", r"\b(?:dismiss\w*|acquit\w*|not guilty|exonerat\w*|overturn\w*|vacat\w*)\b"),
    ("parole", r"\bparole (?:hearing|board|denied|granted)|\b(?:denied|granted|up for)\b[\w\s]{0,20}\bparole\b"),
    ("sentenced", r"\bsentenced\b|\bsentences? (?:of|to)\b|\b\w+-years? sentence\b"),
    ("appeal", r"\bappeal\w*"),
    ("pleaded", r"\b(?:plead\w*|pled)\b"),
    ("convicted", r"\b(?:convicted|convicts?|found guilty|guilty verdict|jury finds?)\b"),
    ("indicted", r"\bindict\w*"),
    ("arraigned", r"\barraign\w*"),
    ("charged", r"\b(?:charg\w*|arrest\w*|extradit\w*|booked|accused)\b"),
)
STEP_PATTERNS = {label: re.compile(p, re.I) for label, p in STEPS}


# a term imposed or agreed ("to 15 years to life", "of probation")
TERM = re.compile(r"\b(?:to|of)\s+(?:\w+[\s-]){0,3}?(?:\d+|life|death|probation)\b", re.I)
# a word saying where a case stands ("remain pending", "denied", "reversed")
# a length of time served or imposed ("five years", "120 days", "life", "probation"); an age is none, and
# neither is "life" inside a compound ("life-threatening", "pro-life")
DURATION = re.compile(r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
                      r"twenty|thirty|forty|fifty)[\s-]+(years?|months?|weeks?|days?)\b(?![\s-]+old\b)|(?<!-)\blife\b(?!-)|"
                      r"\bprobation\b", re.I)
OUTCOME = re.compile(r"\b(?:pending|remains?|denied|granted|reversed|upheld|affirmed|overturned|dismissed|"
                     r"acquitted|guilty|convicted|sentenced|faces?|facing)\b", re.I)


def step_of(text: str) -> str | None:
    """The most final step ``text`` reports (see ``STEPS``), or None."""
    return next((label for label, pattern in STEP_PATTERNS.items() if pattern.search(text)), None)


# a question asking what happened ("what sentence did he receive", "how much jail time did she
# ultimately get") or what could have ("what maximum sentence did she face")
_OUTCOME_ASKED = re.compile(r"\b(?:receiv\w*|got|get|gets|given|end(?:ed)? up|ultimately|actually|eventually|finally|"
                            r"was (?:he |she |they )?sentenced|were sentenced)\b", re.I)
_POTENTIAL = re.compile(r"\b(?:fac(?:e|es|ed|ing)|maximum|max|could|potential(?:ly)?|up to)\b", re.I)
# a sentence stating only a possible outcome ("If convicted, he faces a maximum of ...")
_HYPOTHETICAL = re.compile(r"\bif (?:convicted|found guilty)\b|\b(?:faces?|facing|could (?:face|receive|get|be)|"
                           r"maximum|up to)\b", re.I)


def asks_outcome(question: str) -> bool:
    """Whether ``question`` asks what actually happened (received, got, ended up with)."""
    return bool(_OUTCOME_ASKED.search(question))


def asks_potential(question: str) -> bool:
    """Whether ``question`` asks what could have happened (faced, maximum)."""
    return bool(_POTENTIAL.search(question))


def hypothetical(sentence: str) -> bool:
    """Whether ``sentence`` states a possible outcome ("faces a maximum", "if convicted")."""
    return bool(_HYPOTHETICAL.search(sentence))


# a question asking for a sentence imposed ("what sentence did she receive", "what prison term did he end up with")
_SENTENCE_ASKED = re.compile(r"\b(?:sentence|prison term|jail (?:time|term)|years? in prison)\b|"
                             r"\bhow long\b.*\b(?:prison|jail)\b", re.I)
_SENTENCE_WORD = re.compile(r"\bsentence", re.I)
# only a possible or a coming outcome, whatever the verb: "if convicted", "faces", "could be sentenced",
# "is scheduled to be sentenced", "will be sentenced"
_POSSIBLE = re.compile(r"\bif (?:convicted|found guilty)\b|\b(?:faces?|facing|could|would|may|might|will|shall|"
                       r"scheduled|expected|set to)\b", re.I)


def asks_sentence(question: str) -> bool:
    """Whether ``question`` asks what sentence someone actually received (not what they faced)."""
    return bool(_SENTENCE_ASKED.search(question)) and asks_outcome(question) and not asks_potential(question)


def sentence_asked(question: str) -> str | None:
    """Which sentence ``question`` asks for: "imposed" ("what sentence did she receive?"),
    "possible" ("what maximum sentence did she face?"), or None (no sentence asked)."""
    if asks_sentence(question):
        return "imposed"
    if _SENTENCE_ASKED.search(question) and asks_potential(question) and not asks_outcome(question):
        return "possible"
    return None


# a term of one unit said with an article ("faces up to a year in jail"); only beside a possible outcome, as
# "a year" alone is no term ("a year ago", "a year-long investigation")
_ONE_UNIT_TERM = re.compile(r"\bup to an?\s+(?:year|month|week|day)\b|"
                            r"\ban?\s+(?:year|month|week|day)\s+in\s+(?:jail|prison|custody)\b", re.I)


def states_possible_sentence(text: str) -> bool:
    """Whether ``text`` states a possible term ("faces a maximum of 12 years if convicted", "faces up to a
    year in jail")."""
    return hypothetical(text) and bool(DURATION.search(text) or _ONE_UNIT_TERM.search(text))


def states_sentence(text: str) -> bool:
    """Whether ``text`` (a title or a sentence) reports a sentence imposed: a sentencing, or the
    word "sentence" with a term, and not only a possible one ("faces a maximum of ...")."""
    if _POSSIBLE.search(text):
        return False
    if step_of(text) == "sentenced":  # "sentenced to up to 22 years" is a sentence imposed
        return True
    return not hypothetical(text) and bool(_SENTENCE_WORD.search(text) and DURATION.search(text))


def states_asked_sentence(asked: str, text: str) -> bool:
    """Whether ``text`` states the kind of sentence ``sentence_asked`` found asked: one imposed
    (``states_sentence``) for "imposed", a possible term (``states_possible_sentence``) for "possible"."""
    return (states_sentence if asked == "imposed" else states_possible_sentence)(text)
