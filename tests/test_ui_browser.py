"""The chat UI in a real browser (Debian Chromium driven by Playwright) against a real server.

Real MiniLM model, real index of the bundled corpus; a second tiny index holds a release full of
HTML and script. Screenshots go to artifacts/screenshots/. Without /usr/bin/chromium these tests
fail when CI is set (./install.sh installs it) and are skipped otherwise.
"""
import json
import time

import pytest

from rag.config import OpenAIConfig

from conftest import write_release
from ui_support import (KNIVES, KNIVES_DATE, KNIVES_ID, build_pipeline, chromium_page, require_chromium,
                        screenshot, serving)

PAYLOAD_TITLE = 'Garden open day <img src=x onerror="window.__pwned=1"> at Wardown Park.'
PAYLOAD_SENTENCE = ('Volunteers planted 300 trees <script>window.__pwned=1</script> at the '
                    '<img src=x onerror="window.__pwned=1"> garden open day ${window.__pwned=1} {{constructor}} '
                    '<b>bold</b>.')
# a link-bearing sentence is never quoted as evidence unless a link is asked for (rag.text.injection):
# it shows in the sources panel and the release view, where it must stay inert too
PAYLOAD_LINK = "Photos are at [x](javascript:window.__pwned=1) for everyone."


@pytest.fixture(scope="module", autouse=True)
def browser_available():
    require_chromium()


@pytest.fixture(scope="module")
def feedback_file(tmp_path_factory):
    return tmp_path_factory.mktemp("fb") / "feedback.jsonl"


@pytest.fixture(scope="module")
def server(tmp_path_factory, real_embedder, llm_server, feedback_file):
    from ui.app import build_app

    openai = OpenAIConfig(base_url=llm_server.base_url, model="fake")
    pipeline = build_pipeline(tmp_path_factory.mktemp("ui-idx"), real_embedder, openai=openai)
    with serving(build_app(pipeline, pipeline.settings, feedback_file)) as url:
        yield url


@pytest.fixture(scope="module")
def injection_server(tmp_path_factory, real_embedder):
    from ui.app import build_app

    corpus = tmp_path_factory.mktemp("evil-corpus")
    write_release(corpus, "evil.txt", f"{PAYLOAD_TITLE} {PAYLOAD_SENTENCE} {PAYLOAD_LINK} The council thanked "
                                      "everyone who came along to the park.", "2023-05-02")
    write_release(corpus, "plain.txt", "Library opening hours change in Dunstable from June. The library will "
                                       "open at 9am.", "2023-06-01")
    pipeline = build_pipeline(tmp_path_factory.mktemp("evil-idx"), real_embedder, corpus)
    with serving(build_app(pipeline, pipeline.settings, tmp_path_factory.mktemp("fb2") / "f.jsonl")) as url:
        yield url


@pytest.fixture
def page():
    with chromium_page() as p:
        p.dialogs = []
        p.on("dialog", lambda d: (p.dialogs.append(d.message), d.dismiss()))
        yield p


def open_app(page, url):
    page.goto(url)
    page.wait_for_selector("#rag-question textarea")


def ask(page, question):
    page.fill("#rag-question textarea", question)
    page.press("#rag-question textarea", "Enter")


def bot_messages(page):
    return page.locator("#rag-chat [data-testid='bot']")


def mark_of(page, anchor):
    return page.locator(f"#{anchor} .rag-passage mark")


def test_chat_answer_sources_citation_click_follow_up_and_feedback(page, server, feedback_file):
    open_app(page, server)
    ask(page, KNIVES)
    page.wait_for_selector("#rag-chat a[href='#source-1-1']")
    answer = bot_messages(page).nth(0).inner_text()
    assert "10" in answer and "[1]" in answer and "Answered by extractive" in answer
    panel = page.locator("#rag-sources-panel")
    assert KNIVES_DATE in panel.inner_text() and KNIVES_ID in panel.inner_text()
    screenshot(page, "chat_answer")

    # fold the source, then open it again through its [1]
    page.evaluate("document.getElementById('source-1-1').open = false")
    assert not mark_of(page, "source-1-1").is_visible()
    page.locator("#rag-chat a[href='#source-1-1']").click()
    mark = mark_of(page, "source-1-1")
    mark.wait_for(state="visible")
    assert "10 knives" in mark.inner_text()
    assert "rag-flash" in page.get_attribute("#source-1-1", "class")
    assert page.url.rstrip("/") == server.rstrip("/")  # handled in the page, no navigation
    screenshot(page, "chat_source_opened")

    # a follow-up uses the conversation; the first answer's sources fold away but its [1] still opens them
    ask(page, "And how many arrests did they make?")
    page.wait_for_selector("#rag-chat a[href='#source-2-1']")
    assert "21" in bot_messages(page).nth(1).inner_text()
    assert not mark_of(page, "source-1-1").is_visible()
    page.locator("#rag-chat a[href='#source-1-1']").click()
    mark_of(page, "source-1-1").wait_for(state="visible")
    assert "10 knives" in mark_of(page, "source-1-1").inner_text()

    # thumbs up on the first answer lands in the feedback file
    bot_messages(page).nth(0).hover()
    page.locator("#rag-chat button[aria-label='Like']").first.click()
    page.wait_for_selector("#rag-feedback-status :text('saved to')")
    rows = [json.loads(line) for line in feedback_file.read_text().splitlines()]
    assert rows[-1]["rating"] == "up" and rows[-1]["question"] == KNIVES
    assert rows[-1]["citations"][0]["release_id"] == KNIVES_ID and "10" in rows[-1]["answer"]
    assert page.dialogs == []


def test_sources_show_before_the_streamed_answer_finishes(page, server, llm_server):
    llm_server.mode, llm_server.delay = "trickle", 0.1  # 40 words, 4 s
    open_app(page, server)
    page.click("#rag-answerer input")
    page.locator("[role=option]", has_text="openai").click()
    ask(page, KNIVES)
    page.wait_for_selector("#rag-chat [data-testid='bot'] :text('w3')")
    streaming = bot_messages(page).nth(0).inner_text()
    panel = page.locator("#rag-sources-panel").inner_text()
    assert "Answered by" not in streaming and "w39" not in streaming and "▌" in streaming  # still being written
    assert "Retrieved 5 passages" in panel and KNIVES_DATE in panel and KNIVES_ID in panel
    screenshot(page, "chat_streaming")
    page.wait_for_selector("#rag-chat :text('Answered by')", timeout=60_000)
    final = bot_messages(page).nth(0).inner_text()  # the checked answer replaces the raw stream:
    assert "▌" not in final and "w39" not in final  # uncited words are no answer, so the
    assert "extractive (openai declined)" in final and "Note:" in final and "10 knives" in final  # labelled extractive one


def test_search_tab_finds_and_opens_releases(page, server):
    open_app(page, server)
    page.get_by_role("tab", name="Search").click()
    page.fill("#rag-search-query textarea", "weapons sweeps in Luton parks")
    page.click("#rag-search")
    first = page.locator("#rag-search-results .rag-result").first
    first.wait_for()
    text = first.inner_text()
    assert KNIVES_ID in text and KNIVES_DATE in text and "score" in text and "Open release" in text
    first.locator("button.rag-open").click()
    page.wait_for_selector("#rag-release-view .rag-body")
    view = page.locator("#rag-release-view").inner_text()
    assert KNIVES_ID in view and "seized 10 knives" in view and "Detective Chief Inspector Aaron Kiff" in view
    mark = page.locator("#rag-release-view mark").first  # the passage the search found, marked ...
    mark.wait_for()
    assert "weapons sweeps" in " ".join(page.locator("#rag-release-view mark").all_inner_texts())
    page.wait_for_function("() => { const r = document.querySelector('#rag-release-view mark')"
                           ".getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }")
    assert page.locator("#rag-release-view .rag-body p").count() >= 4  # ... and scrolled to; paragraphs kept
    screenshot(page, "search_release")
    page.fill("#rag-search-query textarea", "'we cannot arrest our way out of this'")  # a quoted phrase
    page.click("#rag-search")
    page.wait_for_selector("#rag-search-results .rag-result :text('002_eb340d827de47128.txt')")
    page.locator("#rag-search-results .rag-result").first.locator("button.rag-open").click()
    page.wait_for_selector("#rag-release-view :text('Dallow')")
    assert page.locator("#rag-release-view mark").all_inner_texts() == ["We cannot arrest our way out of this"]
    page.fill("#rag-release-id textarea", "004_922700bf6da349a0.txt")
    page.click("#rag-open-release")
    page.wait_for_selector("#rag-release-view :text('Police and partners tackle crime hotspots in Luton')")
    page.fill("#rag-release-id textarea", "nope.txt")
    page.click("#rag-open-release")
    page.wait_for_selector("#rag-release-view :text('No release with id nope.txt')")


def test_html_in_a_release_is_inert_visible_text(page, injection_server):
    open_app(page, injection_server)
    ask(page, "How many trees did volunteers plant at the garden open day?")
    page.wait_for_selector("#rag-chat a[href='#source-1-1']")
    answer = bot_messages(page).nth(0).inner_text()
    assert "300 trees <script>window.__pwned=1</script>" in answer
    assert '<img src=x onerror="window.__pwned=1">' in answer and "javascript:" not in answer
    assert "<b>bold</b>" in answer and "${window.__pwned=1} {{constructor}}" in answer
    panel = page.locator("#rag-sources-panel").inner_text()
    assert '<img src=x onerror="window.__pwned=1">' in panel and "<script>window.__pwned=1</script>" in panel
    assert "[x](javascript:window.__pwned=1)" in panel
    page.get_by_role("tab", name="Search").click()
    page.fill("#rag-search-query textarea", "garden open day")
    page.click("#rag-search")
    page.locator("#rag-search-results button.rag-open").first.click()
    page.wait_for_selector("#rag-release-view .rag-body")
    assert "<script>window.__pwned=1</script>" in page.locator("#rag-release-view").inner_text()
    time.sleep(0.5)  # give any injected handler (an image error) time to fire
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.locator("img[src='x']").count() == 0 and page.locator("#rag-chat b, #rag-sources-panel b").count() == 0
    assert page.dialogs == []
    page.get_by_role("tab", name="Chat").click()
    screenshot(page, "html_injection_inert")


def test_long_question_is_refused_with_a_clear_message(page, server):
    open_app(page, server)
    ask(page, "Why? " * 240)  # 1,200 characters
    page.wait_for_selector("#rag-chat :text('the limit is 1000')")
    assert "1199 characters long" in bot_messages(page).nth(0).inner_text()
    assert page.input_value("#rag-question textarea").startswith("Why? Why?")  # kept, to be shortened


@pytest.fixture(scope="module")
def case_server(tmp_path_factory, real_embedder):
    """The hand-built corpus of tests/test_collect.py: a case over three releases, counted buybacks."""
    from test_collect import _corpus
    from ui.app import build_app

    corpus = tmp_path_factory.mktemp("case-corpus")
    _corpus(corpus)
    pipeline = build_pipeline(tmp_path_factory.mktemp("case-idx"), real_embedder, corpus)
    with serving(build_app(pipeline, pipeline.settings, tmp_path_factory.mktemp("fb3") / "f.jsonl")) as url:
        yield url


def test_case_history_shows_as_a_dated_timeline_and_a_count_lists_its_matches(page, case_server):
    open_app(page, case_server)
    ask(page, "What happened in the case against Jonah Whitlock?")
    page.wait_for_selector("#rag-sources-panel .rag-timeline li")
    answer = bot_messages(page).nth(0)
    bullets = answer.locator("li")
    heads = [b.locator("strong").inner_text() for b in bullets.all() if b.locator("strong").count()]
    assert heads == ["2016-09-16 · indicted", "2016-11-01 · arraigned", "2017-05-02 · pleaded", "2017-06-20 · sentenced"]
    assert answer.inner_text().startswith("Latest (2017-06-20, sentenced)")
    items = page.locator("#rag-sources-panel .rag-timeline li")
    assert [items.nth(i).locator(".rag-step").inner_text() for i in range(4)] == [
        "indicted", "arraigned", "pleaded", "sentenced"]
    screenshot(page, "chat_case_timeline")
    items.nth(3).locator("a.rag-n").click()  # the timeline's [4] opens the cited sentencing passage
    mark = mark_of(page, "source-1-4")
    mark.wait_for(state="visible")
    assert "18 years" in mark.inner_text()

    ask(page, "How many 2025 Brooklyn DA press releases mention a gun buyback?")
    page.wait_for_selector("#rag-chat a[href='#source-2-1']")
    text = bot_messages(page).nth(1).inner_text()
    assert text.startswith("1 release from kings_ny dated 2025-01-01 to 2025-12-31")
    assert "(same text as [1])" in text and "not counted" in text
    screenshot(page, "chat_count_matches")

    ask(page, "How many years in prison was Jonah Whitlock sentenced to?")  # a fact: its case is linked
    page.wait_for_selector("#rag-chat a[href='#source-3-1']")
    assert "18 years" in bot_messages(page).nth(2).inner_text()
    siblings = page.locator("#turn-3 .rag-siblings summary").first
    assert "more releases about this case (Jonah" in siblings.inner_text()
