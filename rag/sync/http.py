"""A polite web client for ``rag sync``: robots.txt, a per-host delay, a User-Agent, conditional
GET, an overall deadline per request, retries with backoff, and a cap on what it reads.

It never raises for a server's fault: :class:`FetchError` carries a one-line reason that the sync
report shows ("HTTP 404", "redirect loop", "response over 5,000,000 bytes: cut off").
"""
from __future__ import annotations

import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..config import SyncConfig

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_S = 60.0


class FetchError(Exception):
    """A fetch that did not give a usable response; ``str(exc)`` is the reason."""


@dataclass(frozen=True)
class Fetched:
    url: str                  # where the content came from (after redirects)
    status: int               # 200, or 304 when not modified
    body: bytes = b""
    content_type: str = ""    # the media type, lower case, without parameters
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class PoliteClient:
    """One per sync run. ``sleep`` and ``clock`` are replaceable for tests (no real waiting)."""

    config: SyncConfig = field(default_factory=SyncConfig)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    requests: int = 0                                   # HTTP requests sent, robots.txt included
    _last: dict[str, float] = field(default_factory=dict)
    _robots: dict[str, urllib.robotparser.RobotFileParser | str] = field(default_factory=dict)
    _http: object = None

    def __enter__(self) -> "PoliteClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._http is not None:
            self._http.close()  # type: ignore[attr-defined]
            self._http = None

    def _client(self):
        if self._http is None:
            import httpx

            self._http = httpx.Client(
                follow_redirects=True, max_redirects=self.config.max_redirects,
                timeout=httpx.Timeout(self.config.timeout_s, connect=min(10.0, self.config.timeout_s or 10.0)),
                headers={"User-Agent": self.config.user_agent, "Accept-Encoding": "gzip, deflate"},
                event_hooks={"request": [self._count]})  # every request sent, redirects included
        return self._http

    def _count(self, request) -> None:
        self.requests += 1

    # ---- robots.txt ----------------------------------------------------------------------------
    def allowed(self, url: str) -> None:
        """Raise :class:`FetchError` when the site's robots.txt forbids ``url`` to our User-Agent."""
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        if site not in self._robots:
            self._robots[site] = self._read_robots(site)
        rules = self._robots[site]
        if isinstance(rules, str):
            raise FetchError(rules)
        if not rules.can_fetch(self.config.user_agent, url):
            raise FetchError("disallowed by robots.txt")

    def _read_robots(self, site: str) -> urllib.robotparser.RobotFileParser | str:
        rules = urllib.robotparser.RobotFileParser(site + "/robots.txt")
        try:
            got = self._get(site + "/robots.txt", {}, tries=1)
        except FetchError as exc:
            if str(exc).startswith("HTTP 4"):  # no robots.txt: everything allowed (RFC 9309 2.3.1.3)
                rules.parse([])
                return rules
            return f"robots.txt unreadable ({exc}): the site is left alone this time"
        rules.parse(got.body.decode(got.charset or "utf-8", "replace").splitlines())
        return rules

    # ---- fetching ------------------------------------------------------------------------------
    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET ``url`` (robots.txt checked first); 304 when the validators still hold."""
        if not url.startswith(("http://", "https://")):
            raise FetchError(f"not an http(s) URL: {url!r}")
        self.allowed(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._get(url, headers, tries=1 + self.config.retries)

    def _wait_turn(self, url: str) -> None:
        host = urlsplit(url).netloc
        last = self._last.get(host)
        if last is not None:
            wait = last + self.config.delay_s - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last[host] = self.clock()

    def _get(self, url: str, headers: dict, *, tries: int) -> Fetched:
        reason = ""
        for attempt in range(tries):
            if attempt:
                self.sleep(self._backoff(attempt, reason))
            try:
                return self._once(url, headers)
            except _Retry as exc:
                reason = str(exc)
        raise FetchError(f"{reason} (after {tries} tries)" if tries > 1 else reason)

    def _backoff(self, attempt: int, reason: str) -> float:
        delay = self.config.backoff_s * 2 ** (attempt - 1)
        if reason.startswith("HTTP 429 retry-after "):
            delay = max(delay, min(MAX_RETRY_AFTER_S, float(reason.rsplit(" ", 1)[1])))
        return delay

    def _once(self, url: str, headers: dict) -> Fetched:
        import httpx

        self._wait_turn(url)
        deadline = self.clock() + self.config.timeout_s
        try:
            with self._client().stream("GET", url, headers=headers) as resp:
                if resp.status_code == 304:
                    return Fetched(str(resp.url), 304, etag=resp.headers.get("etag") or headers.get("If-None-Match"),
                                   last_modified=resp.headers.get("last-modified") or headers.get("If-Modified-Since"))
                if resp.status_code in RETRY_STATUS:
                    after = resp.headers.get("retry-after", "")
                    if resp.status_code == 429 and after.isdigit():
                        raise _Retry(f"HTTP 429 retry-after {after}")
                    raise _Retry(f"HTTP {resp.status_code}")
                if resp.status_code >= 400:
                    raise FetchError(f"HTTP {resp.status_code}")
                if resp.status_code != 200:
                    raise FetchError(f"HTTP {resp.status_code} (expected 200)")
                declared = resp.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.config.max_page_bytes:
                    raise FetchError(f"response of {int(declared):,} bytes, over the limit of "
                                     f"{self.config.max_page_bytes:,} (sync.max_page_bytes): not read")
                chunks, size = [], 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > self.config.max_page_bytes:
                        raise FetchError(f"response over {self.config.max_page_bytes:,} bytes "
                                         "(sync.max_page_bytes): cut off")
                    if self.clock() > deadline:
                        raise _Retry(f"timed out after {self.config.timeout_s:g} s (server too slow)")
                    chunks.append(chunk)
                media, _, params = resp.headers.get("content-type", "").partition(";")
                charset = resp.charset_encoding
                return Fetched(str(resp.url), 200, b"".join(chunks), media.strip().lower(), charset,
                               resp.headers.get("etag"), resp.headers.get("last-modified"))
        except httpx.TooManyRedirects:
            raise FetchError(f"too many redirects (more than {self.config.max_redirects}; a redirect loop?)") from None
        except httpx.TimeoutException:
            raise _Retry(f"timed out after {self.config.timeout_s:g} s") from None
        except httpx.TransportError as exc:
            raise _Retry(f"cannot connect: {type(exc).__name__}: {exc}".rstrip(": ")) from None
        except httpx.InvalidURL as exc:
            raise FetchError(f"invalid URL: {exc}") from None


class _Retry(FetchError):
    """A failure worth another try (timeouts, connection errors, 429, 5xx)."""
