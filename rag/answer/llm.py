"""LLM answerers: numbered passages in, streamed tokens out, citations checked after.

One ``LLMAnswerer`` drives any chat backend with ``stream(messages) -> Iterator[str]``:

- ``local``: llama.cpp in this process (``llama-cpp-python``), the bundled GGUF by default;
- ``openai``: any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp's server, LM Studio).

Its parts are components passed in: the chat backend (the reader), the sentence ranker
(evidence), the citation checker (verification) and the fallback answerer; what it does
around the model is the policy's list of named steps (``policy.py``). When the backend fails
(server down, timeout, HTTP error, malformed stream) the answer falls back to the extractive
one, labelled as such, with the reason in ``note``. Local model work is serialised: on 2 cores two
generations at once (or the embedder beside one) collapse llama.cpp's speed. Calls to a server
are not (``serialise = False`` on its client): three users waiting on a hung server each get their
fallback after one first-token timeout, not after one, two and three; and after repeated failures
its circuit breaker answers each at once (``breaker.py``).
"""
from __future__ import annotations

import os
import time
from contextlib import nullcontext
from dataclasses import replace
from typing import Iterator, Protocol, Sequence

from ..config import LLMPolicy
from ..errors import ConfigError, RagError
from ..models import Answer, Hit
from ..question import Question, as_question
from ..question.followup import llm_standalone
from . import policy as steps
from .base import Answerer, AnswererBase, Rewrite, refusal
from .citecheck import CitationChecker
from .evidence import SentenceRanker
from .extractive import ExtractiveAnswerer
from .prompt import build_messages
from .turns import MODEL_TURNS, Waiting

MODEL_LOCK = MODEL_TURNS  # local model work, one question at a time, first come first served (turns.py)
WAIT_REPORT_S = 1.0  # while a question waits for the model, its place in line is reported this often


class ChatBackend(Protocol):
    name: str

    def stream(self, messages: list[dict]) -> Iterator[str]: ...


class LlamaChat:
    """llama.cpp in-process; loads the GGUF once, on first use (``model_path`` None: the
    bundled model, joined into ``cache_dir`` the first time)."""

    name = "local"

    def __init__(self, model_path: str | None = None, *, n_threads: int | None = None, n_ctx: int = 4096,
                 max_tokens: int = 300, cache_dir: str | None = None, flash_attn: bool = True):
        if model_path is not None and not os.path.isfile(model_path):
            raise ConfigError(f"model file not found: {model_path!r}")
        if not isinstance(n_ctx, int) or n_ctx < 512:
            raise ConfigError(f"n_ctx must be an integer >= 512, got {n_ctx!r}")
        self.model_path = model_path
        self.n_threads = n_threads or os.cpu_count() or 2
        self.n_ctx = n_ctx
        self.max_tokens = max_tokens
        self.cache_dir = cache_dir
        self.flash_attn = flash_attn
        self._llm = None

    def _load(self):
        if self._llm is None:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise ConfigError("the local answerer needs llama-cpp-python==0.3.36 installed") from None
            path = self.model_path
            if path is None:
                from pathlib import Path

                from .model_file import bundled_model_path, models_dir

                path = str(bundled_model_path(folder=models_dir(Path(self.cache_dir)) if self.cache_dir else None))
            self._llm = Llama(model_path=path, n_ctx=self.n_ctx, n_threads=self.n_threads, flash_attn=self.flash_attn,
                              verbose=False)
        return self._llm

    def stream(self, messages: list[dict]) -> Iterator[str]:
        llm = self._load()
        for chunk in llm.create_chat_completion(messages=messages, stream=True, temperature=0.0,
                                                max_tokens=self.max_tokens, repeat_penalty=1.0):
            delta = chunk["choices"][0].get("delta", {}).get("content")
            if delta:
                yield delta


class LLMAnswerer(AnswererBase):
    """A chat backend that answers from numbered passages, with the policy's steps around it.

    ``ranker`` (evidence) defaults to the fallback's when the fallback is the extractive
    answerer; ``policy`` (``LLMPolicy``) holds the steps and thresholds, and keyword
    arguments override its fields (``rescue_support=0.3``, ``steps=()``)."""

    streams = True

    def __init__(self, backend: ChatBackend, fallback: Answerer | None = None, *,
                 ranker: SentenceRanker | None = None, checker: CitationChecker | None = None,
                 policy: LLMPolicy | None = None, **overrides):
        self.policy = (policy or LLMPolicy()).with_(**overrides)
        self.backend = backend
        self.name = backend.name
        self.fallback = fallback
        if ranker is None and isinstance(fallback, ExtractiveAnswerer):
            ranker = fallback.ranker
        self.ranker = ranker
        self.checker = checker or CitationChecker(self.policy.unsupported)

    @property
    def deadlines(self) -> tuple[float, float] | None:
        """``(first token, whole answer)`` seconds a model server is given before the fallback
        answers (the chat counts them down); ``None`` for the in-process model, which has none."""
        s = getattr(self.backend, "settings", None)
        first = getattr(s, "first_token_s", None)
        return (float(first), float(s.timeout_s)) if first is not None else None

    def uses(self, step: str) -> bool:
        """Whether ``step`` runs: switched on, and its component is there."""
        if not self.policy.on(step):
            return False
        needs = steps.NEEDS.get(step)
        return (needs != "ranker" or self.ranker is not None) and (needs != "fallback" or self.fallback is not None)

    def stream(self, question: Question | str, hits: Sequence[Hit]) -> Iterator[str | Waiting | Answer]:
        """Text deltas as they come, then the checked Answer as the last item; while the question
        waits for the local model, a ``Waiting`` every second (its place in line)."""
        turn = steps.Turn(as_question(question), list(hits), time.perf_counter())
        if turn.hits:
            for name, step in steps.BEFORE.items():
                early = step(self, turn) if self.uses(name) else None
                if early is not None:
                    yield early
                    return
        sources = steps.passages(self, turn)
        if not sources:
            yield refusal(self.name, "no passages were retrieved", {"answer": 0.0})
            return
        messages = build_messages(turn.question.text, sources, one_title=self.policy.one_title)
        parts: list[str] = []
        first = None
        ticket = MODEL_LOCK.take() if getattr(self.backend, "serialise", True) else None
        try:
            try:
                while ticket is not None and not MODEL_LOCK.wait(ticket, WAIT_REPORT_S):
                    yield Waiting(MODEL_LOCK.ahead(ticket), time.perf_counter() - turn.t0)
                for delta in self.backend.stream(messages):
                    if first is None:
                        first = time.perf_counter()
                    parts.append(delta)
                    yield delta
            finally:
                if ticket is not None:
                    MODEL_LOCK.release(ticket)
        except RagError as exc:
            yield self._fall_back(turn, str(exc))
            return
        timings = {"first_token": ((first or time.perf_counter()) - turn.t0) * 1000, "answer": turn.elapsed_ms()}
        checked = self.checker.check("".join(parts), sources, answerer=self.name, timings_ms=timings)
        after = steps.AFTER_DECLINE if checked.refused else steps.AFTER_ANSWER
        for name, step in after.items():
            if self.uses(name):
                checked = step(self, turn, checked)
        yield checked

    def answer(self, question: Question | str, hits: Sequence[Hit]) -> Answer:
        result = None
        for item in self.stream(question, hits):
            result = item
        assert isinstance(result, Answer)
        return result

    def rewrite(self, question: str, history: Sequence[str]) -> Rewrite:
        """A follow-up made standalone by the model (the cheap rule when it cannot); the
        answerer reads the rewrite too."""
        with MODEL_LOCK if getattr(self.backend, "serialise", True) else nullcontext():
            text = llm_standalone(self.backend.stream, question, history)
        return Rewrite(search=text, reads=text)

    def _fall_back(self, turn: steps.Turn, reason: str) -> Answer:
        if self.fallback is None:
            raise RagError(reason)
        answer = self.fallback.answer(turn.question, turn.hits)
        note = f"{self.name} answerer failed ({reason}); extractive answer shown instead"
        return replace(answer, answerer=f"extractive (fallback from {self.name})", note=note,
                       timings_ms={**answer.timings_ms, "answer": turn.elapsed_ms()})


def local_answerer(embedder=None, settings=None, *, model_path: str | None = None) -> LLMAnswerer:
    """``local``: llama.cpp with the bundled GGUF (or ``model_path`` / ``settings.local.model_path``)."""
    from ..settings import Settings

    settings = settings or Settings()
    cfg = settings.local
    path = model_path or cfg.model_path or None
    fallback = _fallback(embedder, settings)
    chat = LlamaChat(path, n_threads=cfg.threads, n_ctx=cfg.n_ctx, max_tokens=cfg.max_tokens,
                     cache_dir=settings.cache.dir, flash_attn=cfg.flash_attn)
    return LLMAnswerer(chat, fallback=fallback, policy=cfg.policy)


def openai_answerer(embedder=None, settings=None, **chat) -> LLMAnswerer:
    """``openai``: the server in ``settings.openai`` (``OPENAI_BASE_URL`` ...); ``chat`` overrides
    its connection settings (``base_url``, ``timeout_s``, ...)."""
    from ..settings import Settings
    from .openai_compat import ChatClient, ChatSettings

    settings = settings or Settings()
    client = ChatClient(ChatSettings.from_config(settings.openai, **chat))
    return LLMAnswerer(client, fallback=_fallback(embedder, settings), policy=settings.openai.policy)


def _fallback(embedder, settings) -> ExtractiveAnswerer:
    """The extractive answerer an LLM answerer quotes, rescues with and falls back to, without
    ``more_sentences`` (``ExtractiveAnswerer.without_more``): the model's answers were measured with 4 quotes
    at most (stop 69 measured the extractive answerer alone)."""
    return ExtractiveAnswerer(embedder, settings.extractive).without_more()
