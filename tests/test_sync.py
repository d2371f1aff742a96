"""``rag sync`` against a real web site on 127.0.0.1 (tests/sync_site.py): feeds, sitemaps, pages
made from real releases, and every fault the sync must report and survive."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BUNDLED, PROSECUTORS
from sync_site import FAULTS, Page, Site

from rag.config import SyncConfig
from rag.index import Index
from rag.ingest import load_corpus
from rag.pipeline import sync_feeds
from rag.settings import Settings
from rag.sync.http import PoliteClient

FAST = SyncConfig(delay_s=0.0, timeout_s=1.5, retries=1, backoff_s=0.0, max_page_bytes=1_000_000)
REASONS = {
    "/news/gone.html": r"^HTTP 404$",
    "/news/broken.html": r"^HTTP 500 \(after 2 tries\)$",
    "/news/slow.html": r"^timed out after 1.5 s",
    "/loop/a": r"^too many redirects",
    "/files/annual-report.pdf": r"^not an HTML page \(application/pdf\)$",
    "/news/huge.html": r"over 1,000,000 bytes .*cut off",
    "/private/internal.html": r"^disallowed by robots.txt$",
}


def real_pages(n: int = 10) -> dict[str, Page]:
    """Pages made from real releases: the shared corpus when present, else the bundled one."""
    folder = PROSECUTORS / "kings_ny" if (PROSECUTORS / "kings_ny").is_dir() else BUNDLED
    files = sorted(p for p in folder.iterdir() if p.is_file())[: n * 3]
    releases = [r for r in load_corpus(files).releases if r.date and len(r.body) > 400][:n]
    assert len(releases) >= 5
    # these files' titles end in the office's name, cut at 120 characters ("... - The"): a page's
    # headline does not
    return {f"/news/{i:03d}.html": Page(re.sub(r"\s+-\s+The\b.*$", "", r.title), r.date, r.body.replace("\n\n", "\n"))
            for i, r in enumerate(releases)}


def a_sentence(page: Page) -> str:
    """A line of the release's own text (these files hold the office's menus too)."""
    return next(line for line in page.body.split("\n")
                if len(line.split()) >= 12 and line.rstrip().endswith(".") and page.title not in line)


@pytest.fixture
def site():
    s = Site(real_pages()).start()
    s.extra_feed_items = list(FAULTS)
    yield s
    s.stop()


def settings_for(tmp_path: Path) -> Settings:
    return Settings(index_dir=str(tmp_path / "idx"), sync=FAST)


def run(settings, urls, embedder):
    client = PoliteClient(settings.sync, sleep=lambda s: None)
    return sync_feeds(settings, urls, embedder=embedder, client=client), client


def test_a_feed_is_indexed_with_titles_dates_and_urls_and_each_fault_is_reported(site, tmp_path, hash_embedder):
    settings = settings_for(tmp_path)
    report, _ = run(settings, [site.base + "/feed.xml"], hash_embedder)

    assert report.new == len(site.pages) and report.changed == 0
    failed = {url.removeprefix(site.base): reason for url, reason in report.failed}
    assert set(failed) == set(FAULTS)
    for path, pattern in REASONS.items():
        assert re.search(pattern, failed[path]), (path, failed[path])
    idx = Index(settings.index_dir)
    releases = {r.id: r for r in idx.store.releases()}
    assert set(releases) == {site.base + p for p in site.pages}
    for path, page in site.pages.items():
        r = releases[site.base + path]
        assert (r.title, r.date, r.url, r.source) == (page.title, page.date, site.base + path, "127.0.0.1")
        sentence = a_sentence(page)
        assert " ".join(sentence.split()) in " ".join(r.body.split())
        for junk in ("Accept all cookies", "All rights reserved", "dataLayer", "Contact us"):
            assert junk not in r.body


def test_a_second_sync_fetches_only_what_changed_and_keeps_what_left_the_feed(site, tmp_path, hash_embedder):
    settings = settings_for(tmp_path)
    run(settings, [site.base + "/feed.xml"], hash_embedder)

    site.reset_counts()
    report, client = run(settings, [], hash_embedder)  # the feed is remembered
    good = [p for p in site.pages]
    counts = site.counts()
    assert counts["/feed.xml"] == 1 and not any(counts[p] for p in good)  # 304 on the feed, no page again
    assert all(counts[p] >= 1 for p in FAULTS if p != "/private/internal.html")  # failures are retried
    assert report.build is None and report.new == report.changed == 0
    assert client.requests == len(site.requests)

    changed, dropped = good[0], good[1]
    line = a_sentence(site.pages[changed])
    site.pages[changed].body = site.pages[changed].body.replace(line, line + " The defendant is due back in court on 3 March.")
    site.pages[changed].modified += 3600
    site.pages["/news/new.html"] = Page("Officers seize 40 bicycles in Loopback Park", "2025-02-01",
                                       "Officers seized 40 stolen bicycles in Loopback Park on Saturday, "
                                       "police said. Three people were arrested and later released on bail.")
    gone = site.pages.pop(dropped)
    site.feed_changed += 1
    site.reset_counts()
    report, _ = run(settings, [], hash_embedder)
    counts = site.counts()
    assert (report.new, report.changed) == (1, 1)
    assert counts[changed] == 1 and counts["/news/new.html"] == 1
    assert not any(counts[p] for p in good if p != changed)
    releases = {r.id: r for r in Index(settings.index_dir).store.releases()}
    assert "due back in court on 3 March" in releases[site.base + changed].body
    assert releases[site.base + dropped].title == gone.title  # left the feed: still indexed
    assert releases[site.base + "/news/new.html"].date == "2025-02-01"


def test_a_sitemap_index_is_followed_and_an_unchanged_one_costs_one_request(site, tmp_path, hash_embedder):
    settings = settings_for(tmp_path)
    site.extra_feed_items = []
    report, _ = run(settings, [site.base + "/sitemap_index.xml"], hash_embedder)
    assert report.new == len(site.pages) and not report.failed
    assert [what for _, what in report.listings][0] == "sitemap index: 2 sitemaps"

    site.reset_counts()
    report, client = run(settings, [], hash_embedder)
    assert site.counts() == {"/robots.txt": 1, "/sitemap_index.xml": 1}
    assert report.build is None


def test_a_sitemap_that_failed_is_read_again_though_its_index_is_unchanged(site, tmp_path, hash_embedder):
    settings = settings_for(tmp_path)
    site.extra_feed_items = []
    site.broken = {"/sitemap-2.xml"}
    report, _ = run(settings, [site.base + "/sitemap_index.xml"], hash_embedder)
    assert 0 < report.new < len(site.pages) and [u for u, _ in report.failed] == [site.base + "/sitemap-2.xml"]
    site.broken = set()
    site.reset_counts()
    report, _ = run(settings, [], hash_embedder)  # the index answers 304; its failed sitemap is read
    assert site.counts()["/sitemap-2.xml"] == 1 and not report.failed
    assert len(Index(settings.index_dir).store.releases()) == len(site.pages)


def test_an_atom_feed_works_like_rss(site, tmp_path, hash_embedder):
    settings = settings_for(tmp_path)
    report, _ = run(settings, [site.base + "/atom.xml"], hash_embedder)
    assert report.new == len(site.pages) and report.listings[0][1].startswith("atom:")


def test_a_dead_feed_or_a_page_that_is_no_feed_is_reported_and_loses_nothing(site, tmp_path, hash_embedder):
    settings = settings_for(tmp_path)
    run(settings, [site.base + "/feed.xml"], hash_embedder)
    before = Index(settings.index_dir).store.count("releases")
    report, _ = run(settings, [site.base + "/news/000.html", site.base + "/nothing.xml"], hash_embedder)
    reasons = dict(report.failed)
    assert reasons[site.base + "/nothing.xml"] == "HTTP 404"
    assert reasons[site.base + "/news/000.html"].startswith("not an RSS/Atom feed or a sitemap")
    assert Index(settings.index_dir).store.count("releases") == before


def test_sync_refuses_a_path_and_needs_a_url_the_first_time(tmp_path, hash_embedder):
    from rag.errors import ConfigError

    with pytest.raises(ConfigError, match=r"not an http\(s\) URL: 'corpus/'"):
        sync_feeds(settings_for(tmp_path), ["corpus/"], embedder=hash_embedder)
    with pytest.raises(ConfigError, match="no feeds or sitemaps to sync"):
        sync_feeds(settings_for(tmp_path), [], embedder=hash_embedder)


def test_rag_sources_lists_the_feed_with_its_pages_and_failures(site, tmp_path, hash_embedder, monkeypatch):
    from typer.testing import CliRunner

    from rag.cli import app

    settings = settings_for(tmp_path)
    run(settings, [site.base + "/feed.xml"], hash_embedder)
    monkeypatch.setenv("RAG_EMBEDDER", "hash")
    r = CliRunner().invoke(app, ["sources", "--index", settings.index_dir])
    assert r.exit_code == 0, r.output
    line = next(line for line in r.stdout.splitlines() if line.startswith("feed\t"))
    assert line.startswith(f"feed\t{site.base}/feed.xml\t{len(site.pages)} releases\tsynced 20")
    assert f"\t{len(FAULTS)} pages failing (tried again next sync)" in line


def test_kill_9_during_sync_loses_nothing_and_the_next_sync_finishes_the_job(site, tmp_path, hash_embedder):
    """A real `rag sync` process killed at several moments (fetching, reading, indexing): the index
    always loads, holds no half page, and the next sync ends with every page indexed."""
    import os
    import signal
    import subprocess
    import sys
    import time

    site.extra_feed_items = ["/news/gone.html"]
    index = tmp_path / "idx"
    env = dict(os.environ, RAG_EMBEDDER="hash", PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    cmd = [sys.executable, "-c", "import sys; from rag.cli import app; sys.argv[0] = 'rag'; app()",
           "sync", site.base + "/feed.xml", "--index", str(index), "--delay", "0.15"]
    killed = 0
    for wait in (0.8, 1.6, 2.4, 3.2):
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(wait)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
        proc.wait()
        if (index / "CURRENT").exists():
            releases = Index(index).store.releases()  # loads: never half an update
            assert all(r.id.startswith(site.base) and r.body for r in releases)
    assert killed >= 1
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    ids = {r.id for r in Index(index).store.releases()}
    assert ids == {site.base + p for p in site.pages}
