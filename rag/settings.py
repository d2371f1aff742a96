"""One settings tree, read from defaults < ``rag.toml`` < environment < arguments.

``load_settings`` is the only place that reads the environment or a settings file: it is
called once at the edge (CLI, UI, eval) and the tree is handed down explicitly. Each branch
is a component's own config (``rag.config``); ``to_dict`` gives the whole tree, which
``rag eval`` records beside every result.

Names. A setting has a path in the tree (``retrieval.top_k``, ``local.policy.steps``). The
settings documented in the README also have a short name (``top_k``), used in ``rag.toml``
at the top level, in ``RAG_<NAME>`` variables and in ``Settings.with_``; any setting can be
given by its path, in ``rag.toml`` as a table (``[retrieval]`` ``top_k = 8``) and in the
environment as ``RAG_<PATH>`` with ``__`` between levels (``RAG_LOCAL__POLICY__MAX_CHARS``).
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

from .chunking import ChunkerSettings
from .config import (
    DEFAULT_EMBED_BACKEND,
    CacheConfig,
    Config,
    EmbeddingConfig,
    ExtractiveConfig,
    IngestConfig,
    LocalModelConfig,
    OpenAIConfig,
    RayConfig,
    RetrievalConfig,
    SyncConfig,
    VectorIndexConfig,
)
from .errors import ConfigError

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = PACKAGE_ROOT / "corpus"

__all__ = ["ALIASES", "BUNDLED_CORPUS", "DEFAULT_EMBED_BACKEND", "ENVIRONMENT", "Settings", "load_settings",
           "offline_hub"]


@dataclass(frozen=True)
class Settings(Config):
    index_dir: str = ".rag/index"
    corpus: str = str(BUNDLED_CORPUS)
    answerer: str = "extractive"    # extractive | local | openai
    embedding: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    ingest: IngestConfig = field(default_factory=IngestConfig)
    chunking: ChunkerSettings = field(default_factory=ChunkerSettings)
    retrieval: RetrievalConfig = field(default_factory=RetrievalConfig)
    extractive: ExtractiveConfig = field(default_factory=ExtractiveConfig)
    local: LocalModelConfig = field(default_factory=LocalModelConfig)
    openai: OpenAIConfig = field(default_factory=OpenAIConfig)
    vectors: VectorIndexConfig = field(default_factory=VectorIndexConfig)
    cache: CacheConfig = field(default_factory=CacheConfig)
    sync: SyncConfig = field(default_factory=SyncConfig)
    ray: RayConfig = field(default_factory=RayConfig)

    def get(self, path: str) -> Any:
        """The value at a dotted path or short name (``retrieval.top_k``, ``top_k``)."""
        value: Any = self
        for part in ALIASES.get(path, path).split("."):
            value = getattr(value, part)
        return value

    def with_(self, **changes: Any) -> "Settings":
        """A copy with these settings replaced, by short name or by path with ``__`` for the
        dots (``top_k=8``, ``retrieval__top_k=8``); None values are ignored (an unset option)."""
        out = self
        for name, value in changes.items():
            if value is not None:
                out = out.with_path(ALIASES.get(name, name.replace("__", ".")), value)
        return out

    def with_path(self, path: str, value: Any) -> "Settings":
        head, _, rest = path.partition(".")
        names = {f.name for f in fields(self)}
        if head not in names:
            raise ConfigError(f"unknown setting {path!r}; valid: {', '.join(sorted(names | set(ALIASES)))}")
        if not rest:
            current = getattr(self, head)
            if isinstance(current, Config) and isinstance(value, Mapping):
                value = current.with_dict(value, head)
            return replace(self, **{head: value})
        return replace(self, **{head: getattr(self, head).with_dict(_nest(rest, value), head)})


def _nest(path: str, value: Any) -> dict:
    head, _, rest = path.partition(".")
    return {head: _nest(rest, value) if rest else value}


# Short names: the settings the README documents, as rag.toml keys and RAG_<NAME> variables.
ALIASES: dict[str, str] = {
    "embedder": "embedding.model",
    "embed_backend": "embedding.backend",
    "embed_dtype": "embedding.dtype",
    "embed_batch_size": "embedding.batch_size",
    "embed_threads": "embedding.threads",
    "max_release_chars": "ingest.max_release_chars",
    "chunk_tokens": "chunking.chunk_tokens",
    "overlap_tokens": "chunking.overlap_tokens",
    "retriever": "retrieval.retriever",
    "dates": "retrieval.dates",
    "rerank": "retrieval.rerank",
    "rerank_model": "retrieval.rerank_model",
    "top_k": "retrieval.top_k",
    "widen": "retrieval.widen",
    "vector_index": "vectors.kind",
    "cache_dir": "cache.dir",
    "embed_cache": "cache.embed_cache",
    "local_model": "local.model_path",
    "ray_address": "ray.address",
    "ray_actors": "ray.actors",
}

# Environment variables -> settings paths (besides RAG_<NAME> and RAG_<PATH>): an OpenAI
# client's usual names; the first one set wins.
ENVIRONMENT: dict[str, str] = {
    "OPENAI_BASE_URL": "openai.base_url",
    "OPENAI_API_KEY": "openai.api_key",
    "OPENAI_MODEL": "openai.model",
    "RAG_LLM_MODEL": "openai.model",
    "QDRANT_URL": "vectors.qdrant_url",
    "QDRANT_API_KEY": "vectors.qdrant_api_key",
    "QDRANT_COLLECTION": "vectors.qdrant_collection",
}


def _leaf_type(path: str) -> str:
    """The annotation of the setting at ``path`` ("int", "float | None", "tuple[str, ...]")."""
    owner: Any = Settings
    parts = path.split(".")
    for i, part in enumerate(parts):
        match = {f.name: f for f in fields(owner)}.get(part)
        if match is None:
            raise ConfigError(f"unknown setting {path!r}")
        if i == len(parts) - 1:
            return str(match.type)
        owner = match.default_factory() if match.default_factory is not None else match.default  # type: ignore[misc]
    raise ConfigError(f"unknown setting {path!r}")  # pragma: no cover


def _coerce(name: str, raw: str, kind: str) -> Any:
    """An environment string as the setting's type; ConfigError names the variable."""
    text = raw.strip()
    if kind.endswith("| None") and text.lower() in ("", "none"):
        return None
    kind = kind.replace("| None", "").strip()
    if kind == "bool":
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ConfigError(f"setting {name} must be true or false, got {raw!r}")
    if kind in ("int", "float"):
        try:
            return int(text) if kind == "int" else float(text)
        except ValueError:
            raise ConfigError(f"setting {name} must be {'an integer' if kind == 'int' else 'a number'}, "
                              f"got {raw!r}") from None
    if kind.startswith("tuple"):
        return tuple(p.strip() for p in text.split(",") if p.strip())
    return raw


def _env_paths(env: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(variable, settings path, raw value) for every variable that sets something, in the
    order they apply (a path given twice: the later one wins)."""
    out: list[tuple[str, str, str]] = []
    for name in ("index_dir", "corpus", "answerer", *ALIASES):
        var = f"RAG_{name.upper()}"
        if var in env:
            out.append((var, ALIASES.get(name, name), env[var]))
    for var, path in ENVIRONMENT.items():
        if (env.get(var) or "").strip() and not any(p == path and v in ENVIRONMENT for v, p, _ in out):
            out.append((var, path, env[var].strip()))
    for var, raw in sorted(env.items()):
        if var.startswith("RAG_") and "__" in var:
            out.append((var, var[4:].lower().replace("__", "."), raw))
    return out


def load_settings(config_file: str | os.PathLike | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then the TOML file (``RAG_CONFIG`` or ``./rag.toml``), then the environment."""
    env = os.environ if env is None else env
    settings = Settings()
    cache_home = (env.get("XDG_CACHE_HOME") or "").strip()
    if cache_home:
        settings = settings.with_path("cache.dir", str(Path(cache_home) / "press-rag"))
    path = Path(config_file or env.get("RAG_CONFIG") or "rag.toml")
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read settings file {path}: {exc}") from None
        try:
            for key, value in data.items():
                settings = settings.with_path(ALIASES.get(key, key), value)
        except ConfigError as exc:
            raise ConfigError(f"{path}: {exc}") from None
    elif config_file:
        raise ConfigError(f"settings file not found: {path}")
    for var, where, raw in _env_paths(env):
        try:
            settings = settings.with_path(where, _coerce(var, raw, _leaf_type(where)))
        except ConfigError as exc:
            message = str(exc)
            raise ConfigError(message if var in message else f"{var}={raw!r}: {message}") from None
    return settings


def offline_hub() -> None:
    """Tell the Hugging Face libraries never to reach a model hub (the models ship in packages)."""
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_PROGRESS_BARS"):
        os.environ.setdefault(name, "1")
