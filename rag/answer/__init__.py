"""Answerers: question + retrieved hits -> Answer with citations, or a refusal.

Registered by name in ``ANSWERERS``; ``get_answerer(name, embedder=..., settings=...)`` builds
one. Every factory takes the embedder and the settings tree, and reads its own branch.
"""
from __future__ import annotations

from ..registry import Registry
from .base import REFUSAL_TEXT, Answerer, AnswererBase, Rewrite, refusal
from .extractive import ExtractiveAnswerer
from .llm import local_answerer, openai_answerer


def extractive_answerer(embedder=None, settings=None, **overrides) -> ExtractiveAnswerer:
    """``extractive``: quotes the best sentences (``settings.extractive``; ``overrides`` of its fields)."""
    return ExtractiveAnswerer(embedder, settings.extractive if settings is not None else None, **overrides)


ANSWERERS: Registry[Answerer] = Registry("answerer")
ANSWERERS.register("extractive", extractive_answerer)
ANSWERERS.register("local", local_answerer)      # llama.cpp in-process, the bundled GGUF by default
ANSWERERS.register("openai", openai_answerer)    # any OpenAI-compatible server (settings.openai)


def get_answerer(name: str, **options) -> Answerer:
    """Build the answerer registered as ``name`` with ``options``."""
    return ANSWERERS.get(name, **options)


__all__ = ["ANSWERERS", "REFUSAL_TEXT", "Answerer", "AnswererBase", "ExtractiveAnswerer", "Rewrite",
           "get_answerer", "refusal"]
