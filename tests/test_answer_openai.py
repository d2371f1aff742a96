"""The OpenAI-compatible client against real HTTP servers on 127.0.0.1 (httpx is not mocked)."""
from __future__ import annotations

import dataclasses

import pytest
from fake_openai_server import FakeOpenAIServer, dead_port

from rag.answer.openai_compat import ChatClient, ChatSettings, LLMError
from rag.settings import load_settings
from rag.errors import ConfigError, RagError

MESSAGES = [{"role": "system", "content": "Answer from the releases."},
            {"role": "user", "content": "What is the answer?"}]


@pytest.fixture
def server():
    srv = FakeOpenAIServer().start()
    yield srv
    srv.stop()


def client_for(srv, **kw) -> ChatClient:
    return ChatClient(ChatSettings(base_url=srv.base_url, **kw))


def test_streams_deltas_and_sends_the_request(server):
    with client_for(server, model="qwen", api_key="sk-test", temperature=0.2, max_tokens=123) as c:
        deltas = list(c.stream(MESSAGES))
        assert deltas == ["The ", "answer ", "is ", "42 [1]."]
        assert c.last_finish_reason == "stop"
    (req,) = server.requests
    assert req["path"] == "/v1/chat/completions"
    body = req["body"]
    assert body["model"] == "qwen"
    assert body["messages"] == MESSAGES
    assert body["temperature"] == 0.2
    assert body["max_tokens"] == 123
    assert body["stream"] is True
    assert body["repeat_penalty"] == 1.0  # loopback server: the default is sent
    headers = {k.lower(): v for k, v in req["headers"].items()}
    assert headers["authorization"] == "Bearer sk-test"


def test_complete_joins_and_no_auth_header_without_key(server):
    with client_for(server) as c:
        assert c.complete(MESSAGES) == "The answer is 42 [1]."
    headers = {k.lower() for k in server.requests[0]["headers"]}
    assert "authorization" not in headers


def test_repeat_penalty_rule():
    local = ChatSettings("http://localhost:8080/v1")
    remote = ChatSettings("https://api.openai.com/v1")
    assert local.sends_repeat_penalty and ChatSettings("http://[::1]:8080/v1").sends_repeat_penalty
    assert not remote.sends_repeat_penalty  # OpenAI proper may reject the unknown field
    assert ChatSettings("https://api.example.com/v1", repeat_penalty=1.0).sends_repeat_penalty  # explicit
    assert dataclasses.replace(remote, repeat_penalty=1.05).sends_repeat_penalty
    assert not dataclasses.replace(local, repeat_penalty=None).sends_repeat_penalty
    assert "repeat_penalty" not in ChatClient(remote)._body(MESSAGES)
    assert ChatClient(local)._body(MESSAGES)["repeat_penalty"] == 1.0


def test_repeat_penalty_none_is_not_sent(server):
    with client_for(server, repeat_penalty=None) as c:
        c.complete(MESSAGES)
    assert "repeat_penalty" not in server.requests[0]["body"]


def test_http_500_reports_status_and_server_message(server):
    server.mode = "error500"
    with client_for(server) as c, pytest.raises(LLMError) as err:
        c.complete(MESSAGES)
    msg = str(err.value)
    assert "HTTP 500" in msg and "boom" in msg and server.base_url in msg
    assert isinstance(err.value, RagError)


def test_http_404_gives_base_url_hint(server):
    server.mode = "error404_text"
    with client_for(server) as c, pytest.raises(LLMError, match=r"HTTP 404: <html>Not Found</html>.*OPENAI_BASE_URL"):
        c.complete(MESSAGES)


@pytest.mark.parametrize("mode, pattern", [
    ("garbage", r"malformed \(a data line is not JSON: '\{this is not json'\) after 5 characters"),
    ("no_choices", r"malformed \(a chunk has no 'choices'\)"),
    ("no_delta", r"malformed \(a chunk has no 'delta'\)"),
])
def test_malformed_stream(server, mode, pattern):
    server.mode = mode
    with client_for(server) as c, pytest.raises(LLMError, match=pattern):
        c.complete(MESSAGES)


def test_stream_cut_before_done(server):
    server.mode = "cut"
    got = []
    with client_for(server) as c, pytest.raises(LLMError, match=r"stream ended early \(no \[DONE\] and no finish_reason\) after 13 characters"):
        for d in c.stream(MESSAGES):
            got.append(d)
    assert got == ["The answer", " is"]


def test_connection_dropped_mid_chunked_body(server):
    server.mode = "cut_chunked"
    with client_for(server) as c, pytest.raises(LLMError, match="stream ended early or was malformed"):
        c.complete(MESSAGES)


def test_finish_reason_without_done_is_accepted(server):
    server.mode = "finish_no_done"
    with client_for(server) as c:
        assert c.complete(MESSAGES) == "Done"


def test_empty_answer(server):
    server.mode = "empty"
    with client_for(server) as c, pytest.raises(LLMError, match="returned an empty answer"):
        c.complete(MESSAGES)


def test_non_streaming_json_fallback(server):
    server.mode = "json"
    with client_for(server) as c:
        assert list(c.stream(MESSAGES)) == ["Plain JSON answer [1]."]
        assert c.last_finish_reason == "stop"


@pytest.mark.parametrize("mode", ["slow_headers", "slow_first"])
def test_slow_first_token_times_out(server, mode):
    # the server would answer after 1.5 s: the error (not an answer) is the deadline firing; no
    # wall-clock assert (they fail on a loaded machine, and prove nothing the error does not)
    server.mode, server.delay = mode, 1.5
    with client_for(server, timeout_s=0.4) as c, pytest.raises(LLMError) as err:
        c.complete(MESSAGES)
    assert str(err.value) == f"the model server at {server.base_url} did not answer within 0.4 s"


def test_first_token_timeout_counts_keepalive_pings(server, monkeypatch):
    server.mode, server.delay = "pings", 0.1  # a ping every 0.1 s for 1.5 s, then a token
    with client_for(server, timeout_s=5, first_token_timeout_s=0.3) as c, \
            pytest.raises(LLMError, match=r"did not answer within 0.3 s$"):
        c.complete(MESSAGES)  # the token would come: the first-token deadline ignored the pings


def test_total_timeout(server):
    server.mode, server.delay = "trickle", 0.05  # 40 deltas * 0.05 s = 2 s > 0.5 s
    with client_for(server, timeout_s=0.5) as c, pytest.raises(LLMError, match=r"did not finish answering within 0.5 s"):
        c.complete(MESSAGES)


def test_server_down_is_connection_refused():
    url = f"http://127.0.0.1:{dead_port()}/v1"
    with ChatClient(ChatSettings(url, timeout_s=2)) as c, pytest.raises(LLMError) as err:
        c.complete(MESSAGES)
    assert str(err.value) == f"cannot reach the model server at {url}: connection refused"


def from_env(env: dict, **overrides) -> ChatSettings:
    """The client settings the environment gives, read as the CLI reads it (load_settings)."""
    return ChatSettings.from_config(load_settings(config_file=None, env=env).openai, **overrides)


def test_settings_read_the_openai_variables(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no rag.toml
    env = {"OPENAI_BASE_URL": "http://127.0.0.1:8080/v1/", "OPENAI_API_KEY": "sk-1", "OPENAI_MODEL": "m1"}
    s = from_env(env)
    assert (s.base_url, s.api_key, s.model) == ("http://127.0.0.1:8080/v1", "sk-1", "m1")
    alias = from_env({"OPENAI_BASE_URL": "http://h:1/v1", "RAG_LLM_MODEL": "m2"})
    assert alias.model == "m2" and alias.api_key is None
    both = from_env({"OPENAI_BASE_URL": "http://h:1/v1", "RAG_LLM_MODEL": "m2", "OPENAI_MODEL": "m1"})
    assert both.model == "m1"  # OPENAI_MODEL first
    over = from_env(env, model="m3", timeout_s=5, api_key=None, repeat_penalty=None)
    assert (over.model, over.timeout_s, over.api_key, over.repeat_penalty) == ("m3", 5, "sk-1", None)
    assert from_env({}, base_url="http://x:1/v1").base_url == "http://x:1/v1"


def test_missing_base_url_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="OPENAI_BASE_URL"):
        from_env({"OPENAI_MODEL": "m", "OPENAI_BASE_URL": "  "})
    with pytest.raises(ConfigError, match="max_tokenz"):
        from_env({"OPENAI_BASE_URL": "http://h/v1"}, max_tokenz=3)


@pytest.mark.parametrize("bad", ["127.0.0.1:8080/v1", "ftp://host/v1", "http://", "not a url"])
def test_bad_base_url_is_quoted(bad):
    with pytest.raises(ConfigError) as err:
        ChatSettings(base_url=bad)
    assert repr(bad) in str(err.value)
    with pytest.raises(ConfigError) as err:
        from_env({"OPENAI_BASE_URL": bad})
    assert repr(bad) in str(err.value)


def test_bad_numbers_rejected():
    with pytest.raises(ConfigError, match="-1"):
        ChatSettings("http://h/v1", timeout_s=-1)
    with pytest.raises(ConfigError, match="0"):
        ChatSettings("http://h/v1", max_tokens=0)
