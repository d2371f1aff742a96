"""`rag serve` as a user starts it (shipped defaults: the openvino-int8 embedder, the bundled
corpus, the extractive answerer), then 30 users asking 3 questions each at once over HTTP.

With one OpenVINO infer request shared by the server's threads, 80 of these 90 answers
failed with "RuntimeError: Infer Request is busy"; every one must now be answered.
"""
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ui_support import KNIVES, KNIVES_ID, free_port, stop_process

USERS = 30
QUESTIONS = (KNIVES, "How much rubbish was collected during the High Town day of action in Luton?",
             "Which release announced the Dallow Cares campaign? Give its title and date.")
# a word per user, so no two users ask the same text and every question is embedded anew
WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
         "quebec romeo sierra tango uniform victor whiskey xray yankee zulu amber coral olive ivory").split()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`rag serve` in a fresh folder with no index and no RAG_* settings: it builds the index
    of the bundled corpus, then serves on a free loopback port."""
    folder = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_") or k == "RAG_CACHE_DIR"}
    rag = Path(sys.executable).with_name("rag")
    log = open(folder / "serve.log", "w+")
    proc = subprocess.Popen([str(rag), "serve", "--port", str(port)], cwd=folder, env=env, stdout=log,
                            stderr=subprocess.STDOUT, text=True)
    url = None
    deadline = time.monotonic() + 600  # a first run prepares the int8 model and builds the index
    while time.monotonic() < deadline and proc.poll() is None:
        log.seek(0)
        m = re.search(r"press-rag UI: (http://\S+)", log.read())
        if m:
            url = m.group(1)
            break
        time.sleep(0.5)
    if url is None:
        proc.kill()
        log.seek(0)
        pytest.fail(f"rag serve did not start:\n{log.read()[-3000:]}")
    yield url
    stop_process(proc)
    log.close()


def test_thirty_users_three_questions_each_no_errors(served):
    from gradio_client import Client

    barrier = threading.Barrier(USERS)
    results: list[tuple[str, dict | str]] = []
    lock = threading.Lock()

    def user(i: int) -> None:
        try:
            client = Client(served, verbose=False)
            barrier.wait(timeout=300)
        except Exception as exc:  # recorded and asserted on below
            with lock:
                results.append(("setup", f"{type(exc).__name__}: {exc}"))
            return
        for question in QUESTIONS:
            asked = question.replace("?", f", {WORDS[i]}?", 1)
            try:
                out = client.predict(asked, api_name="/ask")
            except Exception as exc:  # recorded and asserted on below
                out = f"{type(exc).__name__}: {exc}"
            with lock:
                results.append((question, out))

    threads = [threading.Thread(target=user, args=(i,)) for i in range(USERS)]
    [t.start() for t in threads]
    [t.join(timeout=600) for t in threads]
    errors = [out for _, out in results if isinstance(out, str)]
    assert not errors, f"{len(errors)} of {len(results)} failed: {errors[:3]}"
    assert len(results) == USERS * len(QUESTIONS)
    for question, out in results:
        assert out["refused"] or out["citations"], out  # an answer cites, or says it found none
    knives = [out for question, out in results if question == KNIVES]
    assert all("10" in out["answer"] and out["citations"][0]["release_id"] == KNIVES_ID for out in knives)
