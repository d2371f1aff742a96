"""Turns at the local model: first come first served, a waiter told its place in line, a
waiter that leaves skipped. Real threads; a fake backend that holds the model until told."""
from __future__ import annotations

import threading

from test_answer_breaker import HITS

from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.llm import LLMAnswerer
from rag.answer.turns import ModelTurns, Waiting
from rag.models import Answer

QUESTION = "How many knives were seized in Luton parks?"


def test_turns_are_served_in_order_and_a_ticket_given_up_is_skipped():
    turns = ModelTurns()
    a, b, c = turns.take(), turns.take(), turns.take()
    assert (turns.ahead(a), turns.ahead(b), turns.ahead(c)) == (0, 1, 2)
    assert turns.wait(a, 0) and not turns.wait(b, 0)
    turns.release(b)  # b leaves before its turn
    assert turns.ahead(c) == 1
    turns.release(a)
    assert turns.wait(c, 0)  # b was skipped
    turns.release(c)
    with turns:  # a plain lock too
        assert turns.ahead(turns.take()) == 1


class HeldBackend:
    """Streams one sentence once ``go`` is set: the model is busy until then."""

    name = "local"

    def __init__(self):
        self.go = threading.Event()
        self.started = threading.Event()

    def stream(self, messages):
        self.started.set()
        self.go.wait(timeout=60)
        yield "Officers seized 10 knives in Luton parks [1]."


def test_a_question_waiting_for_the_model_is_told_its_place(monkeypatch):
    import rag.answer.llm as llm_module

    monkeypatch.setattr(llm_module, "MODEL_LOCK", ModelTurns())
    monkeypatch.setattr(llm_module, "WAIT_REPORT_S", 0.05)
    backend = HeldBackend()
    llm = LLMAnswerer(backend, fallback=ExtractiveAnswerer(None))
    first_items: list = []
    first = threading.Thread(target=lambda: first_items.extend(llm.stream(QUESTION, HITS)))
    first.start()
    assert backend.started.wait(timeout=60)  # the first question holds the model
    second = llm.stream(QUESTION, HITS)
    waiting = next(second)
    assert isinstance(waiting, Waiting) and waiting.ahead == 1 and "1 question ahead" in waiting.text
    backend.go.set()
    rest = [item for item in second if not isinstance(item, Waiting)]
    first.join(timeout=60)
    assert isinstance(rest[-1], Answer) and "10 knives" in rest[-1].text and not rest[-1].refused
    assert not any(isinstance(i, Waiting) for i in first_items) and isinstance(first_items[-1], Answer)


def test_a_waiter_that_leaves_does_not_block_the_next(monkeypatch):
    import rag.answer.llm as llm_module

    turns = ModelTurns()
    monkeypatch.setattr(llm_module, "MODEL_LOCK", turns)
    monkeypatch.setattr(llm_module, "WAIT_REPORT_S", 0.05)
    holder = turns.take()  # someone holds the model
    backend = HeldBackend()
    llm = LLMAnswerer(backend, fallback=ExtractiveAnswerer(None))
    leaver = llm.stream(QUESTION, HITS)
    assert isinstance(next(leaver), Waiting)
    leaver.close()  # the user left while waiting
    turns.release(holder)
    backend.go.set()
    answer = list(llm.stream(QUESTION, HITS))[-1]
    assert isinstance(answer, Answer) and "10 knives" in answer.text
