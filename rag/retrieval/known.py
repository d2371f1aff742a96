"""Names the archive holds elsewhere are no sign that a question's premise is false.

The answerers refuse when the question names something (a person, a place, a number) that
none of the releases read contains ("Vadim Oshchepkov": no release names him, so no release
answers). But a question often names a place or figure its release does not repeat: "the
repeat offender who shot a Houston nightclub owner" is answered by a Harris County release
that never says "Houston"; "Which 2014 release ..." by one whose body has no "2014". When
the archive holds such a mention verbatim in some other release, it is a word the corpus
uses, not an invented name, and its absence from the releases read says nothing about
whether they answer: :func:`known_as_context` makes it context (never grounds to refuse on
its own, like a publisher's name). A mention found nowhere in the archive still refuses.

Measured over the refusals of eight fact sets (switch ``retrieval.known_names``; README, "Two more
training sets, what the answerer reads, names the archive knows"):
of the 37 questions refused for a missing mention, the 31 unanswerable ones each name
something the archive does not hold; four of the six answerable ones name only things it does.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Protocol, Sequence

from ..models import Hit
from ..question import Question
from ..question.mentions import Mention, missing_mentions, release_texts


class HoldsText(Protocol):
    def holds_text(self, text: str) -> bool:
        """Whether any release's title or body holds ``text`` as is."""
        ...


def missing_from(question: Question, hits: Sequence[Hit]) -> list[Mention]:
    """The question's required mentions that no release of ``hits`` contains."""
    return missing_mentions(question.mentions, list(release_texts(hits).values()))


def known_as_context(question: Question, hits: Sequence[Hit], archive: HoldsText) -> Question:
    """``question`` with each required mention that ``hits``' releases lack but ``archive``
    holds verbatim made context; the question itself when there is none."""
    if not question.required_mentions:  # nothing to look up: the releases are not read for it
        return question
    known = {m for m in missing_from(question, hits) if archive.holds_text(m.text)}
    if not known:
        return question
    mentions = tuple(replace(m, kind="context") if m in known else m for m in question.mentions)
    return replace(question, mentions=mentions)
