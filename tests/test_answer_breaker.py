"""Model calls that cannot hold others hostage: a hung server costs each waiting user one
first-token timeout (calls to a server are not queued behind each other), and after repeated
failures the circuit breaker answers with the fallback at once, then tries the server again."""
from __future__ import annotations

import threading

import pytest
from fake_openai_server import FakeOpenAIServer

from rag.answer.breaker import CircuitBreaker, CircuitOpen
from rag.answer.extractive import ExtractiveAnswerer
from rag.answer.llm import LLMAnswerer
from rag.answer.openai_compat import ChatClient, ChatSettings, LLMError
from rag.models import Chunk, Hit, Release

MESSAGES = [{"role": "user", "content": "What is the answer?"}]
BODY = "Officers seized 10 knives in Luton parks on Friday. The operation continues next month."
RELEASE = Release("luton.txt", "Knives seized in Luton", "2024-05-01", None, "beds", BODY, "luton.txt")
HITS = [Hit(Chunk(RELEASE.id, 0, 0, len(BODY), BODY), RELEASE, 1.0, 1)]


@pytest.fixture
def server():
    srv = FakeOpenAIServer().start()
    yield srv
    srv.stop()


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_breaker_opens_cools_down_and_tries_once():
    clock = Clock()
    b = CircuitBreaker(failures=2, cooldown_s=60, clock=clock)
    b.before("srv")
    b.failed("HTTP 500")
    b.before("srv")
    b.failed("HTTP 500")
    with pytest.raises(CircuitOpen, match=r"srv failed 2 times in a row \(last: HTTP 500\); not calling it for 60 s"):
        b.before("srv")
    clock.now += 61
    b.before("srv")  # the one trial call
    with pytest.raises(CircuitOpen):
        b.before("srv")  # no second call while the trial is out
    b.failed("HTTP 500")  # the trial failed: open again
    with pytest.raises(CircuitOpen):
        b.before("srv")
    clock.now += 61
    b.before("srv")
    b.succeeded()
    b.before("srv")  # closed


def test_a_failing_server_is_left_alone_after_repeated_failures(server):
    server.mode = "error500"
    client = ChatClient(ChatSettings(base_url=server.base_url, breaker_failures=2, breaker_cooldown_s=600))
    for _ in range(2):
        with pytest.raises(LLMError, match="HTTP 500"):
            client.complete(MESSAGES)
    with pytest.raises(CircuitOpen, match="failed 2 times in a row"):
        client.complete(MESSAGES)
    assert len(server.requests) == 2  # the third call never reached it


def test_three_users_waiting_on_a_hung_server_wait_side_by_side(server):
    """Each gets the extractive fallback after its own first-token timeout; the server saw all
    three requests at once (with the calls queued, it saw one at a time and the third user waited
    three timeouts)."""
    server.mode, server.delay = "hang", 5.0
    client = ChatClient(ChatSettings(base_url=server.base_url, first_token_timeout_s=1.0, breaker_failures=10))
    llm = LLMAnswerer(client, fallback=ExtractiveAnswerer(None))
    answers = []

    def user():
        answers.append(llm.answer("How many knives were seized in Luton parks?", HITS))

    threads = [threading.Thread(target=user) for _ in range(3)]
    [t.start() for t in threads]
    [t.join(timeout=60) for t in threads]
    assert len(answers) == 3 and server.most_active == 3
    for a in answers:
        assert a.answerer == "extractive (fallback from openai)" and "did not answer within 1 s" in a.note
        assert "10 knives" in a.text


def test_an_open_breaker_answers_with_the_fallback_at_once(server):
    server.mode = "error500"
    client = ChatClient(ChatSettings(base_url=server.base_url, breaker_failures=1, breaker_cooldown_s=600))
    llm = LLMAnswerer(client, fallback=ExtractiveAnswerer(None))
    first = llm.answer("How many knives were seized in Luton parks?", HITS)
    second = llm.answer("How many knives were seized in Luton parks?", HITS)
    assert "HTTP 500" in first.note and "not calling it for" in second.note
    assert "10 knives" in second.text and len(server.requests) == 1


def test_the_total_deadline_holds_while_a_trickling_server_is_read(server):
    """One token, then a 30 s gap (shorter than the 60 s silence allowed): the 3 s total ends the
    answer during the gap, not when the next token comes. The join below is a liveness bound eight
    times the deadline, not a speed measurement."""
    server.mode, server.delay = "trickle", 30.0
    client = ChatClient(ChatSettings(base_url=server.base_url, timeout_s=3.0, first_token_timeout_s=60.0))
    got, errors = [], []

    def read():
        try:
            for delta in client.stream(MESSAGES):
                got.append(delta)
        except LLMError as exc:
            errors.append(str(exc))

    t = threading.Thread(target=read, daemon=True)
    t.start()
    t.join(timeout=25)
    assert not t.is_alive(), "the answer outlived its total deadline by more than 20 s"
    assert got == ["w0 "] and errors == [f"the model server at {server.base_url} did not finish answering within 3 s"]
