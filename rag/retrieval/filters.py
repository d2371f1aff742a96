"""Caller filters (date range, source, release id) and the as-of date for time words."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..errors import ConfigError


def _date(name: str, value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{name} must be an ISO date (YYYY-MM-DD), got {value!r}") from None


@dataclass(frozen=True)
class Filters:
    """Hard filters set by the caller, plus ``as_of``: the day "today" means in a question."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sources: tuple[str, ...] = ()
    release_ids: tuple[str, ...] = ()
    as_of: dt.date | None = None

    def __post_init__(self):
        for name in ("date_from", "date_to", "as_of"):
            object.__setattr__(self, name, _date(name, getattr(self, name)))
        for name in ("sources", "release_ids"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, tuple(v for v in (value or ()) if v))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ConfigError(f"date_from {self.date_from} is after date_to {self.date_to}")

    @property
    def restricts(self) -> bool:
        return bool(self.date_from or self.date_to or self.sources or self.release_ids)


NO_FILTERS = Filters()


def _latest(*days: dt.date | None) -> str | None:
    given = [d for d in days if d]
    return max(given).isoformat() if given else None


def _earliest(*days: dt.date | None) -> str | None:
    given = [d for d in days if d]
    return min(given).isoformat() if given else None


def allowed_chunk_ids(store, filters: Filters, window_from=None, window_to=None) -> list[int] | None:
    """Chunk ids that pass the filters (and a date window), or None for "all".

    Undated releases fall outside any date range or window: measured, letting them
    into the question's time window lifted undated listing pages ("Press Releases
    2022") above the releases a "last week" question wants.
    """
    return store.chunk_ids_where(date_from=_latest(filters.date_from, window_from),
                                 date_to=_earliest(filters.date_to, window_to),
                                 sources=filters.sources, release_ids=filters.release_ids)
