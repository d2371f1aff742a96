"""One settings object, read from defaults < ``rag.toml`` < ``RAG_*`` environment < arguments.

It is built once at the edge (CLI, UI, eval) and handed down explicitly.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from .errors import ConfigError

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = PACKAGE_ROOT / "corpus"
# Measured fastest at the same retrieval quality (bench/results/perf.md): 4.8x the torch fp32
# embedding throughput, cosine >= 0.990 to it, identical dev retrieval; calibrated once per machine.
DEFAULT_EMBED_BACKEND = "openvino-int8"


@dataclass(frozen=True)
class Settings:
    index_dir: str = ".rag/index"
    corpus: str = str(BUNDLED_CORPUS)
    embedder: str = "minilm"
    answerer: str = "extractive"
    chunk_tokens: int = 160
    overlap_tokens: int = 32
    top_k: int = 5
    embed_batch_size: int = 64
    embed_dtype: str = "float32"
    embed_backend: str = DEFAULT_EMBED_BACKEND  # openvino-int8 | openvino | onnx | onnx-int8 | torch
    retriever: str = "hybrid"       # hybrid | dense | bm25
    dates: bool = True              # read time words in questions ("last week", "in March 2019")
    rerank: str = "none"            # none | overlap | cross-encoder (overlap measured: no gain)
    rerank_model: str = ""          # local CrossEncoder folder, for rerank = cross-encoder
    widen: int = 0                  # neighbouring chunks added to each passage for the answerer

    def __post_init__(self):
        for name in ("chunk_tokens", "overlap_tokens", "top_k", "embed_batch_size", "widen"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < (0 if name in ("overlap_tokens", "widen") else 1):
                raise ConfigError(f"setting {name} must be a positive integer, got {value!r}")
        if not isinstance(self.dates, bool):
            raise ConfigError(f"setting dates must be true or false, got {self.dates!r}")

    def with_(self, **changes) -> "Settings":
        """A copy with the given non-None values replaced."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _coerce(name: str, raw: str, kind: type):
    if kind is bool:
        if raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if raw.strip().lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"setting {name} must be true or false, got {raw!r}")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"setting {name} must be an integer, got {raw!r}") from None
    return raw


def load_settings(config_file: str | os.PathLike | None = None, env: dict | None = None) -> Settings:
    """Defaults, then the TOML file (``RAG_CONFIG`` or ``./rag.toml``), then ``RAG_<NAME>`` variables."""
    env = os.environ if env is None else env
    kinds = {"int": int, "bool": bool}
    types = {f.name: kinds.get(f.type if isinstance(f.type, str) else f.type.__name__, str) for f in fields(Settings)}
    values: dict = {}
    path = Path(config_file or env.get("RAG_CONFIG") or "rag.toml")
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read settings file {path}: {exc}") from None
        unknown = sorted(set(data) - set(types))
        if unknown:
            raise ConfigError(f"unknown setting(s) {', '.join(unknown)} in {path}; valid: {', '.join(types)}")
        values.update(data)
    elif config_file:
        raise ConfigError(f"settings file not found: {path}")
    for name, kind in types.items():
        raw = env.get(f"RAG_{name.upper()}")
        if raw is not None:
            values[name] = _coerce(f"RAG_{name.upper()}", raw, kind)
    return Settings(**values)
