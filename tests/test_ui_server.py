"""The chat service and the real Gradio server over the bundled corpus, with the real MiniLM model.

gradio_client calls /ask, /search and /release; 20 concurrent sessions on loopback; streaming
and fallback through a real (fake) OpenAI-compatible HTTP server.
"""
import json
import math
import os
import statistics
import threading
import time

import pytest

from rag.config import OpenAIConfig
from rag.errors import ConfigError
from ui.chat import MAX_QUESTION_CHARS, ChatService, Done, Partial, Retrieved, check_k, check_question, parse_filters
from ui_support import ARTIFACTS, KNIVES, KNIVES_DATE, KNIVES_ID, build_pipeline, serving


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory, real_embedder, llm_server):
    openai = OpenAIConfig(base_url=llm_server.base_url, api_key="sk-test", model="fake")
    return build_pipeline(tmp_path_factory.mktemp("ui-idx"), real_embedder, openai=openai)


@pytest.fixture(scope="module")
def server(pipeline, llm_server, tmp_path_factory):
    from ui.app import build_app

    feedback = tmp_path_factory.mktemp("fb") / "feedback.jsonl"
    demo = build_app(pipeline, pipeline.settings, feedback)
    with serving(demo) as url:
        yield url


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server, verbose=False)


# ---- the service, without Gradio -----------------------------------------------------------


def test_input_checks():
    assert check_question("  hi  ") == "hi"
    with pytest.raises(ConfigError, match="empty"):
        check_question("   ")
    with pytest.raises(ConfigError, match=f"1001 characters long; the limit is {MAX_QUESTION_CHARS}"):
        check_question("x" * 1001)
    assert check_k(None, 5) == 5 and check_k(0, 5) == 5 and check_k(7.0, 5) == 7 and check_k("3", 5) == 3
    for bad in (-1, 21, 2.5, "many"):
        with pytest.raises(ConfigError, match="k must be"):
            check_k(bad, 5)
    f = parse_filters(" 2020-01-01 ", "", ["corpus", ""], None)
    assert str(f.date_from) == "2020-01-01" and f.date_to is None and f.sources == ("corpus",)
    with pytest.raises(ConfigError, match="date_to must be an ISO date"):
        parse_filters(None, "12/04/2022")


def test_sources_are_reported_before_the_answer(pipeline):
    events = list(ChatService(pipeline).run(KNIVES))
    assert isinstance(events[0], Retrieved) and isinstance(events[-1], Done) and len(events) == 2
    assert events[0].hits[0].release.id == KNIVES_ID and events[0].hits[0].release.date == KNIVES_DATE
    answer = events[-1].answer
    assert "10" in answer.text and answer.citations[0].release_id == KNIVES_ID
    assert {"retrieve", "answer", "total"} <= set(answer.timings_ms)


def test_llm_answer_streams_after_the_sources(pipeline, llm_server):
    llm_server.mode, llm_server.delay = "trickle", 0.01
    events = list(ChatService(pipeline).run(KNIVES, answerer="openai"))
    assert isinstance(events[0], Retrieved) and isinstance(events[-1], Done)
    partials = [e.text for e in events if isinstance(e, Partial)]
    assert len(partials) == 40 and partials[0] == "w0 " and partials[-1].startswith("w0 w1 w2")
    assert events[-1].answer.answerer == "extractive (openai declined)"  # 40 uncited words answer nothing


def test_follow_up_uses_the_conversation(pipeline):
    events = list(ChatService(pipeline).run("And how many arrests did they make?", [KNIVES]))
    assert events[0].search_question != "And how many arrests did they make?"
    assert KNIVES_ID in [h.release.id for h in events[0].hits] and "21" in events[-1].answer.text


# ---- over HTTP, with gradio_client ---------------------------------------------------------


def test_ask_endpoint_answers_with_a_citation(client):
    out = client.predict(KNIVES, api_name="/ask")
    assert not out["refused"] and "10" in out["answer"] and "[1]" in out["answer"]
    first = out["citations"][0]
    assert first["release_id"] == KNIVES_ID and first["date"] == KNIVES_DATE and "10 knives" in first["quote"]
    assert out["answerer"] == "extractive" and out["retrieved"][0]["release_id"] == KNIVES_ID
    assert {"answer", "refused", "citations", "answerer", "note", "timings_ms"} <= set(out)


def test_ask_endpoint_options_follow_up_and_filters(client):
    out = client.predict("And how many arrests did they make?", history=[KNIVES], api_name="/ask")
    assert "21" in out["answer"] and out["search_question"] != out["question"]
    out = client.predict(KNIVES, k=2, api_name="/ask")
    assert "10" in out["answer"] and len(out["retrieved"]) == 2
    out = client.predict(KNIVES, date_to="2020-12-31", api_name="/ask")
    assert all(c["release_id"] != KNIVES_ID for c in out["citations"])
    assert all(r["date"] and r["date"] <= "2020-12-31" for r in out["retrieved"])


def test_ask_endpoint_errors_are_clear(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="the limit is 1000"):
        client.predict("x" * 1500, api_name="/ask")
    with pytest.raises(AppError, match="date_from must be an ISO date"):
        client.predict(KNIVES, date_from="yesterday", api_name="/ask")
    with pytest.raises(AppError, match="unknown answerer 'gpt'; choose one of: extractive, local, openai"):
        client.predict(KNIVES, answerer="gpt", api_name="/ask")


def test_fallback_is_labelled_with_its_reason(client, llm_server):
    llm_server.mode = "error500"
    out = client.predict(KNIVES, answerer="openai", api_name="/ask")
    assert out["answerer"] == "extractive (fallback from openai)" and "boom" in out["note"]
    assert "10" in out["answer"]


def test_search_and_release_endpoints(client):
    out = client.predict("weapons sweeps in Luton parks", 5, api_name="/search")
    top = out["hits"][0]
    assert top["release_id"] == KNIVES_ID and top["date"] == KNIVES_DATE and top["score"] > 0
    assert "weapons sweeps" in top["text"] and top["rank"] == 1 and len(out["hits"]) == 5
    release = client.predict(KNIVES_ID, api_name="/release")
    assert release["id"] == KNIVES_ID and release["body"][top["start"]:top["end"]] == top["text"]
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="no release with id"):
        client.predict("nope.txt", api_name="/release")


QUESTIONS = [  # each exercises another path of the shared index: plain, date filter, lookup, follow-up
    dict(question=KNIVES),
    dict(question="How many arrests were made?", date_from="2017-01-01", date_to="2022-12-31"),
    dict(question="Which release announced the Dallow Cares campaign? Give its title and date."),
    dict(question="And how many arrests did they make?", history=[KNIVES]),
]


def test_twenty_concurrent_sessions(server):
    """20 browser-like sessions at once, each with its own client: all answered, none failing."""
    from gradio_client import Client

    n = 20
    single = []
    solo = Client(server, verbose=False)
    for kwargs in QUESTIONS:  # one session alone first: the baseline
        t0 = time.perf_counter()
        solo.predict(**kwargs, api_name="/ask")
        single.append(time.perf_counter() - t0)
    barrier = threading.Barrier(n)
    results: list[dict | None] = [None] * n

    def session(i):
        try:
            c = Client(server, verbose=False)
            barrier.wait(timeout=120)
            kwargs = QUESTIONS[i % len(QUESTIONS)]
            t0 = time.perf_counter()
            out = c.predict(**kwargs, api_name="/ask")
            results[i] = {"ok": True, "seconds": time.perf_counter() - t0, "question": kwargs["question"],
                          "answer": out["answer"], "refused": out["refused"], "cited": [
                              c["release_id"] for c in out["citations"]]}
        except Exception as exc:  # recorded and asserted on below
            results[i] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}

    t0 = time.perf_counter()
    threads = [threading.Thread(target=session, args=(i,)) for i in range(n)]
    [t.start() for t in threads]
    [t.join(timeout=300) for t in threads]
    wall = time.perf_counter() - t0
    failed = [r for r in results if not r or not r["ok"]]
    times = sorted(r["seconds"] for r in results if r and r["ok"])
    report = {
        "sessions": n, "answered": len(times), "failed": len(failed), "errors": [r and r.get("error") for r in failed],
        "latency_s": {"p50": round(statistics.median(times), 3) if times else None,
                      "p95": round(times[math.ceil(0.95 * len(times)) - 1], 3) if times else None,
                      "max": round(times[-1], 3) if times else None},
        "single_session_latency_s": [round(x, 3) for x in single],
        "wall_s_including_client_setup": round(wall, 3), "concurrency_limit": 8, "answerer": "extractive",
        "cpu_cores": os.cpu_count(), "load_average_1min_after": round(os.getloadavg()[0], 2),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load_test.json").write_text(json.dumps(report, indent=2) + "\n")
    print("\nload test:", json.dumps(report["latency_s"]), f"{report['answered']}/{n} answered")
    assert not failed, failed
    knives = [r for r in results if r["question"] == KNIVES]
    assert knives and all("10" in r["answer"] and KNIVES_ID in r["cited"] for r in knives)
    follow_ups = [r for r in results if r["question"].startswith("And how many")]
    assert all("21" in r["answer"] for r in follow_ups)
    assert all(not r["refused"] for r in results)


def test_small_holes_are_closed(server, capfd):
    """No uploads, no monitoring page (which printed its key on the console), bodies capped."""
    import urllib.error
    import urllib.request

    def status(path, data=None, headers=None):
        req = urllib.request.Request(server.rstrip("/") + path, data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    boundary = "xyz"
    upload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n\r\n"
              f"hello\r\n--{boundary}--\r\n").encode()
    assert status("/gradio_api/upload", upload, {"Content-Type": f"multipart/form-data; boundary={boundary}"}) == 403
    assert status("/monitoring") == 404 and status("/gradio_api/monitoring") == 404
    assert "Monitoring URL" not in capfd.readouterr().out
    import http.client
    from urllib.parse import urlparse

    url = urlparse(server)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    conn.putrequest("POST", "/gradio_api/queue/join")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(5 << 20))  # refused on its headers: the 5 MB are never read
    conn.endheaders()
    assert conn.getresponse().status == 413
    conn.close()
    assert status("/") == 200
