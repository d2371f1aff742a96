"""Upload in the chat, in a real browser: files dropped on the "Add releases" tab are indexed
beside the bundled corpus and answered from, with their own titles and dates; a file that cannot
be read is named with its reason. Real MiniLM model, real Gradio server, Debian Chromium."""
import pytest

from ui_support import build_pipeline, chromium_page, require_chromium, screenshot, serving

BRIDGE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Mill Green footbridge to close for repairs | Millbrook Borough Council</title>
<link rel="canonical" href="https://www.millbrook.example.gov.uk/news/mill-green-footbridge">
<meta property="article:published_time" content="2025-03-14T10:00:00+00:00">
<script>var _paq = window._paq = []; _paq.push(['trackPageView']);</script>
</head><body>
<nav><a href="/">Home</a> <a href="/bins">Bins and recycling</a> <a href="/council-tax">Council tax</a></nav>
<div id="cookies">We use cookies to make this site work. Accept all cookies</div>
<main><article><h1>Mill Green footbridge to close for repairs</h1>
<p>Published 14 March 2025</p>
<p>The Mill Green footbridge will close for six weeks from 7 April while repairs costing &pound;48,500 are
carried out, Millbrook Borough Council said.</p>
<p>Councillor Priya Shah said: &ldquo;We know how much residents rely on the bridge and we will reopen it
as quickly as we safely can.&rdquo;</p>
<p>A signed diversion via Station Road will be in place while the bridge is closed.</p>
</article></main>
<footer>&copy; Millbrook Borough Council 2025 &middot; Privacy &middot; Accessibility statement</footer>
</body></html>"""
FRONT_MATTER = """---
title: Library hours extended in Millbrook
date: 2025-02-03
---
Millbrook Central Library will open until 8pm on weekdays from 1 March, the council said. The later
opening follows a consultation in which 1,240 residents took part.
"""


@pytest.fixture(scope="module", autouse=True)
def browser_available():
    require_chromium()


@pytest.fixture(scope="module")
def server(tmp_path_factory, real_embedder):
    from ui.app import build_app

    pipeline = build_pipeline(tmp_path_factory.mktemp("upload-idx"), real_embedder)
    with serving(build_app(pipeline, pipeline.settings, tmp_path_factory.mktemp("fb") / "f.jsonl",
                           allow_upload=True)) as url:
        yield url, pipeline


def test_files_dropped_on_the_page_are_indexed_and_answered_with_their_titles_and_dates(server, tmp_path):
    url, pipeline = server
    files = tmp_path / "drop"
    files.mkdir()
    (files / "footbridge.html").write_text(BRIDGE_HTML, encoding="utf-8")
    (files / "library.md").write_text(FRONT_MATTER, encoding="utf-8")
    (files / "minutes.pdf").write_bytes(b"%PDF-1.4 minutes of the meeting")
    before = pipeline.index.store.count("releases")

    with chromium_page() as page:
        page.goto(url)
        page.get_by_role("tab", name="Add releases").click()
        page.set_input_files("#rag-upload input[type=file]", [str(p) for p in sorted(files.iterdir())])
        page.wait_for_selector("#rag-upload-report", timeout=120_000)
        report = page.locator("#rag-upload-report").inner_text()
        assert "Added 2, updated 0" in report and f"holds {before + 2} releases" in report
        assert "Mill Green footbridge to close for repairs 2025-03-14 · footbridge.html" in report
        assert "Library hours extended in Millbrook" in report and "2025-02-03" in report
        assert "minutes.pdf: unsupported file type .pdf" in report
        assert f"Index: {before + 2} releases" in page.locator("#rag-heading").inner_text()
        screenshot(page, "chat_upload")

        page.get_by_role("tab", name="Chat").click()
        page.fill("#rag-question textarea", "How much will the Mill Green footbridge repairs cost?")
        page.press("#rag-question textarea", "Enter")
        page.wait_for_selector("#rag-chat a[href='#source-1-1']", timeout=120_000)
        answer = page.locator("#rag-chat [data-testid='bot']").nth(0).inner_text()
        assert "£48,500" in answer
        panel = page.locator("#rag-sources-panel").inner_text()
        assert "Mill Green footbridge to close for repairs" in panel and "2025-03-14" in panel
        for junk in ("Accept all cookies", "_paq", "Council tax"):
            assert junk not in panel
    bridge = pipeline.index.release("footbridge.html")
    assert bridge.url == "https://www.millbrook.example.gov.uk/news/mill-green-footbridge"
    assert "“We know how much residents rely on the bridge" in bridge.body


def test_uploads_are_refused_when_the_page_does_not_offer_them(tmp_path, real_embedder):
    import httpx

    from ui.app import build_app

    pipeline = build_pipeline(tmp_path / "idx", real_embedder)
    with serving(build_app(pipeline, pipeline.settings, tmp_path / "f.jsonl")) as url:
        r = httpx.post(url + "gradio_api/upload", files={"files": ("a.txt", b"date 2024-01-01 x")})
        assert r.status_code == 403
