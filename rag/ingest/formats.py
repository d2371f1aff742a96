"""Parsers for the structured formats: front matter, dated text, JSON Lines.

Each parser is a pure function from text to fields, raising
:class:`~rag.ingest.common.Skip` with a readable reason when the input cannot be
used.  Scraped web pages (the unstructured case) are handled by
:mod:`rag.ingest.pages`, because they need what was learned from their group.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import yaml

from .common import Skip, clean_title, derive_title, squash, tidy_body
from .dates import parse_date_value
from .files import decode

try:  # the C loader is much faster; fall back silently where it is missing
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

FENCE_OPEN = re.compile(r"^```\s*ya?ml\s*$", re.IGNORECASE)
FENCE_CLOSE = re.compile(r"^```\s*$")
DASH_OPEN = re.compile(r"^---\s*$")
DASH_CLOSE = re.compile(r"^(?:---|\.\.\.)\s*$")
DATE_MARKER = re.compile(r"^[ \t]*date[ \t]+(\d{4}-\d{1,2}-\d{1,2})(?![\d-])[ \t]*", re.IGNORECASE)
_BOLD_PARA = re.compile(r"^\*\*(?P<inner>(?:(?!\*\*).)+?)\s*\*\*$", re.DOTALL)
_PARAS = re.compile(r"\n[ \t]*\n")
REQUIRED_JSONL = ("id", "title", "body")


@dataclass(frozen=True)
class Fields:
    """What a structured format yields (id, path and defaults are added by the caller)."""

    title: str
    date: str | None
    url: str | None
    body: str
    source: str | None = None


def kind_of(text: str) -> str:
    """``"yaml-fence"``, ``"front-matter"``, ``"dated"`` or ``"page"``."""
    head = text.lstrip("\n")
    first = head.split("\n", 1)[0]
    if FENCE_OPEN.match(first.strip()):
        return "yaml-fence"
    if DASH_OPEN.match(first):
        return "front-matter"
    if DATE_MARKER.match(first):
        return "dated"
    return "page"


# --------------------------------------------------------------------------- front matter
def split_front_matter(text: str) -> tuple[str, str, int]:
    """``(yaml_text, body, first_yaml_line_number)`` for either fence style."""
    lead = len(text) - len(text.lstrip("\n"))
    lines = text[lead:].split("\n")
    opening = lines[0].strip()
    close = FENCE_CLOSE if FENCE_OPEN.match(opening) else DASH_CLOSE
    for i in range(1, len(lines)):
        if close.match(lines[i]):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), lead + 2
    fence = "```" if close is FENCE_CLOSE else "---"
    raise Skip(f"broken YAML front matter: no closing {fence} line")


def load_yaml(block: str, first_line: int) -> dict:
    try:
        meta = yaml.load(block, Loader=_Loader)  # a safe loader (CSafeLoader or SafeLoader)
    except yaml.MarkedYAMLError as exc:
        where = f" (line {first_line + exc.problem_mark.line})" if exc.problem_mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise Skip(f"broken YAML front matter: {problem}{where}") from None
    except yaml.YAMLError as exc:
        first = str(exc).strip().split("\n", 1)[0]
        raise Skip(f"broken YAML front matter: {first}") from None
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise Skip(f"broken YAML front matter: expected a mapping, got {type(meta).__name__}")
    return meta


def _get(meta: Mapping, *paths: str) -> object:
    """First present value among dotted paths ("publish.date") or flat keys ("og:title")."""
    for path in paths:
        if path in meta:
            return meta[path]
        node: object = meta
        for part in re.split(r"[.:]", path):
            node = node.get(part) if isinstance(node, Mapping) else None
        if node is not None:
            return node
    return None


def _text(value: object) -> str | None:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        value = squash(str(value))
        return value or None
    return None


def unbold(body: str) -> str:
    """Remove ``**`` around whole paragraphs when that is all the markup they carry."""
    paras = _PARAS.split(body)
    out = []
    for para in paras:
        m = _BOLD_PARA.match(para.strip())
        out.append(m.group("inner").strip() if m else para)
    return "\n\n".join(out)


def parse_front_matter(text: str) -> tuple[Fields, dict]:
    """Markdown with YAML front matter (```` ```yaml ```` fence or ``---``)."""
    block, rest, first_line = split_front_matter(text)
    meta = load_yaml(block, first_line)
    body = tidy_body(unbold(rest.strip("\n")).split("\n"))
    if not body:
        body = _text(_get(meta, "og.description", "description", "summary")) or ""
    if not body:
        raise Skip("no body text after the front matter")
    title = _text(_get(meta, "title", "og.title")) or derive_title(body)
    date = parse_date_value(_get(meta, "publish.date", "date", "published", "pubdate", "og.published_time"))
    url = _text(_get(meta, "url", "og.url", "canonical"))
    area = _text(_get(meta, "area", "source"))
    return Fields(clean_title(title), date, url, body, area), meta


# --------------------------------------------------------------------------- dated text
def parse_dated(text: str) -> Fields:
    """`` date YYYY-MM-DD Body...`` - the body starts on the marker line; no title."""
    text = text.lstrip("\n")
    m = DATE_MARKER.match(text)
    if not m:  # pragma: no cover - kind_of() checked it
        raise Skip("missing date marker")
    body = tidy_body(text[m.end():].split("\n"))
    if not body:
        raise Skip("no body text after the date marker")
    return Fields(derive_title(body), parse_date_value(m.group(1)), None, body)


# --------------------------------------------------------------------------- JSON Lines
@dataclass(frozen=True)
class Record:
    lineno: int
    id: str
    fields: Fields


def parse_jsonl(data: bytes) -> Iterator[Record | tuple[int, str]]:
    """One :class:`Record` per good line, ``(lineno, reason)`` per bad one.

    Blank lines are ignored.  Required: ``id``, ``title``, ``body`` (non-empty);
    optional: ``date`` (any common form), ``url``, ``source``.
    """
    offset = 0
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        start, offset = offset, offset + len(raw) + 1
        if not raw.strip():
            continue
        try:
            line = decode(raw, offset=start)
            obj = json.loads(line)
        except Skip as exc:
            yield lineno, f"line {lineno}: {exc}"
            continue
        except json.JSONDecodeError as exc:
            yield lineno, f"line {lineno}: invalid JSON ({exc.msg} at column {exc.colno})"
            continue
        if not isinstance(obj, dict):
            yield lineno, f"line {lineno}: expected a JSON object, got {type(obj).__name__}"
            continue
        problem = _record_problem(obj)
        if problem:
            yield lineno, f"line {lineno}: {problem}"
            continue
        body = tidy_body(str(obj["body"]).replace("\r\n", "\n").split("\n"))
        fields = Fields(
            title=clean_title(str(obj["title"])),
            date=parse_date_value(obj.get("date")),
            url=_text(obj.get("url")),
            body=body,
            source=_text(obj.get("source")),
        )
        yield Record(lineno, str(obj["id"]).strip(), fields)


def _record_problem(obj: dict) -> str | None:
    for name in REQUIRED_JSONL:
        value = obj.get(name)
        if value is None:
            return f"missing required field {name!r}"
        allowed = (str, int) if name == "id" else (str,)
        if isinstance(value, bool) or not isinstance(value, allowed):
            return f"field {name!r} must be a string, got {type(value).__name__}"
        if not str(value).strip():
            return f"required field {name!r} is empty"
    return None
