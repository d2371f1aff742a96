"""A small client for OpenAI-compatible chat servers (llama.cpp, vLLM, Ollama, OpenAI).

Transport only: messages in, text out. Every failure -- unreachable server,
timeout, HTTP error, malformed or truncated stream, empty answer -- becomes an
``LLMError`` whose message is meant for the user, as is.

Timeouts: ``timeout_s`` bounds the whole request; connecting and receiving the
first token are bounded by ``min(timeout_s, first_token_timeout_s)`` (default 30), which is also the longest
silence tolerated mid-stream. The total is held by a watchdog that closes the stream when it passes,
so a server trickling one token every 25 s cannot hold an answer past ``timeout_s``.

``repeat_penalty`` (a llama.cpp / vLLM extension; llama.cpp defaults to 1.1,
which was seen to shift citation numbers) is sent when it is not None and
either the server is on this machine (localhost / loopback address) or the
caller set it explicitly; the default is left out for remote servers, since
OpenAI proper rejects some unknown fields.
"""
from __future__ import annotations

import dataclasses
import ipaddress
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from ..errors import ConfigError, RagError
from .breaker import CircuitBreaker, CircuitOpen

FIRST_TOKEN_CAP_S = 30.0
_SNIPPET = 300


class LLMError(RagError):
    """The model server could not be used; the message says why."""


__all__ = ["ChatClient", "ChatSettings", "CircuitOpen", "LLMError"]


class _DefaultPenalty(float):  # marks the default, so an explicit 1.0 can be told apart
    pass


_DEFAULT_REPEAT_PENALTY = _DefaultPenalty(1.0)


def _is_local(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ChatSettings:
    base_url: str
    model: str = "default"
    api_key: str | None = None
    timeout_s: float = 60.0
    temperature: float = 0.0
    max_tokens: int = 300
    repeat_penalty: float | None = _DEFAULT_REPEAT_PENALTY
    first_token_timeout_s: float = FIRST_TOKEN_CAP_S  # a CPU server reading a long prompt may need more
    breaker_failures: int = 3  # failed calls in a row that open the circuit breaker (breaker.py)
    breaker_cooldown_s: float = 60.0

    def __post_init__(self) -> None:
        url = str(self.base_url).strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"the model server URL must be an http(s) URL such as "
                              f"http://127.0.0.1:8080/v1, got {self.base_url!r}")
        object.__setattr__(self, "base_url", url.rstrip("/"))
        if not (isinstance(self.timeout_s, (int, float)) and self.timeout_s > 0):
            raise ConfigError(f"the model timeout must be a positive number of seconds, got {self.timeout_s!r}")
        if not (isinstance(self.first_token_timeout_s, (int, float)) and self.first_token_timeout_s > 0):
            raise ConfigError("the first-token timeout must be a positive number of seconds, "
                              f"got {self.first_token_timeout_s!r}")
        if not (isinstance(self.max_tokens, int) and self.max_tokens > 0):
            raise ConfigError(f"max_tokens must be a positive integer, got {self.max_tokens!r}")

    @property
    def first_token_s(self) -> float:
        return min(float(self.timeout_s), float(self.first_token_timeout_s))

    @property
    def sends_repeat_penalty(self) -> bool:
        if self.repeat_penalty is None:
            return False
        explicit = self.repeat_penalty is not _DEFAULT_REPEAT_PENALTY
        return explicit or _is_local(urlsplit(self.base_url).hostname or "")

    @classmethod
    def from_config(cls, config, **overrides) -> ChatSettings:
        """From the ``openai`` settings (``rag.config.OpenAIConfig``: ``OPENAI_BASE_URL``,
        ``OPENAI_API_KEY``, ``OPENAI_MODEL`` ...). Overrides win; an override of None is ignored
        (an unset CLI flag), except ``repeat_penalty=None``, which means "never send it"."""
        unknown = set(overrides) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ConfigError(f"unknown model setting(s): {', '.join(sorted(unknown))}")
        kw: dict = {"base_url": config.base_url, "api_key": config.api_key or None, "model": config.model,
                    "timeout_s": config.timeout_s, "first_token_timeout_s": config.first_token_timeout_s,
                    "temperature": config.temperature, "max_tokens": config.max_tokens,
                    "breaker_failures": config.breaker_failures, "breaker_cooldown_s": config.breaker_cooldown_s}
        if config.repeat_penalty is not None:
            kw["repeat_penalty"] = config.repeat_penalty
        kw.update({k: v for k, v in overrides.items() if v is not None or k == "repeat_penalty"})
        if not (kw.get("base_url") or "").strip():
            raise ConfigError("no model server configured: set OPENAI_BASE_URL "
                              "(for example http://127.0.0.1:8080/v1)")
        return cls(**kw)


def _server_message(body: bytes) -> str:
    """The error message from a server's error body, shortened."""
    text = body.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        err = data.get("error", data)
        if isinstance(err, dict):
            err = err.get("message") or err.get("detail") or err.get("msg") or err
        if isinstance(err, str):
            text = err
        elif data.get("detail") or data.get("message"):
            text = str(data.get("detail") or data.get("message"))
    text = " ".join(text.split())
    return text if len(text) <= _SNIPPET else text[:_SNIPPET] + "..."


def _expire(resp: httpx.Response, state: dict) -> None:
    """The total deadline passed: close the response, which ends the read waiting on it."""
    state["expired"] = True
    try:
        resp.close()
    except Exception:  # noqa: BLE001 -- closing from another thread may race the reader; it ends either way
        pass


class ChatClient:
    """Streams chat completions from ``settings.base_url``; use as a context manager or close()."""

    def __init__(self, settings: ChatSettings, transport: httpx.BaseTransport | None = None,
                 breaker: CircuitBreaker | None = None):
        self.settings = settings
        self.breaker = breaker or CircuitBreaker(settings.breaker_failures, settings.breaker_cooldown_s)
        self.url = f"{settings.base_url}/chat/completions"
        self.last_finish_reason: str | None = None
        first = settings.first_token_s
        timeout = httpx.Timeout(connect=first, read=first, write=float(settings.timeout_s), pool=first)
        self._client = httpx.Client(timeout=timeout, transport=transport, trust_env=False)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, *exc) -> None:
        self._client.close()

    def _body(self, messages: list[dict]) -> dict:
        s = self.settings
        body = {"model": s.model, "messages": list(messages), "temperature": s.temperature,
                "max_tokens": s.max_tokens, "stream": True}
        if s.sends_repeat_penalty:
            body["repeat_penalty"] = float(s.repeat_penalty)
        return body

    def complete(self, messages: list[dict]) -> str:
        """The whole answer as one string."""
        return "".join(self.stream(messages))

    name = "openai"
    serialise = False  # a server takes several requests at once: no need to queue them here

    def stream(self, messages: list[dict]) -> Iterator[str]:
        """Yield the answer's text deltas; raise LLMError on any failure (``CircuitOpen`` at once
        while the breaker is open after repeated failures)."""
        where = f"the model server at {self.settings.base_url}"
        self.breaker.before(where)
        state = {"got_token": False, "expired": False}
        try:
            try:
                yield from self._stream(messages, state)
            except Exception as exc:  # the total deadline's watchdog closed the stream under a read
                if state["expired"] and not (isinstance(exc, LLMError) and "within" in str(exc)):
                    s = self.settings
                    if not state["got_token"]:  # the total ran out first: the first token never came
                        raise LLMError(f"{where} did not answer within {s.first_token_s:g} s") from exc
                    raise LLMError(f"{where} did not finish answering within {s.timeout_s:g} s") from exc
                raise
        except LLMError as exc:
            self.breaker.failed(str(exc))
            raise
        except GeneratorExit:  # the reader stopped early: neither a success nor a failure
            self.breaker.abandoned()
            raise
        self.breaker.succeeded()

    def _stream(self, messages: list[dict], state: dict) -> Iterator[str]:
        s, where = self.settings, f"the model server at {self.settings.base_url}"
        headers = {"Accept": "text/event-stream, application/json"}
        if s.api_key:
            headers["Authorization"] = f"Bearer {s.api_key}"
        self.last_finish_reason = None
        start = time.monotonic()
        try:
            with self._client.stream("POST", self.url, json=self._body(messages), headers=headers) as resp:
                # the total deadline holds even while a read waits on a server that trickles
                watchdog = threading.Timer(max(0.0, s.timeout_s - (time.monotonic() - start)), _expire, (resp, state))
                watchdog.daemon = True
                watchdog.start()
                try:
                    if resp.status_code >= 400:
                        raise LLMError(self._http_error(resp, where))
                    if "json" in resp.headers.get("content-type", "").lower():
                        yield self._from_json(resp.read(), where)
                        return
                    yield from self._from_sse(resp, start, state, where)
                finally:
                    watchdog.cancel()
        except LLMError:
            raise
        except httpx.ConnectTimeout as exc:
            raise LLMError(f"{where} did not accept a connection within {s.first_token_s:g} s") from exc
        except httpx.ReadTimeout as exc:
            if state["got_token"]:
                raise LLMError(f"{where} stopped sending for more than {s.first_token_s:g} s "
                               f"in the middle of the answer") from exc
            raise LLMError(f"{where} did not answer within {s.first_token_s:g} s") from exc
        except httpx.TimeoutException as exc:
            raise LLMError(f"{where} timed out ({type(exc).__name__})") from exc
        except httpx.ConnectError as exc:
            why = "connection refused" if "refused" in str(exc).lower() else (str(exc) or type(exc).__name__)
            raise LLMError(f"cannot reach {where}: {why}") from exc
        except httpx.RemoteProtocolError as exc:
            raise LLMError(f"the model server's stream ended early or was malformed "
                           f"({exc}); check {s.base_url}") from exc
        except httpx.HTTPError as exc:
            raise LLMError(f"the request to {where} failed: "
                           f"{str(exc) or type(exc).__name__}") from exc

    def _http_error(self, resp: httpx.Response, where: str) -> str:
        try:
            detail = _server_message(resp.read()[:20000])
        except httpx.HTTPError:
            detail = ""
        hint = {401: " (check OPENAI_API_KEY)", 403: " (check OPENAI_API_KEY)",
                404: " (check OPENAI_BASE_URL; it usually ends in /v1)"}.get(resp.status_code, "")
        return f"{where} answered HTTP {resp.status_code}" + (f": {detail}" if detail else "") + hint

    def _from_json(self, raw: bytes, where: str) -> str:
        try:
            data = json.loads(raw)
            choice = data["choices"][0]
            text = choice["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise LLMError(f"{where} sent a reply that is not a chat completion: "
                           f"{_server_message(raw)!r}") from None
        if not isinstance(text, str) or not text.strip():
            raise LLMError(f"{where} returned an empty answer")
        self.last_finish_reason = choice.get("finish_reason")
        return text

    def _from_sse(self, resp: httpx.Response, start: float, state: dict, where: str) -> Iterator[str]:
        s = self.settings
        pending, chars, done = "", 0, False

        def malformed(why: str) -> LLMError:
            return LLMError(f"the model server's stream was malformed ({why}) after {chars} characters "
                            f"of answer; check that {s.base_url} is an OpenAI-compatible server")

        for line in resp.iter_lines():
            elapsed = time.monotonic() - start
            if elapsed > s.timeout_s:
                raise LLMError(f"{where} did not finish answering within {s.timeout_s:g} s")
            if not state["got_token"] and elapsed > s.first_token_s:
                raise LLMError(f"{where} did not answer within {s.first_token_s:g} s")
            line = line.strip()
            if not line or line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            if field in ("event", "id", "retry"):
                continue
            if field != "data":
                raise malformed(f"unexpected line {line[:80]!r}")
            payload = value.strip()
            if payload == "[DONE]":
                done = True
                break
            try:
                obj = json.loads(payload)
            except ValueError:
                raise malformed(f"a data line is not JSON: {payload[:80]!r}") from None
            if not isinstance(obj, dict):
                raise malformed(f"a data line is not a JSON object: {payload[:80]!r}")
            if "error" in obj:
                raise LLMError(f"{where} reported an error mid-answer: {_server_message(payload.encode())}")
            choices = obj.get("choices")
            if not isinstance(choices, list):
                raise malformed("a chunk has no 'choices'")
            if not choices:  # e.g. a final usage-only chunk
                continue
            choice = choices[0] if isinstance(choices[0], dict) else {}
            if choice.get("finish_reason"):
                self.last_finish_reason = choice["finish_reason"]
            delta = choice.get("delta")
            if not isinstance(delta, dict):
                if choice.get("finish_reason"):
                    continue
                raise malformed("a chunk has no 'delta'")
            text = delta.get("content")
            if text is None:
                continue
            if not isinstance(text, str):
                raise malformed(f"a delta's content is not text: {text!r:.80}")
            chars += len(text)
            if not state["got_token"] and not text.strip():
                pending += text  # hold back leading whitespace until real text arrives
                continue
            state["got_token"] = True
            yield pending + text
            pending = ""
        if not done and self.last_finish_reason is None:
            raise LLMError(f"the model server's stream ended early (no [DONE] and no finish_reason) "
                           f"after {chars} characters; the answer would be cut off")
        if not state["got_token"]:
            raise LLMError(f"{where} returned an empty answer")
