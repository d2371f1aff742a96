"""JSON Lines files of objects (eval questions, chat feedback): one reader, errors naming file:line."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from .errors import ConfigError


def read_objects(path: str | Path, what: str) -> Iterator[tuple[str, dict]]:
    """(``"file:line"``, object) for every non-blank line; ConfigError names the file (as ``what``)
    when it is missing or not UTF-8, and the line when it is not a JSON object."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{what} {path} is not UTF-8 text: {exc}") from None
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{no}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise ConfigError(f"{where}: each line must be a JSON object")
        yield where, row
