"""A real newsroom web site on 127.0.0.1 for the ``rag sync`` tests: an RSS feed, an Atom feed, a
sitemap index with two sitemaps, release pages made from real releases, and pages that fail in
every way the sync must survive. Every request is counted (path, method, conditional headers).
"""
from __future__ import annotations

import hashlib
import html
import threading
import time
from collections import Counter
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROBOTS = "User-agent: *\nDisallow: /private/\n"


@dataclass
class Page:
    title: str
    date: str  # YYYY-MM-DD
    body: str
    modified: float = 1_700_000_000.0

    def render(self, path: str) -> str:
        paras = "".join(f"<p>{html.escape(p)}</p>\n" for p in self.body.split("\n") if p.strip())
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{html.escape(self.title)} | Loopback County Newsroom</title>
<link rel="canonical" href="{{base}}{path}">
<meta property="article:published_time" content="{self.date}T09:00:00+00:00">
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
</head><body>
<header><nav><a href="/">Home</a> <a href="/news">Newsroom</a> <a href="/contact">Contact us</a></nav></header>
<div class="cookie-banner">We use cookies on this site. Accept all cookies</div>
<main><article>
<h1>{html.escape(self.title)}</h1>
<time datetime="{self.date}">{self.date}</time>
{paras}</article></main>
<footer>Loopback County Newsroom &copy; 2025. All rights reserved. Privacy notice.</footer>
</body></html>"""


class Site:
    """``pages``: path -> :class:`Page` (the feed lists them); change it between syncs."""

    def __init__(self, pages: dict[str, Page]):
        self.pages = dict(pages)
        self.requests: list[tuple[str, str, bool]] = []  # (method, path, conditional)
        self.extra_feed_items: list[str] = []  # paths listed in the feed beside the pages
        self.feed_changed = 0  # bump to make the feeds' validators change
        self.trickle_s = 3.0
        self.broken: set[str] = set()  # paths answered 500 for now
        self._server = None
        self._lock = threading.Lock()

    # ---- serving ---------------------------------------------------------------------------------
    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "Site":
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def handle(self):  # a client that hangs up (a cut-off download) is no error here
                try:
                    super().handle()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self):  # noqa: N802
                conditional = bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"))
                with site._lock:
                    site.requests.append(("GET", self.path, conditional))
                try:
                    site.route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def counts(self) -> Counter:
        with self._lock:
            return Counter(path for _, path, _ in self.requests)

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()

    # ---- routes ----------------------------------------------------------------------------------
    def route(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path.split("?", 1)[0]
        if path in self.broken:
            return self.send(h, 500, "<h1>Internal Server Error</h1>", "text/html")
        if path == "/robots.txt":
            return self.send(h, 200, ROBOTS, "text/plain")
        if path == "/feed.xml":
            return self.send_cached(h, self.rss(), "application/rss+xml", self.feed_changed)
        if path == "/atom.xml":
            return self.send_cached(h, self.atom(), "application/atom+xml", self.feed_changed)
        if path == "/sitemap_index.xml":
            return self.send_cached(h, self.sitemap_index(), "application/xml", self.feed_changed)
        if path.startswith("/sitemap-") and path.endswith(".xml"):
            return self.send_cached(h, self.sitemap(int(path[9:-4])), "application/xml", self.feed_changed)
        if path in self.pages:
            page = self.pages[path]
            return self.send_cached(h, page.render(path).replace("{base}", self.base), "text/html; charset=utf-8",
                                    page.modified)
        if path == "/news/broken.html":
            return self.send(h, 500, "<h1>Internal Server Error</h1>", "text/html")
        if path == "/news/slow.html":
            return self.trickle(h)
        if path == "/loop/a":
            return self.redirect(h, "/loop/b")
        if path == "/loop/b":
            return self.redirect(h, "/loop/a")
        if path == "/files/annual-report.pdf":
            return self.send(h, 200, "%PDF-1.4 not a page", "application/pdf")
        if path == "/news/huge.html":
            return self.huge(h)
        return self.send(h, 404, "<h1>Not found</h1>", "text/html")

    def send(self, h, status: int, text: str, ctype: str, headers: dict | None = None) -> None:
        data = text.encode("utf-8")
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def send_cached(self, h, text: str, ctype: str, version: float) -> None:
        etag = '"' + hashlib.sha1(text.encode()).hexdigest()[:16] + '"'
        modified = formatdate(1_700_000_000 + float(version), usegmt=True)
        if h.headers.get("If-None-Match") == etag:
            h.send_response(304)
            h.send_header("ETag", etag)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        self.send(h, 200, text, ctype, {"ETag": etag, "Last-Modified": modified})

    def redirect(self, h, to: str) -> None:
        h.send_response(302)
        h.send_header("Location", to)
        h.send_header("Content-Length", "0")
        h.end_headers()

    def trickle(self, h) -> None:
        """A byte a second, far longer than the client's deadline."""
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", "100000")
        h.end_headers()
        end = time.monotonic() + self.trickle_s * 4
        while time.monotonic() < end:
            h.wfile.write(b"<")
            h.wfile.flush()
            time.sleep(0.25)

    def huge(self, h) -> None:
        """50 MB of HTML, sent without a Content-Length (the client must count and cut it off)."""
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Connection", "close")
        h.end_headers()
        block = b"<p>" + b"padding " * 8000 + b"</p>\n"
        sent = 0
        while sent < 50 * 2**20:
            h.wfile.write(block)
            sent += len(block)

    # ---- listings --------------------------------------------------------------------------------
    def listed(self) -> list[str]:
        return [*self.pages, *self.extra_feed_items]

    def rss(self) -> str:
        items = []
        for path in self.listed():
            page = self.pages.get(path)
            title = html.escape(page.title) if page else "Other item"
            when = formatdate(page.modified if page else 1_700_000_000, usegmt=True)
            items.append(f"<item><title>{title}</title><link>{self.base}{path}</link>"
                         f"<guid>{self.base}{path}</guid><pubDate>{when}</pubDate></item>")
        return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Loopback County '
                f'Newsroom</title><link>{self.base}/</link><description>News</description>'
                + "".join(items) + "</channel></rss>")

    def atom(self) -> str:
        entries = "".join(
            f'<entry><title>{html.escape(p.title)}</title><link href="{self.base}{path}"/><id>{self.base}{path}</id>'
            f'<updated>{time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(p.modified))}</updated></entry>'
            for path, p in self.pages.items())
        return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                f'<title>Loopback County</title><id>{self.base}/atom.xml</id><updated>2025-01-01T00:00:00Z</updated>'
                + entries + "</feed>")

    def sitemap_index(self) -> str:
        maps = "".join(f"<sitemap><loc>{self.base}/sitemap-{i}.xml</loc>"
                       f"<lastmod>{self._half_lastmod(i)}</lastmod></sitemap>" for i in (1, 2))
        return ('<?xml version="1.0" encoding="UTF-8"?>'
                f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>')

    def _halves(self) -> list[list[str]]:
        paths = self.listed()
        return [paths[: len(paths) // 2], paths[len(paths) // 2:]]

    def _half_lastmod(self, i: int) -> str:
        newest = max((self.pages[p].modified for p in self._halves()[i - 1] if p in self.pages), default=0)
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(newest))

    def sitemap(self, i: int) -> str:
        urls = "".join(
            f"<url><loc>{self.base}{p}</loc>"
            + (f"<lastmod>{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(self.pages[p].modified))}</lastmod>"
               if p in self.pages else "") + "</url>"
            for p in self._halves()[i - 1])
        return ('<?xml version="1.0" encoding="UTF-8"?>'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')


FAULTS = ["/news/gone.html", "/news/broken.html", "/news/slow.html", "/loop/a", "/files/annual-report.pdf",
          "/news/huge.html", "/private/internal.html"]
