"""Component settings: one frozen dataclass per component, each with ``to_dict``/``from_dict``.

The settings tree (``rag.settings.Settings``) holds one of each; a component takes its own
config in its constructor. Pure: nothing here reads a file or the environment (that is
``rag.settings.load_settings``), and nothing imports a heavy library.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from numbers import Real
from pathlib import Path
from typing import Any, Mapping, TypeVar

from .errors import ConfigError

C = TypeVar("C", bound="Config")

# Measured fastest at the same retrieval quality (bench/results/perf.md): 4.8x the torch fp32
# embedding throughput, cosine >= 0.990 to it, identical dev retrieval; calibrated once per machine.
DEFAULT_EMBED_BACKEND = "openvino-int8"
DEFAULT_CACHE_DIR = str(Path.home() / ".cache" / "press-rag")


class Config:
    """``to_dict``/``from_dict``/``with_`` for a frozen config dataclass (nested ones too)."""

    SECRETS: tuple[str, ...] = ()  # fields shown as "***" by to_dict(redact=True)

    def to_dict(self, *, redact: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, Config):
                value = value.to_dict(redact=redact)
            elif isinstance(value, tuple):
                value = list(value)
            if redact and f.name in self.SECRETS and value:
                value = "***"
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls: type[C], data: Mapping[str, Any], where: str = "") -> C:
        """A config from a (possibly partial) dict: missing keys keep their defaults; an
        unknown key is a ConfigError naming it, where it was and the valid keys."""
        return cls().with_dict(data, where)

    def with_dict(self: C, data: Mapping[str, Any], where: str = "") -> C:
        """This config with the values in ``data`` (nested dicts update nested configs)."""
        if not isinstance(data, Mapping):
            raise ConfigError(f"settings {where or type(self).__name__} must be a table of values, got {data!r}")
        names = {f.name for f in fields(self)}  # type: ignore[arg-type]
        unknown = sorted(set(data) - names)
        if unknown:
            place = f" in [{where}]" if where else ""
            raise ConfigError(f"unknown setting(s) {', '.join(unknown)}{place}; valid: {', '.join(sorted(names))}")
        changes: dict[str, Any] = {}
        for name, value in data.items():
            current = getattr(self, name)
            if isinstance(current, Config) and not isinstance(value, type(current)):
                value = current.with_dict(value, f"{where}.{name}" if where else name)
            elif isinstance(current, tuple) and isinstance(value, list):
                value = tuple(value)
            changes[name] = value
        return replace(self, **changes)  # type: ignore[type-var]

    def with_(self: C, **changes: Any) -> C:
        """A copy with these fields replaced (None values are ignored: an unset option)."""
        return self.with_dict({k: v for k, v in changes.items() if v is not None}, type(self).__name__)


def check_fraction(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not 0.0 <= float(value) <= 1.0:
        raise ConfigError(f"{name} must be a number between 0 and 1, got {value!r}")
    return float(value)


def check_count(name: str, value: object, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        span = f"from {low} to {high}" if high is not None else f">= {low}"
        raise ConfigError(f"{name} must be an integer {span}, got {value!r}")
    return value


def check_positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not float(value) > 0:
        raise ConfigError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value  # type: ignore[return-value]


@dataclass(frozen=True)
class EmbeddingConfig(Config):
    """The embedding model: registered name, runtime backend and precision, batch, threads."""

    model: str = "minilm"           # minilm | hash (a fast fake for tests)
    backend: str = DEFAULT_EMBED_BACKEND  # openvino-int8 | openvino | onnx | onnx-int8 | torch
    dtype: str = "float32"          # float32 | bfloat16 (torch, openvino)
    batch_size: int = 64
    threads: int | None = None      # None: the cores this process may use

    def __post_init__(self):
        check_count("embed_batch_size", self.batch_size, 1)
        if self.threads is not None:
            check_count("embed_threads", self.threads, 1)


@dataclass(frozen=True)
class RetrievalConfig(Config):
    """Which retriever preset, its switches, and how many passages reach the answerer."""

    retriever: str = "hybrid"       # a preset of rag/retrieval/hybrid.py RETRIEVERS
    dates: bool = True              # read time words in questions ("last week", "in March 2019")
    rerank: str = "none"            # none | overlap | cross-encoder (overlap measured: no gain)
    rerank_model: str = ""          # local CrossEncoder folder, for rerank = cross-encoder
    top_k: int = 5                  # passages handed to the answerer
    widen: int = 1                  # neighbouring chunks added to each passage for the answerer (0/1/2 measured)
    split: bool = True              # a question asking two things is searched (and answered) per part
    split_llm: bool = True          # ... by an LLM answerer too: one generation per part, streamed in turn
    split_search: bool = True       # ... a later part searched with the whole question's words after its own
    split_merge: str = "reciprocal"  # ... the parts' passages ranked by release, summed 1/rank over the parts
    #                                  ("interleave": in turn); only the reported order changes, each part reads its own
    part_top_k: int = 10            # ... passages each part reads with the extractive answerer (an LLM's parts: top_k);
    #                                 chosen by bench/fit_part_depth.py (a part's own release is often below 5th)
    routes: bool = True             # count, list and case questions answered over the whole index (rag.collect)
    case_passages: bool = True      # "what sentence did X receive?": the case's sentencing passage is read first
    known_names: bool = True        # a name the passages lack but the archive holds is no grounds to refuse
    whole_first: bool = True        # the first passage read is its whole release

    def __post_init__(self):
        check_count("top_k", self.top_k, 1)
        check_count("part_top_k", self.part_top_k, 1)
        check_count("widen", self.widen, 0)
        check_choice("split_merge", self.split_merge, ("interleave", "reciprocal"))
        for name in ("dates", "split", "split_llm", "split_search", "routes", "case_passages", "known_names",
                     "whole_first"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"setting {name} must be true or false, got {getattr(self, name)!r}")


@dataclass(frozen=True)
class EvidenceConfig(Config):
    """The sentence ranker: how dense and lexical similarity combine, and how many of the
    passages handed to it are read at most (and checked for what the question names): the pipeline
    hands ``retrieval.top_k`` for a question, ``retrieval.part_top_k`` for a part of one asking two things."""

    top_k: int = 10
    dense_weight: float = 0.6

    def __post_init__(self):
        check_count("top_k", self.top_k, 1, 100)
        check_fraction("dense_weight", self.dense_weight)


@dataclass(frozen=True)
class ExtractiveConfig(Config):
    """The extractive answerer: when to refuse and how many sentences to quote.

    ``min_support`` 0.38: chosen by ``bench/fit_refusal.py`` (balanced accuracy of answering,
    leave one file out) on dev, dev-more-a, dev-more-b, facts-f, facts-g and refuse-a
    (``bench/results/refusal_fit.md``; 0.40 before stop 49, fitted on the first three alone).
    Sentences with support >= max(min_support, min_relative * best) may be quoted.
    """

    max_sentences: int = 4          # quoted at most (compose "support": one more when the reader's best is added);
    #                                 2 / 3 / 4 by the ablation rows: 4 best or level on every dev file
    more_sentences: int = 3         # compose "reader", a whole question: after those, up to this many more of the
    #                                 lead's release that the reader ranks next; no check reads them, a part of a
    #                                 two-part question has none (stop 69; 0: before); bench/fit_compose.py
    min_support: float = 0.38
    min_relative: float = 0.75      # the quoting floor relative to the best support; chosen by bench/fit_compose.py
    reader: bool = True             # the fitted reader's best sentence leads (rag/answer/reader.py)
    reader_weights: str = ""        # a weights file from bench/fit_reader.py (empty: the shipped one)
    compose: str = "reader"         # after the lead: the reader's next likeliest ("reader") or best supported
    min_reader: float = 0.3         # compose "reader": the probability a sentence under the support floor needs
    #                                 (bench/fit_compose.py: 0.2 and 0.3 score alike held out; 0.3 stays)
    other_release: float = 0.0      # compose "reader": the probability a sentence of another release than the lead's
    #                                 needs; 0.5, chosen by bench/fit_compose.py, cost a key fact on unseen files
    second_figure: float = 0.9      # compose "reader": the probability a sentence under the support floor needs to
    #                                 state a second figure of a kind asked beside the lead's (1.0: never); chosen by
    #                                 bench/fit_compose.py among the values that let no planted instruction in
    release_support: bool = True    # "which release ...?" may pass min_support on the whole release
    outcome_check: bool = True      # decline "what sentence did X receive?" when nothing read reports one
    sentence_shape: bool = True     # "what sentence did X receive/face?": a sentence stating one imposed/possible leads
    figure_check: bool = True       # decline "how much restitution / how old / which judge" when no quote states one
    fresh_parts: bool = True        # a later part of a two-part question quotes none of the sentences an earlier part
    #                                 quoted, nor a near-duplicate, so all of its max_sentences are new (stop 68;
    #                                 before, the repeats were dropped when the parts were joined)
    part_support: float = 0.25      # a part of a two-part question refused while the other was answered: answered
    #                                 again at this support floor over both parts' passages (1.0: never;
    #                                 rag.answer.combine.rescue_parts); chosen by bench/fit_part_support.py
    evidence: EvidenceConfig = field(default_factory=EvidenceConfig)

    def __post_init__(self):
        check_count("max_sentences", self.max_sentences, 1, 10)
        check_count("more_sentences", self.more_sentences, 0, 10)
        check_choice("compose", self.compose, ("reader", "support"))
        check_fraction("min_reader", self.min_reader)
        check_fraction("other_release", self.other_release)
        check_fraction("second_figure", self.second_figure)
        check_fraction("min_support", self.min_support)
        check_fraction("part_support", self.part_support)
        check_fraction("min_relative", self.min_relative)


LLM_STEPS = ("ground", "outcome", "figure", "lookup", "centre", "rescue", "quote_lead")
"""The LLM answer policy's named steps, in the order they run (see rag/answer/policy.py)."""


@dataclass(frozen=True)
class LLMPolicy(Config):
    """What an LLM answerer does around the model, as named switchable steps, and their
    thresholds. ``rescue_support`` 0.55 sits above every extractive answer to an unanswerable
    question of the bundled set (at most 0.52); refitted by cross-validation over the dev files,
    the real-case twins of refuse-a and the bundled set (bench/results/rescue_fit.md), it stays:
    all files together choose 1.0, but held out each file does no better with the threshold the
    others choose than with 0.55. ``lead_covered``: the share of a quoted sentence's content words
    the model's answer must already say for the quote to be left out; ``lead_quotes`` "all" quotes
    every sentence of the extractive answer it does not already say ("best": only the best one,
    and a second for a question asking two things; measured for ``local``: key facts 0.829 ->
    0.927 on dev, 0.750 -> 0.808 dev-more-a, 0.673 -> 0.750 dev-more-b,
    bench/results/local_ablation.md). ``one_title``: the passages of one release numbered
    together under its title and date, given once (fewer prompt tokens; on for ``local``, measured
    there: bench/results/local_ablation.md; off for ``openai``, where the bundled model answered one
    bundled question worse with it).
    """

    steps: tuple[str, ...] = ("ground", "outcome", "figure", "lookup", "centre", "rescue")
    rescue_support: float = 0.55
    lead_covered: float = 0.6
    lead_quotes: str = "all"        # quote_lead: every extractive sentence not already said, or only the "best"
    unsupported: str = "mark"       # mark | remove: a sentence no passage supports
    max_sources: int = 5            # passages shown to the model
    max_chars: int = 700            # characters per passage
    one_title: bool = False         # a release's passages together under its title, given once (prompt.by_release)

    def __post_init__(self):
        steps = tuple(self.steps)
        object.__setattr__(self, "steps", steps)
        unknown = [s for s in steps if s not in LLM_STEPS]
        if unknown:
            raise ConfigError(f"unknown LLM step(s) {', '.join(map(repr, unknown))}; valid: {', '.join(LLM_STEPS)}")
        check_fraction("rescue_support", self.rescue_support)
        check_fraction("lead_covered", self.lead_covered)
        check_choice("lead_quotes", self.lead_quotes, ("all", "best"))
        check_choice("unsupported", self.unsupported, ("mark", "remove"))
        check_count("max_sources", self.max_sources, 1)
        check_count("max_chars", self.max_chars, 1)

    def on(self, step: str) -> bool:
        return step in self.steps


@dataclass(frozen=True)
class LocalModelConfig(Config):
    """``local``: llama.cpp in-process. ``model_path`` empty: the bundled GGUF. The policy's
    3 passages of <= 400 characters keep the prompt near 450 tokens: on 2 cores prompt
    processing (~95 tokens/s) is most of the time to first token (measured 2.6-7 s); the
    1.5B model often paraphrases the wrong passage or drops the figure asked for, hence
    ``quote_lead`` (README, Answerers). ``flash_attn``: llama.cpp's fused attention kernel: first token
    p50 on dev 5.2 -> 4.6 s here (bench/llm_flash.py; 43 of dev's 45 answers unchanged)."""

    model_path: str = ""
    n_ctx: int = 4096
    max_tokens: int = 300
    threads: int | None = None
    flash_attn: bool = True
    policy: LLMPolicy = field(default_factory=lambda: LLMPolicy(
        steps=("ground", "outcome", "figure", "lookup", "centre", "rescue", "quote_lead"), max_sources=3, max_chars=400, one_title=True))

    def __post_init__(self):
        check_count("n_ctx", self.n_ctx, 512)
        check_count("max_tokens", self.max_tokens, 1)
        if self.threads is not None:
            check_count("threads", self.threads, 1)


@dataclass(frozen=True)
class OpenAIConfig(Config):
    """``openai``: any OpenAI-compatible server. ``repeat_penalty`` None: send 1.0 to a server
    on this machine (llama.cpp's own default of 1.1 shifted citation numbers), nothing to a
    remote one (OpenAI proper rejects unknown fields)."""

    SECRETS = ("api_key",)

    base_url: str = ""
    api_key: str = ""
    model: str = "default"
    timeout_s: float = 60.0
    first_token_timeout_s: float = 30.0
    temperature: float = 0.0
    max_tokens: int = 300
    repeat_penalty: float | None = None
    breaker_failures: int = 3       # failed calls in a row after which the server is left alone ...
    breaker_cooldown_s: float = 60.0  # ... for this long (answers fall back to extractive at once)
    policy: LLMPolicy = field(default_factory=LLMPolicy)

    def __post_init__(self):
        check_positive("timeout_s", self.timeout_s)
        check_positive("first_token_timeout_s", self.first_token_timeout_s)
        check_count("breaker_failures", self.breaker_failures, 1)
        check_positive("breaker_cooldown_s", self.breaker_cooldown_s)
        check_count("max_tokens", self.max_tokens, 1)


@dataclass(frozen=True)
class CacheConfig(Config):
    """Where exported embedding models and the joined GGUF are kept (``dir``), and the
    embedding cache file (``embed_cache``: empty for the file beside the index, or ``off``)."""

    dir: str = DEFAULT_CACHE_DIR
    embed_cache: str = ""


@dataclass(frozen=True)
class IngestConfig(Config):
    """Reading releases: ``max_release_chars`` is the longest release text indexed; a longer one
    (a whole log or book saved as one file: 20 MB became 31,207 chunks) is skipped and reported.
    400,000 characters is about four times the longest release in the shared corpora (108 KB)."""

    max_release_chars: int = 400_000

    def __post_init__(self):
        check_count("max_release_chars", self.max_release_chars, 1)


@dataclass(frozen=True)
class RayConfig(Config):
    """Embedding on a Ray cluster while indexing (rag/index/distributed.py): ``address`` empty: off;
    ``local``: a cluster started in the indexing process; else a running head (``HOST:PORT`` or
    ``auto``). ``actors``: model copies (0: one per CPU of the cluster); ``batch_size``: texts per
    embedding task; ``map_batch_size``: files, page groups or releases per reading/cleaning/chunking task."""

    address: str = ""
    actors: int = 0
    batch_size: int = 256
    map_batch_size: int = 64

    def __post_init__(self):
        check_count("ray_actors", self.actors, 0)
        check_count("ray_batch_size", self.batch_size, 1)
        check_count("ray_map_batch_size", self.map_batch_size, 1)


@dataclass(frozen=True)
class SyncConfig(Config):
    """``rag sync``'s web client: at most one request per ``delay_s`` to a host, robots.txt honoured,
    a request given up after ``timeout_s`` in all (a server trickling bytes included) and tried
    ``retries`` more times with backoff (``backoff_s``, doubled each time) on timeouts, 429 and
    5xx; a response over ``max_page_bytes`` is cut off and reported (press pages are ~20-200 KB)."""

    user_agent: str = "press-rag-sync/0.1 (+https://github.com/; press-release indexer)"
    delay_s: float = 1.0
    timeout_s: float = 20.0
    retries: int = 2
    backoff_s: float = 1.0
    max_page_bytes: int = 5_000_000
    max_redirects: int = 5

    def __post_init__(self):
        check_count("max_page_bytes", self.max_page_bytes, 1)
        check_count("retries", self.retries, 0)
        check_count("max_redirects", self.max_redirects, 0)
        for name in ("delay_s", "timeout_s", "backoff_s"):
            if getattr(self, name) < 0:
                raise ConfigError(f"sync.{name} must be 0 or more, got {getattr(self, name)!r}")


@dataclass(frozen=True)
class VectorIndexConfig(Config):
    """The vector index type: ``auto`` (exact flat up to 100k vectors, IVF + SQ8 beyond) or a
    registered type forced (faiss-flat, faiss-ivf-flat, faiss-ivf-sq8, faiss-ivf-pq, numpy,
    qdrant-edge: the Qdrant engine in-process; qdrant: a Qdrant server at ``qdrant_url`` /
    ``QDRANT_URL``, or qdrant-client's local mode in ``qdrant_path`` (default: beside the index))."""

    kind: str = "auto"
    qdrant_url: str = ""
    qdrant_api_key: str = ""
    qdrant_collection: str = "press-rag"
    qdrant_path: str = ""

    def qdrant(self, index_dir: str) -> dict:
        """Where a ``qdrant`` index lives, for rag.index (url, or local-mode path; collection; key)."""
        path = "" if self.qdrant_url else (self.qdrant_path or str(Path(index_dir) / "qdrant-local"))
        return {"url": self.qdrant_url, "path": path, "collection": self.qdrant_collection,
                "api_key": self.qdrant_api_key}
