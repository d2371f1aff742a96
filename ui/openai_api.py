"""An OpenAI-compatible HTTP API on the `rag serve` app: ``GET /v1/models`` and
``POST /v1/chat/completions`` (plain and ``stream: true``), answered by the same pipeline as the chat.

- One model id per answerer: ``press-rag-extractive``, ``press-rag-local``, ``press-rag-openai``.
- The last user message is the question; the earlier user messages are the conversation that a
  follow-up ("And how many arrests?") is read against.
- The answer text keeps its ``[n]`` markers and ends with a plain "Sources:" list (for clients that
  show only text); the citations themselves (release id, title, date, url, start, end, quote) are in
  the response's extra field ``citations`` (in a stream: on the last chunk), with ``refused``.
- A stream carries the *checked* answer (every ``[n]`` has passed the citation check), sentence by
  sentence: an LLM's raw tokens are not sent, since the check may still change them.
- Optional extra body fields: ``filters`` (``{"from", "to", "sources", "as_of"}``) and ``k``.
- Errors in OpenAI's shape ``{"error": {"message", "type", "param", "code"}}``: 400 for a bad
  request, 401 for a missing or wrong key, 404 for an unknown model, 403 when the API is off.
- Auth: with an API key (``--api-key`` or ``RAG_API_KEY``) every request needs ``Authorization:
  Bearer KEY``; on a host that is not loopback the API is off without one.
"""
from __future__ import annotations

import hmac
import json
import time
import uuid
from typing import Iterator

from fastapi import Request  # (module level: FastAPI reads the handlers' annotations from here)

from rag.errors import RagError
from rag.export import source_line
from rag.models import Answer
from rag.text.sentences import split_sentences

from .chat import ChatService, parse_filters

PREFIX = "press-rag-"


def model_ids(service: ChatService) -> list[str]:
    return [PREFIX + name for name in service.answerer_names()]


def sources_text(answer: Answer) -> str:
    """The plain "Sources:" list a text-only client shows under the answer."""
    if not answer.citations:
        return ""
    return "\n\nSources:\n" + "\n".join(source_line(c) for c in answer.citations)


def citations_json(answer: Answer) -> list[dict]:
    return [{"n": c.n, "release_id": c.release_id, "title": c.title, "date": c.date, "url": c.url,
             "start": c.start, "end": c.end, "quote": c.quote} for c in answer.citations]


class ApiError(Exception):
    def __init__(self, status: int, message: str, kind: str = "invalid_request_error", param: str | None = None,
                 code: str | None = None):
        super().__init__(message)
        self.status, self.kind, self.param, self.code = status, kind, param, code

    def body(self) -> dict:
        return {"error": {"message": str(self), "type": self.kind, "param": self.param, "code": self.code}}


def parse_request(body: object, service: ChatService) -> dict:
    """The question, history, answerer, k, filters and stream flag of a chat completion request;
    :class:`ApiError` naming the bad field."""
    if not isinstance(body, dict):
        raise ApiError(400, "the request body must be a JSON object")
    model = body.get("model")
    names = {PREFIX + n: n for n in service.answerer_names()}
    if not isinstance(model, str) or model not in names:
        raise ApiError(404 if isinstance(model, str) else 400,
                       f"unknown model {model!r}; valid: {', '.join(names)}", param="model", code="model_not_found")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "'messages' must be a non-empty list", param="messages")
    users = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant", "developer", "tool"):
            raise ApiError(400, f"messages[{i}] must be an object with a role", param=f"messages[{i}]")
        if m["role"] == "user":
            users.append(_text(m.get("content"), i))
    if not users or messages[-1].get("role") != "user":
        raise ApiError(400, "the last message must be the user's question", param="messages")
    k = body.get("k")
    if k is not None and (not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 20):
        raise ApiError(400, f"'k' must be a whole number from 1 to 20, got {k!r}", param="k")
    f = body.get("filters") or {}
    if not isinstance(f, dict):
        raise ApiError(400, "'filters' must be an object with from, to, sources, as_of", param="filters")
    try:
        filters = parse_filters(f.get("from"), f.get("to"), f.get("sources") or [], f.get("as_of"))
    except RagError as exc:
        raise ApiError(400, str(exc), param="filters") from None
    return {"question": users[-1], "history": users[:-1], "answerer": names[model], "model": model, "k": k,
            "filters": filters, "stream": bool(body.get("stream"))}


def _text(content: object, i: int) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # the parts form: [{"type": "text", "text": "..."}]
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    raise ApiError(400, f"messages[{i}].content must be a string or a list of text parts", param=f"messages[{i}]")


def completion(req: dict, answer: Answer) -> dict:
    return {"id": "chatcmpl-" + uuid.uuid4().hex, "object": "chat.completion", "created": int(time.time()),
            "model": req["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": answer.text + sources_text(answer)}}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "citations": citations_json(answer), "refused": answer.refused, "answerer": answer.answerer}


def chunks(req: dict, answer: Answer) -> Iterator[str]:
    """Server-sent events in OpenAI's chunk format: the role, the answer sentence by sentence, the
    sources list, then a last chunk with ``finish_reason`` and the citations, then ``[DONE]``."""
    base = {"id": "chatcmpl-" + uuid.uuid4().hex, "object": "chat.completion.chunk", "created": int(time.time()),
            "model": req["model"]}

    def event(delta: dict, finish: str | None = None, **extra) -> str:
        data = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}], **extra}
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    yield event({"role": "assistant", "content": ""})
    text, at = answer.text, 0
    for _start, end in split_sentences(text):
        if end > at:
            yield event({"content": text[at:end]})
            at = end
    if at < len(text):
        yield event({"content": text[at:]})
    if answer.citations:
        yield event({"content": sources_text(answer)})
    yield event({}, "stop", citations=citations_json(answer), refused=answer.refused, answerer=answer.answerer)
    yield "data: [DONE]\n\n"


def authorised(header: str | None, key: str) -> bool:
    given = (header or "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), key.encode())


def router(service: ChatService, *, api_key: str = "", enabled: bool = True):
    """The ``/v1`` routes as a FastAPI router (added to the Gradio app by ``RagBlocks.launch``)."""
    from fastapi import APIRouter
    from fastapi.responses import JSONResponse, StreamingResponse
    from starlette.concurrency import run_in_threadpool

    api = APIRouter()

    def check(request: Request) -> None:
        if not enabled:
            raise ApiError(403, "the API is off on this server: it listens beyond loopback without an API key "
                                "(start it with --api-key or RAG_API_KEY)", kind="permission_error")
        if api_key and not authorised(request.headers.get("authorization"), api_key):
            raise ApiError(401, "missing or wrong API key (send Authorization: Bearer KEY)",
                           kind="authentication_error", code="invalid_api_key")

    def error(exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @api.get("/v1/models")
    async def models(request: Request):
        try:
            check(request)
        except ApiError as exc:
            return error(exc)
        return {"object": "list", "data": [{"id": m, "object": "model", "created": 0, "owned_by": "press-rag"}
                                           for m in model_ids(service)]}

    @api.post("/v1/chat/completions")
    async def chat_completions(request: Request):
        try:
            check(request)
            try:
                body = json.loads(await request.body())
            except ValueError as exc:
                raise ApiError(400, f"the request body is not JSON: {exc}") from None
            req = parse_request(body, service)
            try:
                answer, _hits, _asked = await run_in_threadpool(
                    service.ask, req["question"], req["history"], answerer=req["answerer"], k=req["k"],
                    filters=req["filters"])
            except RagError as exc:
                raise ApiError(400, str(exc), param="messages") from None
        except ApiError as exc:
            return error(exc)
        if req["stream"]:
            return StreamingResponse(chunks(req, answer), media_type="text/event-stream")
        return completion(req, answer)

    return api
