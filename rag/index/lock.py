"""One writer per index: an advisory lock on ``INDEX_DIR/LOCK`` held while an index is written.

The file records the holder (pid, host, start time) so a second writer can say who it waits
for. The lock itself is ``flock``: the kernel drops it when the holding process ends, however it
ends (``kill -9`` included), so a lock left by a dead process is simply taken over; the stale
pid in the file is overwritten. Readers never take it: they read whole committed generations.
"""
from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from ..errors import IndexBusy

LOCK = "LOCK"


def holder(index_dir: str | Path) -> dict:
    """What the lock file says about its last holder ({} when unreadable or empty)."""
    try:
        data = json.loads((Path(index_dir) / LOCK).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def describe(info: dict) -> str:
    if not info.get("pid"):
        return "another process"
    return f"pid {info['pid']} on {info.get('host', '?')} (since {info.get('started', '?')})"


class WriteLock:
    """``with WriteLock(index_dir):`` -- wait for (or, with ``wait=False``, refuse) another
    writer of the same index. ``on_wait`` is told, once, who holds it."""

    def __init__(self, index_dir: str | Path, *, wait: bool = True, on_wait: Callable[[str], None] | None = None):
        self.dir = Path(index_dir)
        self.wait = wait
        self.on_wait = on_wait
        self._fh = None

    def __enter__(self) -> "WriteLock":
        self.dir.mkdir(parents=True, exist_ok=True)
        fh = open(self.dir / LOCK, "a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            who = describe(holder(self.dir))
            if not self.wait:
                fh.close()
                raise IndexBusy(f"index {self.dir} is being written by {who}; try again when it has finished") from None
            if self.on_wait is not None:
                self.on_wait(f"index {self.dir} is being written by {who}: waiting for it to finish")
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                             "started": datetime.now(timezone.utc).isoformat(timespec="seconds")}))
        fh.flush()
        self._fh = fh
        return self

    def __exit__(self, *exc) -> None:
        fh, self._fh = self._fh, None
        if fh is not None:
            fh.seek(0)
            fh.truncate()
            fh.flush()
            fcntl.flock(fh, fcntl.LOCK_UN)
            fh.close()
