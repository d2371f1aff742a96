"""Answerers: question + retrieved hits -> Answer with citations, or a refusal.

Registered by name in ``ANSWERERS``; ``get_answerer(name, **kwargs)`` builds one.
"""
from __future__ import annotations

import inspect
from typing import Callable

from ..errors import ConfigError
from .base import REFUSAL_TEXT, Answerer, refusal
from .extractive import ExtractiveAnswerer
from .llm import local_answerer, openai_answerer

ANSWERERS: dict[str, Callable[..., Answerer]] = {
    "extractive": ExtractiveAnswerer,
    "local": local_answerer,      # llama.cpp in-process, the bundled GGUF by default
    "openai": openai_answerer,    # any OpenAI-compatible server (OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL)
}


def get_answerer(name: str, **kwargs) -> Answerer:
    """Build the answerer registered as ``name`` with ``kwargs``."""
    try:
        factory = ANSWERERS[name]
    except (KeyError, TypeError):
        raise ConfigError(
            f"unknown answerer {name!r}; choose one of: {', '.join(sorted(ANSWERERS))}"
        ) from None
    try:
        inspect.signature(factory).bind(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"answerer {name!r} does not take these options {sorted(kwargs)!r}: {exc}") from None
    return factory(**kwargs)


__all__ = ["ANSWERERS", "REFUSAL_TEXT", "Answerer", "ExtractiveAnswerer", "get_answerer", "refusal"]
