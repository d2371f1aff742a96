"""Questions about many releases: counts, lists and a case's history, over the whole index.

    Question (route "count" / "list" / "case") ─▶ criteria ─▶ matching releases ─▶ Answer

* ``criteria``: what a counted release must be (source, date window, topic), from the question.
* ``find``: every release of the index that meets them (not the top k of a search); whether a
  release is about the topic is scored by ``topic`` (a fitted model), or read as word runs
  (``match``).
* ``case``: the releases naming one person, in date order, each labelled with its step.
* ``compose``: the answer: the number and the criteria used, then every match cited.
"""
from __future__ import annotations

from .compose import answer_case, answer_matches
from .criteria import Criteria, criteria_for
from .case import CaseStep, case_history
from .find import find_matches
from .match import Matches

__all__ = ["CaseStep", "Criteria", "Matches", "answer_case", "answer_matches", "case_history", "criteria_for",
           "find_matches"]
