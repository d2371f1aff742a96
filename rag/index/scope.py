"""Which releases a build may change: those from the roots (or synced feeds) it was given.

A release's ``path`` says where it came from: a file under a corpus root (``ROOT/…``, or
``FILE.jsonl:LINE``), or a URL for a synced page. ``rag index ROOT`` updates and removes only the
releases under ``ROOT``; the others are kept (and said so) unless the caller asks to replace them.
"""
from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

Scope = Callable[[str], bool]


def is_url(path: str) -> bool:
    return path.startswith(("http://", "https://"))


def root_forms(roots: Sequence[str | Path]) -> tuple[str, ...]:
    """Each root as written absolute and as resolved (a release path may hold either)."""
    forms: list[str] = []
    for root in roots:
        for form in (os.path.abspath(os.path.expanduser(os.fspath(root))), os.path.realpath(root)):
            if form not in forms:
                forms.append(form)
    return tuple(forms)


def under(path: str, forms: Sequence[str]) -> bool:
    """Whether a release path lies under one of the roots (a folder, or a single file / .jsonl)."""
    if is_url(path):
        return False
    for root in forms:
        if path == root or path.startswith((root.rstrip(os.sep) + os.sep, root + ":")):
            return True
    return False


def roots_scope(roots: Sequence[str | Path]) -> Scope:
    forms = root_forms(roots)
    return lambda path: under(path, forms)


def urls_scope(path: str) -> bool:
    """The synced pages (every release whose path is a URL)."""
    return is_url(path)


def origin_of(path: str, known: Iterable[str]) -> str:
    """Where a release came from, for messages: the recorded root it lies under, the site of a URL,
    else the folder of its file."""
    if is_url(path):
        parts = urlsplit(path)
        return f"{parts.scheme}://{parts.netloc}"
    best = ""
    for root in known:
        if not is_url(root) and under(path, (root,)) and len(root) > len(best):
            best = root
    return best or os.path.dirname(path.rsplit(":", 1)[0] if path.endswith(tuple("0123456789")) else path)


def by_origin(paths: Iterable[str], known: Iterable[str]) -> dict[str, int]:
    """How many of ``paths`` come from each origin, most first."""
    known = list(known)
    return dict(Counter(origin_of(p, known) for p in paths).most_common())
