"""A model server that does not answer: the chat counts its first-token deadline down, live, then
the extractive answer arrives. Real Gradio server, Debian Chromium, a fake OpenAI server on loopback
that sends headers and keep-alives and never a token (tests/fake_openai_server.py, mode "hang"). No
like/dislike under the message while it is being written; both once the answer is there."""
import re
import time

import pytest

from rag.config import OpenAIConfig
from ui_support import build_pipeline, chromium_page, require_chromium, screenshot, serving

FIRST_TOKEN_S = 6


@pytest.fixture(scope="module", autouse=True)
def browser_available():
    require_chromium()


def test_the_first_token_deadline_counts_down_then_the_fallback_answers(tmp_path, real_embedder, llm_server):
    from ui.app import build_app

    openai = OpenAIConfig(base_url=llm_server.base_url, model="fake", first_token_timeout_s=FIRST_TOKEN_S,
                          timeout_s=20)
    pipeline = build_pipeline(tmp_path / "idx", real_embedder, openai=openai, answerer="openai")
    llm_server.mode, delay = "hang", llm_server.delay
    llm_server.delay = 60  # it would hold the request a minute: the client gives up at the deadline
    try:
        with serving(build_app(pipeline, pipeline.settings, tmp_path / "f.jsonl")) as url, chromium_page() as page:
            page.goto(url)
            page.fill("#rag-question textarea", "How many knives were seized in Luton parks?")
            page.press("#rag-question textarea", "Enter")
            countdown = page.locator("#rag-chat .rag-countdown")
            countdown.wait_for(timeout=60_000)
            message = page.locator("#rag-chat [data-testid='bot']").nth(0).inner_text()
            assert f"first words due within {FIRST_TOKEN_S} s, the whole answer within 20 s" in message
            like = page.locator("#rag-chat button[aria-label='Like']")
            assert like.count() == 1 and not like.is_visible()  # no like/dislike under an answer being written
            first = int(re.search(r"(\d+) s left", countdown.inner_text()).group(1))
            screenshot(page, "chat_countdown")
            time.sleep(2.2)
            later = countdown.inner_text()
            if "s left" in later:  # still waiting: it went down
                assert int(re.search(r"(\d+) s left", later).group(1)) < first <= FIRST_TOKEN_S
            page.wait_for_selector("#rag-chat [data-testid='bot'] :text('extractive (fallback from openai')",
                                   timeout=60_000)
            final = page.locator("#rag-chat [data-testid='bot']").nth(0).inner_text()
            assert "10 knives" in final and "s left" not in final
            assert like.is_visible() and page.locator("#rag-chat button[aria-label='Dislike']").is_visible()
    finally:
        llm_server.mode, llm_server.delay = "sse", delay
