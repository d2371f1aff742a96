"""ui.render: escaping, highlighted spans, citation links. Pure functions, no Gradio, no model."""
import html
import re

from markdown_it import MarkdownIt

from rag.models import Answer, Chunk, Citation, Hit, Release
from ui import render

PAYLOAD = '<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=1"> [x](javascript:alert(1)) ${a} {{b}}'


def md(text: str) -> str:
    """What a CommonMark renderer makes of Chatbot text (raw HTML enabled, as the Chatbot allows)."""
    return MarkdownIt("commonmark", {"html": True}).render(text)


def release(body: str, **kw) -> Release:
    base = dict(id="r1.txt", title="Title", date="2022-04-12", url=None, source="s", body=body, path="r1.txt")
    base.update(kw)
    return Release(**base)


def citation(n=1, start=0, end=5, quote="", **kw) -> Citation:
    base = dict(n=n, release_id="r1.txt", title="Title", date="2022-04-12", url=None, start=start, end=end,
                quote=quote)
    base.update(kw)
    return Citation(**base)


def test_escape_markdown_shows_html_and_markdown_as_text():
    out = md(render.escape_markdown(PAYLOAD))
    assert "<script" not in out and "<img" not in out and "<a " not in out
    assert html.unescape(re.sub(r"</?p>", "", out)).strip() == PAYLOAD


def test_linkify_links_known_markers_only():
    text = "Officers seized 10 knives. [1] Also [3] and <b>bold</b> [2]"
    out = render.linkify(text, 4, [1, 2])
    assert "[\\[1\\]](#source-4-1)" in out and "(#source-4-2)" in out and "#source-4-3" not in out
    rendered = md(out)
    assert rendered.count("<a ") == 2
    assert '<a href="#source-4-1">[1]</a>' in rendered and '<a href="#source-4-2">[2]</a>' in rendered
    assert "[3]" in rendered and "&lt;b&gt;bold&lt;/b&gt;" in rendered and "<b>" not in rendered


def test_answer_text_with_a_payload_stays_text_and_keeps_its_link():
    answer = Answer(text=f"Seized 10 knives {PAYLOAD}. [1]", refused=False, citations=(citation(),),
                    answerer="extractive", timings_ms={"retrieve": 31.0, "answer": 1530.0}, note="best support 0.8")
    out = md(render.answer_markdown(answer, 1))
    assert "<script" not in out and "<img" not in out and 'href="javascript' not in out
    assert "[x](javascript:alert(1))" in html.unescape(out)  # shown, as text
    assert out.count("<a ") == 1 and '<a href="#source-1-1">[1]</a>' in out
    assert "Answered by extractive" in out and " ms" not in out  # timings: behind the panel's Details
    assert "best support" not in out  # the extractive answerer's score is not a note for readers
    details = render.details_html(answer)
    assert details.startswith('<details class="rag-details"><summary>Details</summary>')
    assert "retrieve 31 ms · answer 1.5 s" in details and "best support 0.8" in details


def test_an_llm_answer_s_checks_go_behind_details_and_a_decline_stays_in_the_chat():
    checked = Answer(text="Seized 10 knives. [1]", refused=False, citations=(citation(),), answerer="local",
                     note="cited a source for 2 uncited sentences")
    assert "uncited" not in md(render.answer_markdown(checked, 1))
    assert "cited a source for 2 uncited sentences" in render.details_html(checked)
    declined = Answer(text="Seized 10 knives. [1]", refused=False, citations=(citation(),),
                      answerer="extractive (openai declined)", note="the model said it cannot answer")
    assert "Note:" in md(render.answer_markdown(declined, 1)) and "cannot answer" not in render.details_html(declined)


def test_fallback_note_is_shown():
    answer = Answer(text="Seized 10 knives. [1]", refused=False, citations=(citation(),),
                    answerer="extractive (fallback from openai)",
                    note="openai answerer failed (connection refused); extractive answer shown instead")
    out = md(render.answer_markdown(answer, 2))
    assert "extractive (fallback from openai)" in out and "connection refused" in out and "Note:" in out


def test_refusal_note_is_shown():
    answer = Answer(text="I could not find the answer in the releases.", refused=True, answerer="extractive",
                    note="evidence too weak")
    assert "evidence too weak" in md(render.answer_markdown(answer, 1))


def test_passage_highlights_the_exact_span_with_context():
    body = ("Intro sentence here. " * 30) + "The team seized 10 knives in parks." + (" Tail sentence here." * 30)
    start = body.index("The team")
    end = start + len("The team seized 10 knives in parks.")
    out = render.passage_html(body, start, end, context=100)
    marked = re.search(r"<mark>(.*?)</mark>", out).group(1)
    assert html.unescape(marked) == body[start:end]
    assert out.startswith("…") and out.endswith("…")
    before, after = out.split("<mark>")[0], out.split("</mark>")[1]
    assert 60 <= len(before) <= 110 and 60 <= len(after) <= 110
    assert not before[1:].startswith(" ")  # snapped to a word boundary


def test_passage_at_the_edges_and_out_of_range_offsets():
    body = "10 knives <img src=x onerror=alert(1)> were seized."
    out = render.passage_html(body, 0, 9)
    assert out.startswith("<mark>10 knives</mark>") and not out.endswith("…")
    assert "&lt;img src=x onerror=alert(1)&gt;" in out and "<img" not in out
    assert render.passage_html(body, 40, 999).endswith("</mark>")
    assert "<mark></mark>" in render.passage_html(body, 999, 5)


def test_citation_html_has_anchor_title_date_id_link_and_mark():
    body = "Officers <b>located</b> and seized 10 knives. More text."
    start, end = body.index("seized"), body.index("knives.") + len("knives.")
    c = citation(n=2, start=start, end=end, quote=body[start:end], title="Knives <i>seized</i>",
                 url="https://www.bedfordshire.police.uk/news?a=1&b=2")
    out = render.citation_html(3, c, release(body))
    assert out.startswith('<details class="rag-source" id="source-3-2"')
    assert "Knives &lt;i&gt;seized&lt;/i&gt;" in out and "(2022-04-12)" in out and "<code>r1.txt</code>" in out
    assert 'href="https://www.bedfordshire.police.uk/news?a=1&amp;b=2"' in out and 'rel="noopener noreferrer"' in out
    assert "<mark>seized 10 knives.</mark>" in out and "&lt;b&gt;located&lt;/b&gt;" in out


def test_only_http_urls_become_links():
    for bad in ("javascript:alert(1)", "data:text/html,<script>x</script>", 'https://a" onmouseover="x'):
        out = render.citation_html(1, citation(url=bad, quote="hello", end=5), release("hello world"))
        assert "<a " not in out
    assert render.safe_url("http://example.org/x") == "http://example.org/x"


def test_turn_html_before_and_after_the_answer():
    rel = release("The team seized 10 knives in parks. Other text.")
    hit = Hit(Chunk("r1.txt", 0, 0, 35, rel.body[:35]), rel, 0.91234, 1)
    pending = render.turn_html(1, "How many <knives>?", [hit], None, {}, "Retrieved 1 passages; answering…")
    assert "Retrieved passages (1)" in pending and "score 0.912" in pending and "2022-04-12" in pending
    assert "How many &lt;knives&gt;?" in pending and "source-1-1" not in pending
    answer = Answer("Seized 10 knives. [1]", False, (citation(start=9, end=25, quote=rel.body[9:25]),), "extractive")
    done = render.turn_html(1, "q", [hit], answer, {"r1.txt": rel})
    assert 'id="source-1-1" open' in done and "<mark>seized 10 knives</mark>" in done
    assert "All 1 retrieved passages" in done
    refused = Answer("I could not find the answer in the releases.", True, (), "extractive", note="no passages")
    assert "No passages matched" in render.turn_html(2, "q", [], refused, {})


def test_sources_panel_puts_the_latest_first_and_folds_the_rest():
    assert render.sources_panel([]) == render.EMPTY_PANEL
    out = render.sources_panel(["<section>one</section>", "<section>two</section>", "<section>three</section>"])
    assert out.index("three") < out.index("Sources of earlier answers (2)") < out.index("two") < out.index("one")


def test_search_results_and_release_view_escape_everything():
    rel = release(f"Body {PAYLOAD}\nSecond paragraph.", title=f"T {PAYLOAD}", id='odd"id.txt')
    hit = Hit(Chunk(rel.id, 0, 0, len(rel.body), rel.body), rel, 1.5, 1)
    for out in (render.search_results_html(f"q {PAYLOAD}", [hit]), render.release_html(rel)):
        assert "<script" not in out and "<img" not in out and 'onerror="' not in out
        assert "&lt;script&gt;" in out
    assert 'data-release-id="odd&quot;id.txt"' in render.search_results_html("q", [hit])
    assert "No release with id nope&lt;" in render.release_html(None, "nope<")
    assert "No passages found" in render.search_results_html("q", [])


def test_a_search_for_a_quoted_phrase_highlights_it_in_the_passage():
    body = "First sentence here. " * 40 + "He said “we can’t stop now” to the crowd. " + "Last words. " * 40
    rel = release(body)
    hit = Hit(Chunk(rel.id, 0, 0, len(body), body), rel, 1.0, 1)
    out = render.search_results_html("who said 'we can't stop now'?", [hit])
    assert "<mark>we can’t stop now</mark>" in out and "…" in out
    assert "<mark>" not in render.search_results_html("who said we can't stop now?", [hit])


def test_listing_answers_render_as_bullets_paged_in_the_chat_and_folded_in_the_panel():
    from rag.models import Answer, Citation, Listed

    n_items = render.CHAT_ITEMS + 5
    lines = [f"{n_items} releases from kings_ny."]
    cites, listed = [], []
    for i in range(1, n_items + 1):
        lines.append(f"- 2025-01-{i:02d} — Title {i} <b>x</b>: Sentence {i}. [{i}]")
        cites.append(Citation(i, f"r{i}", f"Title {i} <b>x</b>", f"2025-01-{i:02d}", None, 0, 5, "Sentence"))
        listed.append(Listed(i, f"r{i}", f"Title {i} <script>x</script>", f"2025-01-{i:02d}", None))
    answer = Answer("\n".join(lines), False, tuple(cites), "extractive", route="count", criteria="releases from kings_ny",
                    matches=tuple(listed))
    md = render.answer_markdown(answer, 3)
    assert md.count("\n- ") == render.CHAT_ITEMS and "[\\[1\\]](#source-3-1)" in md
    assert f"{render.CHAT_ITEMS} of {n_items} shown here" in md and "<b>" not in md
    panel = render.matches_html(3, answer)
    assert panel.count("<li>") == n_items and panel.count('<details class="rag-page"') == 2
    assert "<script>" not in panel and "&lt;script&gt;" in panel and 'href="#source-3-30"' in panel
    marked = Answer("2 releases.", False, tuple(cites[:3]), "extractive", route="count", matches=(
        listed[0], Listed(2, "r2", "T2", "2025-01-02", None, "", 1), Listed(3, "r3", "T3", "2025-01-03", None,
                                                                            "translation", 1)))
    panel = render.matches_html(1, marked)
    assert "(same text as [1])" in panel and "(translation of [1])" in panel
    assert '<span class="rag-step">translation</span>' not in panel

    case = Answer("Latest (2017-06-20, sentenced): He was sentenced. [2]\n2 releases naming A B, in date order:\n"
                  "- 2016-09-16, indicted: He was indicted. [1]\n- 2017-06-20, sentenced: He was sentenced. [2]",
                  False, tuple(cites[:2]), "extractive", route="case")
    md = render.answer_markdown(case, 1)
    assert "- **2016\\-09\\-16 · indicted** — He was indicted\\. [\\[1\\]](#source-1-1)" in md
