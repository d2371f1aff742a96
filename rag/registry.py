"""Backends registered by name: one helper for every seam (answerers, embedders, rerankers,
retriever presets, vector indexes).

``registry.get(name, **options)`` builds one. An unknown name is a ``ConfigError`` that lists
the valid names; options the factory does not take are a ``ConfigError`` naming them, before
anything is built. Tests register their fakes here too (``registered``), so a fake goes
through exactly the path a real backend does.
"""
from __future__ import annotations

import inspect
from contextlib import contextmanager
from typing import Callable, Generic, Iterator, TypeVar

from .errors import ConfigError

T = TypeVar("T")


class Registry(Generic[T]):
    """Factories by name for one kind of backend (``kind`` names it in errors)."""

    def __init__(self, kind: str, *, also: tuple[str, ...] = ()):
        self.kind = kind
        self.also = also  # names handled before the registry (e.g. "none"), listed in errors first
        self._factories: dict[str, Callable[..., T]] = {}

    def register(self, name: str, factory: Callable[..., T] | None = None):
        """Register ``factory`` as ``name`` (usable as a decorator); a name is registered once."""
        def add(f: Callable[..., T]) -> Callable[..., T]:
            if name in self._factories:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._factories[name] = f
            return f

        return add(factory) if factory is not None else add

    def unregister(self, name: str) -> None:
        self._factories.pop(name, None)

    def names(self) -> list[str]:
        return sorted(self._factories)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._factories

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._factories)

    def factory(self, name: str) -> Callable[..., T]:
        """The factory registered as ``name``; ConfigError listing the valid names otherwise."""
        if name not in self:
            choices = ", ".join([*self.also, *self.names()])
            raise ConfigError(f"unknown {self.kind} {name!r}; choose one of: {choices}")
        return self._factories[name]

    def check(self, name: str, **options) -> Callable[..., T]:
        """The factory, once it is known to take ``options``."""
        factory = self.factory(name)
        try:
            inspect.signature(factory).bind(**options)
        except TypeError as exc:
            raise ConfigError(f"{self.kind} {name!r} does not take these options {sorted(options)!r}: {exc}") from None
        return factory

    def get(self, name: str, **options) -> T:
        """Build the backend registered as ``name`` with ``options``."""
        return self.check(name, **options)(**options)


@contextmanager
def registered(registry: Registry[T], name: str, factory: Callable[..., T]) -> Iterator[Registry[T]]:
    """``factory`` registered as ``name`` for the duration of the block (tests' fakes)."""
    registry.register(name, factory)
    try:
        yield registry
    finally:
        registry.unregister(name)
