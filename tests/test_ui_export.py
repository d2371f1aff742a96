"""Export from the chat, in a real browser: the conversation (or its last answer) as Markdown (answer,
numbered sources with title, date, link and quote) and as JSON (the `rag ask --json` objects with their
questions)."""
import json

import pytest

from ui_support import KNIVES, KNIVES_DATE, KNIVES_ID, build_pipeline, chromium_page, require_chromium, screenshot, serving


@pytest.fixture(scope="module", autouse=True)
def browser_available():
    require_chromium()


def download(page, button: str, name: str) -> str:
    """Click an export button and fetch the file it offers once the link is the new file ``name``."""
    link = page.locator("#rag-export-file a[href]").first
    before = link.get_attribute("href") if link.count() else None
    page.click(button)
    page.wait_for_function("([before, name]) => { const a = document.querySelector('#rag-export-file a[href]');"
                           " return !!a && a.getAttribute('href') !== before && a.getAttribute('href').endsWith(name); }",
                           arg=[before, name], timeout=60_000)
    href = link.get_attribute("href")
    return page.request.get(href if href.startswith("http") else page.url.rstrip("/") + "/" + href.lstrip("/")).text()


def test_a_conversation_exports_as_markdown_and_json(tmp_path, real_embedder):
    from ui.app import build_app

    pipeline = build_pipeline(tmp_path / "idx", real_embedder)
    with serving(build_app(pipeline, pipeline.settings, tmp_path / "f.jsonl")) as url, chromium_page() as page:
        page.goto(url)
        for n, question in enumerate((KNIVES, "And how many arrests did they make?"), 1):
            page.fill("#rag-question textarea", question)
            page.press("#rag-question textarea", "Enter")
            page.wait_for_selector(f"#rag-chat a[href='#source-{n}-1']", timeout=120_000)
        md = download(page, "#rag-export-md", "press-rag-conversation.md")
        assert md.startswith("# press-rag conversation\n\n## How many knives were seized in Luton parks?\n")
        assert "10 knives" in md and "## And how many arrests did they make?" in md
        assert f"({KNIVES_DATE}), release `{KNIVES_ID}`, chars " in md and "\n   > " in md
        screenshot(page, "chat_export")
        data = json.loads(download(page, "#rag-export-json", "press-rag-conversation.json"))
        assert [d["question"] for d in data] == [KNIVES, "And how many arrests did they make?"]
        first = data[0]["citations"][0]
        assert first["release_id"] == KNIVES_ID and first["quote"] in md and data[0]["refused"] is False
        page.locator("#rag-export-which label", has_text="last answer").click()  # one answer
        one = download(page, "#rag-export-md", "press-rag-answer.md")
        assert "## And how many arrests did they make?" in one and "## How many knives" not in one
