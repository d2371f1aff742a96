"""LLM answerers: numbered passages in, streamed tokens out, citations checked after.

One ``LLMAnswerer`` drives any chat backend with ``stream(messages) -> Iterator[str]``:

- ``local``: llama.cpp in this process (``llama-cpp-python``), the bundled GGUF by default;
- ``openai``: any OpenAI-compatible server (OpenAI, vLLM, Ollama, llama.cpp's server, LM Studio).

When the backend fails (server down, timeout, HTTP error, malformed stream) the answer
falls back to the extractive one, labelled as such, with the reason in ``note``.
Model work is serialised: on 2 cores two generations at once (or the embedder beside
one) collapse llama.cpp's speed.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from typing import Iterator, Protocol, Sequence

from ..errors import ConfigError, RagError
from ..models import Answer, Citation, Hit
from ..retrieval.query import is_lookup
from .asked import asks_two_things, shows_asked_thing
from .base import Answerer
from .citecheck import check_citations
from .support import content_tokens
from .prompt import build_messages, select_sources, sources_around

MODEL_LOCK = threading.Lock()
LEAD_COVERED = 0.6  # share of the lead sentence's content words the model's answer must already say


class ChatBackend(Protocol):
    name: str

    def stream(self, messages: list[dict]) -> Iterator[str]: ...


class LlamaChat:
    """llama.cpp in-process; loads the GGUF once, on first use."""

    name = "local"

    def __init__(self, model_path: str | None = None, *, n_threads: int | None = None, n_ctx: int = 4096,
                 max_tokens: int = 300):
        if model_path is not None and not os.path.isfile(model_path):
            raise ConfigError(f"model file not found: {model_path!r}")
        if not isinstance(n_ctx, int) or n_ctx < 512:
            raise ConfigError(f"n_ctx must be an integer >= 512, got {n_ctx!r}")
        self.model_path = model_path
        self.n_threads = n_threads or os.cpu_count() or 2
        self.n_ctx = n_ctx
        self.max_tokens = max_tokens
        self._llm = None

    def _load(self):
        if self._llm is None:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise ConfigError("the local answerer needs llama-cpp-python==0.3.36 installed") from None
            path = self.model_path
            if path is None:
                from .model_file import bundled_model_path

                path = str(bundled_model_path())
            self._llm = Llama(model_path=path, n_ctx=self.n_ctx, n_threads=self.n_threads, verbose=False)
        return self._llm

    def stream(self, messages: list[dict]) -> Iterator[str]:
        llm = self._load()
        for chunk in llm.create_chat_completion(messages=messages, stream=True, temperature=0.0,
                                                max_tokens=self.max_tokens, repeat_penalty=1.0):
            delta = chunk["choices"][0].get("delta", {}).get("content")
            if delta:
                yield delta


class LLMAnswerer:
    def __init__(self, backend: ChatBackend, fallback: Answerer | None = None, *, max_sources: int = 5,
                 max_chars: int = 700, unsupported: str = "mark", guided: bool = True,
                 rescue_support: float | None = 0.55, quote_lead: bool = False):
        """``guided``: when the fallback is the extractive answerer, use it around the model:
        a question naming someone or something no retrieved release contains is declined
        without a generation; a question asking which release said something is answered
        with that release's title and date from the index (measured: the bundled 1.5B model
        declined 6 of the dev set's 7 such questions); the passages shown are centred on its
        best sentences, and when
        the model declines although the extractive answer is well supported (best support >=
        ``rescue_support``) or visibly holds what was asked (``shows_asked_thing``: a number and
        the counted thing for "how many", a date for "when", a new name for "who"), that answer
        is shown instead, labelled. 0.55 sits above every extractive answer to an unanswerable
        question of the bundled set (at most 0.52).

        ``quote_lead`` (on for ``local``): sentences of the extractive answer that the model's
        answer does not already say follow it, quoted and cited (see :func:`lead_quotes`)."""
        if unsupported not in ("mark", "remove"):
            raise ConfigError(f"unsupported must be 'mark' or 'remove', got {unsupported!r}")
        if rescue_support is not None and not (isinstance(rescue_support, (int, float)) and 0 <= rescue_support <= 1):
            raise ConfigError(f"rescue_support must be a number from 0 to 1 or None, got {rescue_support!r}")
        self.rescue_support = rescue_support
        self.quote_lead = quote_lead
        self.backend = backend
        self.guide = fallback if guided and hasattr(fallback, "rank") and hasattr(fallback, "missing") else None
        self.name = backend.name
        self.fallback = fallback
        self.max_sources = max_sources
        self.max_chars = max_chars
        self.unsupported = unsupported

    def stream(self, question: str, hits: Sequence[Hit]) -> Iterator[str | Answer]:
        """Text deltas as they come, then the checked Answer as the last item."""
        from .base import refusal

        t0 = time.perf_counter()
        hits = list(hits)
        if self.guide is not None and hits:
            missing = self.guide.missing(question, hits)
            if missing:
                note = "not in the retrieved releases: " + ", ".join(repr(m) for m in missing)
                yield refusal(self.name, note, {"answer": (time.perf_counter() - t0) * 1000})
                return
            if is_lookup(question):  # "which release ...?": its title and date are in the index
                lookup = self.guide.answer(question, hits)
                if not lookup.refused:
                    yield replace(lookup, answerer=f"extractive (lookup; {self.name} not needed)",
                                  note=f"a question asking which release: title and date from the index; {lookup.note}")
                    return
            ranked, _ = self.guide.rank(question, hits)
            sources = sources_around(question, [(hits[c.hit_pos], c.start) for c in ranked],
                                     max_sources=self.max_sources, max_chars=self.max_chars)
        else:
            sources = select_sources(question, hits, max_sources=self.max_sources, max_chars=self.max_chars)
        if not sources:
            yield refusal(self.name, "no passages were retrieved", {"answer": 0.0})
            return
        messages = build_messages(question, sources)
        parts: list[str] = []
        first = None
        try:
            with MODEL_LOCK:
                for delta in self.backend.stream(messages):
                    if first is None:
                        first = time.perf_counter()
                    parts.append(delta)
                    yield delta
        except RagError as exc:
            yield self._fall_back(question, hits, str(exc), t0)
            return
        timings = {"first_token": ((first or time.perf_counter()) - t0) * 1000,
                   "answer": (time.perf_counter() - t0) * 1000}
        checked = check_citations("".join(parts), sources, answerer=self.name, timings_ms=timings,
                                  unsupported=self.unsupported)
        if checked.refused and self.guide is not None and self.rescue_support is not None:
            checked = self._rescue(question, hits, checked, t0)
        elif not checked.refused and self.guide is not None and self.quote_lead:
            checked = self._with_lead_quote(question, hits, checked)
        yield checked

    def _with_lead_quote(self, question: str, hits: Sequence[Hit], answer: Answer) -> Answer:
        """``answer`` followed by sentences of the extractive answer, quoted and cited, that
        the model's sentences do not already say: a small model often paraphrases the wrong
        passage or drops the figure asked for, and the verbatim sentence lets the reader check.
        See :func:`lead_quotes` for which sentences."""
        lead = self.guide.answer(question, hits)
        if lead.refused or not lead.citations:
            return answer
        quotes = lead_quotes(question, answer.text, lead.citations)
        if not quotes:
            return answer
        citations = answer.citations
        lines = [answer.text.rstrip()]
        for best in quotes:
            inside = [c for c in citations
                      if c.release_id == best.release_id and c.start <= best.start and best.end <= c.end]
            if inside:
                n = inside[0].n
            else:
                n = len(citations) + 1
                citations = citations + (replace(best, n=n),)
            lines.append(f"The release says: “{' '.join(best.quote.split())}” [{n}]")  # one line
        what = "the best-matching sentence" if len(quotes) == 1 else f"{len(quotes)} best-matching sentences"
        return replace(answer, text="\n".join(lines), citations=citations,
                       note=f"{answer.note}; {what} quoted after the model's answer")

    def _rescue(self, question: str, hits: Sequence[Hit], declined: Answer, t0: float) -> Answer:
        """The extractive answer when the model declined but the releases clearly answer."""
        extractive = self.guide.answer(question, hits)
        if extractive.refused:
            return declined
        if (extractive.confidence or 0.0) >= self.rescue_support:
            why = f"best support {extractive.confidence:.2f}"
        elif shows_asked_thing(question, [c.quote for c in extractive.citations]):
            why = f"they state what was asked; best support {extractive.confidence:.2f}"
        else:
            return declined
        note = (f"the {self.name} model gave no supported answer ({declined.note}), but these sentences of "
                f"the releases answer it ({why}); extractive answer shown")
        return replace(extractive, answerer=f"extractive ({self.name} declined)", note=note,
                       timings_ms={**declined.timings_ms, "answer": (time.perf_counter() - t0) * 1000})

    def rewrite(self, question: str, history: Sequence[str]) -> str:
        """A follow-up made standalone by the model (the cheap rule when it cannot)."""
        from ..conversation import llm_standalone

        with MODEL_LOCK:
            return llm_standalone(self.backend.stream, question, history)

    def answer(self, question: str, hits: Sequence[Hit]) -> Answer:
        result = None
        for item in self.stream(question, hits):
            result = item
        assert isinstance(result, Answer)
        return result

    def _fall_back(self, question, hits, reason: str, t0: float) -> Answer:
        if self.fallback is None:
            raise RagError(reason)
        answer = self.fallback.answer(question, hits)
        note = f"{self.name} answerer failed ({reason}); extractive answer shown instead"
        return replace(answer, answerer=f"extractive (fallback from {self.name})", note=note,
                       timings_ms={**answer.timings_ms, "answer": (time.perf_counter() - t0) * 1000})


def lead_quotes(question: str, said: str, ranked: Sequence[Citation]) -> list[Citation]:
    """Which of the extractive answer's sentences (``ranked``, best first) to quote after
    the model's answer ``said``: the best one, or, when ``said`` does not show what was
    asked (a number for "how many", a date for "when", a name for "who") the best one
    that does; for a question asking two things, the next best too. A sentence whose
    content words ``said`` mostly (:data:`LEAD_COVERED`) holds already is not quoted."""
    if not ranked:
        return []
    first = ranked[0]
    if not shows_asked_thing(question, [said]):
        first = next((c for c in ranked if shows_asked_thing(question, [c.quote])), first)
    picked = [first]
    if asks_two_things(question):
        picked += [c for c in ranked if c is not first][:1]
    have = content_tokens(said)
    out = []
    for c in picked:
        wanted = content_tokens(c.quote)
        if wanted and len(wanted & have) < LEAD_COVERED * len(wanted):
            out.append(c)
    return out


def local_answerer(embedder=None, model_path: str | None = None) -> LLMAnswerer:
    from .extractive import ExtractiveAnswerer

    # 3 passages of <= 400 characters keep the prompt near 450 tokens: on 2 cores prompt
    # processing (~95 tokens/s) is most of the time to first token (measured 2.6-7 s)
    # quote_lead: the 1.5B model often paraphrases the wrong passage or drops the figure asked
    # for (see README, Answerers)
    return LLMAnswerer(LlamaChat(model_path or os.environ.get("RAG_LOCAL_MODEL") or None),
                       fallback=ExtractiveAnswerer(embedder), max_sources=3, max_chars=400, quote_lead=True)


def openai_answerer(embedder=None, **settings) -> LLMAnswerer:
    from .extractive import ExtractiveAnswerer
    from .openai_compat import ChatClient, ChatSettings

    client = ChatClient(ChatSettings.from_env(**settings))
    client.name = "openai"
    return LLMAnswerer(client, fallback=ExtractiveAnswerer(embedder))
