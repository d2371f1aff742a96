"""Pure functions: answers, sources and releases as escaped Markdown / HTML.

Nothing here imports Gradio. Every piece of release text or model output goes through
``html.escape`` (and, for Chatbot Markdown, a backslash before each Markdown character)
before any markup of our own is added, so a release that contains ``<script>`` or
``<img onerror=...>`` is shown as those characters, never run.

Citation links: ``[n]`` in answer ``turn`` becomes the Markdown link ``[\\[n\\]](#source-T-N)``;
the sources panel holds ``<details id="source-T-N">`` for it (see ``ui/assets.py`` for the
script that opens it on click).
"""
from __future__ import annotations

import html
import re
from typing import Iterable, Sequence

from rag.models import Answer, Citation, Hit, Release
from rag.text.markers import MARKER, marker_numbers
from rag.text.quotes import phrase_span

CONTEXT_CHARS = 280        # characters of release text shown either side of a cited span
SNIPPET_CHARS = 420        # characters of a retrieved passage shown in a list
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~$:])")
_SAFE_URL = re.compile(r"^https?://[^\s\"'<>]+$", re.I)


def esc(text: object) -> str:
    """HTML-escaped text, quotes included (safe inside an attribute too)."""
    return html.escape("" if text is None else str(text), quote=True)


def escape_markdown(text: str) -> str:
    """Text that Markdown shows literally: Markdown characters backslashed, then ``& < >`` escaped."""
    return html.escape(_MD_SPECIAL.sub(r"\\\1", text or ""), quote=False)


def anchor(turn: int, n: int) -> str:
    """The element id of source ``n`` of answer ``turn`` in the sources panel."""
    return f"source-{int(turn)}-{int(n)}"


def safe_url(url: str | None) -> str | None:
    """``url`` when it is a plain http(s) address, else None (no javascript: or data: links)."""
    return url if url and _SAFE_URL.match(url.strip()) else None


# ---- answer (Chatbot Markdown) ----------------------------------------------------------


def linkify(text: str, turn: int, numbers: Iterable[int]) -> str:
    """Escaped ``text`` in which each ``[n]`` of a known source is a link to its panel entry
    (``[1, 2]`` becomes two links)."""
    known = set(numbers)
    out, pos = [], 0
    for m in MARKER.finditer(text or ""):
        cited = marker_numbers(m)
        if not any(n in known for n in cited):
            continue
        out.append(escape_markdown(text[pos:m.start()]))
        out.append("".join(f"[\\[{n}\\]](#{anchor(turn, n)})" if n in known else escape_markdown(f"[{n}]")
                           for n in cited))
        pos = m.end()
    out.append(escape_markdown((text or "")[pos:]))
    return "".join(out)


def _duration(ms: float) -> str:
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def show_note(answer: Answer) -> bool:
    """Notes that tell the reader something in the chat: a fallback, a decline, a refusal. (The
    extractive answerer's support score and an LLM answer's checks go to the panel's Details.)"""
    label = answer.answerer or ""
    return bool(answer.note) and (answer.refused or "fallback" in label or "declined" in label)


def timings_text(answer: Answer) -> str:
    return " · ".join(f"{name.replace('_', ' ')} {_duration(answer.timings_ms[name])}"
                      for name in ("rewrite", "retrieve", "first_token", "answer") if name in answer.timings_ms)


def answer_footer(answer: Answer) -> str:
    """One italic line: who answered; then the note, when it matters to the reader. Timings and
    the answer's checks are behind the panel's "Details" (``details_html``)."""
    line = f"*Answered by {escape_markdown(answer.answerer or 'unknown answerer')}.*"
    if show_note(answer):
        line += f"\n\n**Note:** {escape_markdown(answer.note)}"
    return line


def details_html(answer: Answer) -> str:
    """The panel's folded "Details" of an answer: its timings and its checks' note, for who wants them."""
    rows = [f"<div>{esc(timings_text(answer))}</div>"] if answer.timings_ms else []
    if answer.note and not show_note(answer):
        rows.append(f"<div>{esc(answer.answerer)}: {esc(answer.note)}</div>")
    if not rows:
        return ""
    return f'<details class="rag-details"><summary>Details</summary>{"".join(rows)}</details>'


CHAT_ITEMS = 25  # listed releases written in a chat message; the sources panel pages through all
_ITEM = re.compile(r"^- (?P<date>\d{4}-\d\d-\d\d|undated)(?:, (?P<step>[a-z]+))?: (?P<rest>.*)$")


def listing_markdown(answer: Answer, turn: int) -> str:
    """A count, list or case answer as Markdown: its lead lines as paragraphs, then one bullet per
    release (a case's as "**date · step**"), the first ``CHAT_ITEMS`` of them, the rest left to
    the sources panel."""
    numbers = [c.n for c in answer.citations]
    out, items = [], 0
    for line in answer.text.split("\n"):
        if line.startswith("  "):  # a line under the item above ("Named: ...")
            if items <= CHAT_ITEMS:
                out.append("  - " + linkify(line.strip(), turn, numbers))
            continue
        if not line.startswith("- "):
            out.append(("\n" if out else "") + linkify(line, turn, numbers) + "\n")
            continue
        items += 1
        if items > CHAT_ITEMS:
            continue
        m = _ITEM.match(line)
        if m and answer.route == "case":
            head = " · ".join(x for x in (m["date"], m["step"]) if x)
            out.append(f"- **{escape_markdown(head)}** — {linkify(m['rest'], turn, numbers)}")
        else:
            out.append("- " + linkify(line[2:], turn, numbers))
    if items > CHAT_ITEMS:
        out.append(f"\n*{CHAT_ITEMS} of {items} shown here; the sources panel lists every one.*")
    return "\n".join(out)


def answer_markdown(answer: Answer, turn: int) -> str:
    """The whole assistant message: linked answer text, then the footer."""
    if answer.route != "fact" and not answer.refused:
        body = listing_markdown(answer, turn)
    else:
        body = linkify(answer.text, turn, (c.n for c in answer.citations))
    return f"{body}\n\n{answer_footer(answer)}"


WRITING = '<span class="rag-writing"></span>'  # marks a message still being written: no like/dislike yet (CSS)


def streaming_markdown(partial: str) -> str:
    """Text of an answer still being written (links come with the checked answer)."""
    return escape_markdown(partial) + " ▌" + WRITING


def pending_markdown(stage: str) -> str:
    return f"*{escape_markdown(stage)}*{WRITING}"


def writing_markdown(n_hits: int, answerer: str, deadlines: tuple[float, float] | None) -> str:
    """The message while the answer is being written; with a model server's deadlines, the page's
    script counts the first one down (``due within N s``: see ui/assets.py)."""
    text = f"Found {n_hits} passages; writing the answer…"
    if deadlines:
        first, total = deadlines
        text = (f"Found {n_hits} passages; {answerer} is writing the answer: first words due within {first:g} s, "
                f"the whole answer within {total:g} s, else the extractive answer comes instead.")
    return pending_markdown(text)


def question_markdown(question: str) -> str:
    return escape_markdown(question)


def message_markdown(text: str) -> str:
    """A plain message of ours (an error or a refusal of the input), escaped."""
    return f"**{escape_markdown(text)}**"


# ---- sources panel (HTML) ---------------------------------------------------------------


def _snap_left(body: str, i: int) -> int:
    if i <= 0:
        return 0
    space = body.find(" ", i, i + 40)
    return space + 1 if space != -1 else i


def _snap_right(body: str, i: int) -> int:
    if i >= len(body):
        return len(body)
    space = body.rfind(" ", max(0, i - 40), i)
    return space if space != -1 else i


def passage_html(body: str, start: int, end: int, context: int = CONTEXT_CHARS) -> str:
    """``body[start:end]`` inside ``<mark>``, with ``context`` characters around it, all escaped."""
    start = max(0, min(int(start), len(body)))
    end = max(start, min(int(end), len(body)))
    left = _snap_left(body, start - context) if start - context > 0 else 0
    right = _snap_right(body, end + context) if end + context < len(body) else len(body)
    left, right = min(left, start), max(right, end)
    return ("…" if left > 0 else "") + esc(body[left:start]) + f"<mark>{esc(body[start:end])}</mark>" \
        + esc(body[end:right]) + ("…" if right < len(body) else "")


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    flat = " ".join((text or "").split())
    return esc(flat[:limit]) + ("…" if len(flat) > limit else "")


def _meta(release_id: str, date: str | None, url: str | None, extra: str = "", *, show_date: bool = True) -> str:
    parts = [f'<span class="rag-date">{esc(date or "undated")}</span>'] if show_date else []
    parts.append(f'<span class="rag-id">release id <code>{esc(release_id)}</code></span>')
    link = safe_url(url)
    if link:
        parts.append(f'<a class="rag-url" href="{esc(link)}" target="_blank" rel="noopener noreferrer">'
                     f'{esc(link)}</a>')
    if extra:
        parts.append(extra)
    return '<div class="rag-meta">' + " · ".join(parts) + "</div>"


def citation_html(turn: int, c: Citation, release: Release | None, open_: bool = False) -> str:
    """Source ``[n]``: title, date, link, id, and the cited span highlighted in its context."""
    body = release.body if release is not None else c.quote
    start, end = (c.start, c.end) if release is not None else (0, len(c.quote))
    return (f'<details class="rag-source" id="{esc(anchor(turn, c.n))}"{" open" if open_ else ""}>'
            f'<summary><span class="rag-n">[{c.n}]</span> <span class="rag-title">{esc(c.title)}</span> '
            f'<span class="rag-date">({esc(c.date or "undated")})</span></summary>'
            + _meta(c.release_id, c.date, c.url, f'<span class="rag-span">chars {c.start}–{c.end}</span>',
                    show_date=False)
            + f'<div class="rag-passage">{passage_html(body, start, end)}</div></details>')


def hit_html(hit: Hit, query: str = "") -> str:
    """One retrieved passage: rank, title, date, id, score and the passage text (around
    the phrase ``query`` quotes, highlighted, when it holds one)."""
    r = hit.release
    span = phrase_span(hit.chunk.text, query) if query else None
    passage = (passage_html(hit.chunk.text, *span, context=SNIPPET_CHARS // 2) if span
               else snippet(hit.chunk.text))
    return (f'<div class="rag-hit"><div class="rag-hit-head"><span class="rag-rank">{hit.rank}.</span> '
            f'<span class="rag-title">{esc(r.title)}</span></div>'
            + _meta(r.id, r.date, r.url, f'<span class="rag-score">score {hit.score:.3f}</span>'
                    f' · <span class="rag-span">chars {hit.chunk.start}–{hit.chunk.end}</span>')
            + f'<div class="rag-passage">{passage}</div></div>')


PANEL_PAGE = 25  # listed releases per fold of the panel's list


def matches_html(turn: int, answer: Answer) -> str:
    """A count's or list's matches, or a case's timeline, in folds of ``PANEL_PAGE``: date, step,
    title, and the [n] that opens the cited passage."""
    kind = "Timeline" if answer.route == "case" else "Matches"
    rows = []
    for m in answer.matches:
        n = (f'<a class="rag-n" href="#{esc(anchor(turn, m.n))}">[{m.n}]</a> ' if m.n is not None else "")
        translated = m.label == "translation"
        step = f'<span class="rag-step">{esc(m.label)}</span> ' if m.label and not translated else ""
        same = "translation of" if translated else "same text as"
        dup = f' <span class="rag-dup">({same} [{m.duplicate_of}])</span>' if m.duplicate_of else ""
        rows.append(f'<li><span class="rag-date">{esc(m.date or "undated")}</span> {step}{n}'
                    f'<span class="rag-title">{esc(m.title)}</span>{dup}</li>')
    pages = [rows[i:i + PANEL_PAGE] for i in range(0, len(rows), PANEL_PAGE)]
    folds = "".join(
        f'<details class="rag-page"{" open" if i == 0 else ""}><summary>{kind} {i * PANEL_PAGE + 1}–'
        f'{i * PANEL_PAGE + len(page)} of {len(rows)}</summary><ol class="rag-timeline" start="{i * PANEL_PAGE + 1}">'
        + "".join(page) + "</ol></details>" for i, page in enumerate(pages))
    criteria = f'<p class="rag-criteria">{esc(answer.criteria)}</p>' if answer.criteria else ""
    return f'<div class="rag-label">{kind} ({len(rows)})</div>{criteria}{folds}'


def siblings_html(name: str, others: Sequence[Release]) -> str:
    """"N more releases about this case": the other releases naming the cited release's
    defendant, each with its date and an "Open release" button."""
    rows = "".join(f'<li><span class="rag-date">{esc(r.date or "undated")}</span> <span class="rag-title">'
                   f'{esc(r.title)}</span> <button class="rag-open" type="button" data-release-id="{esc(r.id)}">'
                   f"Open release</button></li>" for r in others)
    more = f"{len(others)} more release{'' if len(others) == 1 else 's'} about this case"
    return (f'<details class="rag-siblings"><summary>{more} ({esc(name)})</summary>'
            f'<ol class="rag-timeline">{rows}</ol></details>')


def turn_html(turn: int, question: str, hits: Sequence[Hit], answer: Answer | None,
              releases: dict[str, Release], status: str = "", siblings: dict | None = None) -> str:
    """Everything the panel shows for one question: its sources, or the passages found so far."""
    head = f'<div class="rag-turn-head">Question {turn}: {esc(question)}</div>'
    parts = [f'<section class="rag-turn" id="turn-{turn}">', head]
    if status:
        parts.append(f'<p class="rag-status">{esc(status)}</p>')
    if answer is not None and answer.matches:
        parts.append(matches_html(turn, answer))
    if answer is not None and answer.citations:
        parts.append(f'<div class="rag-label">Cited sources ({len(answer.citations)})</div>')
        shown: set[str] = set()
        for i, c in enumerate(answer.citations):
            parts.append(citation_html(turn, c, releases.get(c.release_id), open_=(i == 0)))
            if siblings and c.release_id in siblings and c.release_id not in shown:
                shown.add(c.release_id)
                parts.append(siblings_html(*siblings[c.release_id]))
    if answer is not None:
        parts.append(details_html(answer))
    if answer is not None and not answer.citations:
        parts.append('<p class="rag-status">No source cited.</p>' if hits else
                     '<p class="rag-status">No passages matched (are the filters too narrow?).</p>')
    if hits:
        listing = "".join(hit_html(h) for h in hits)
        if answer is None:
            parts.append(f'<div class="rag-label">Retrieved passages ({len(hits)})</div>{listing}')
        else:
            parts.append(f'<details class="rag-retrieved"><summary>All {len(hits)} retrieved passages</summary>'
                         f"{listing}</details>")
    elif answer is None and not status:
        parts.append('<p class="rag-status">No passages found.</p>')
    parts.append("</section>")
    return "".join(parts)


EMPTY_PANEL = ('<div class="rag-sources"><p class="rag-status">Sources appear here as soon as they are '
               "retrieved. Click a [n] in an answer to open its source.</p></div>")


def sources_panel(turns: Sequence[str]) -> str:
    """The panel: the latest question's sources first, earlier ones folded below."""
    if not turns:
        return EMPTY_PANEL
    latest, earlier = turns[-1], list(reversed(turns[:-1]))
    folded = ""
    if earlier:
        folded = (f'<details class="rag-earlier"><summary>Sources of earlier answers ({len(earlier)})</summary>'
                  + "".join(earlier) + "</details>")
    return f'<div class="rag-sources">{latest}{folded}</div>'


# ---- search tab -------------------------------------------------------------------------


def search_results_html(query: str, hits: Sequence[Hit]) -> str:
    if not hits:
        return f'<div class="rag-search"><p class="rag-status">No passages found for {esc(query)}.</p></div>'
    rows = "".join(
        f'<div class="rag-result" data-release-id="{esc(h.release.id)}">{hit_html(h, query)}'
        f'<button class="rag-open" type="button" data-release-id="{esc(h.release.id)}">Open release</button></div>'
        for h in hits)
    return f'<div class="rag-search"><p class="rag-status">{len(hits)} passages for {esc(query)}</p>{rows}</div>'


_PARAGRAPH = re.compile(r"\n[ \t]*\n")


def release_html(release: Release | None, release_id: str = "", span: tuple[int, int] | None = None) -> str:
    """A whole release, escaped, one ``<p>`` per paragraph; ``span`` (start, end) marked (the
    passage or phrase the search found: the page scrolls to it)."""
    if release is None:
        return f'<div class="rag-release"><p class="rag-status">No release with id {esc(release_id)}.</p></div>'
    body = release.body.replace("\x00", "").replace("\x01", "")
    if span and 0 <= span[0] < span[1] <= len(body):
        body = body[:span[0]] + "\x00" + body[span[0]:span[1]] + "\x01" + body[span[1]:]
    out, inside = [], False
    for para in _PARAGRAPH.split(body):  # a mark across a paragraph break is closed and reopened
        html = ("<mark>" if inside else "") + esc(para).replace("\x00", "<mark>").replace("\x01", "</mark>")
        inside = (inside or "\x00" in para) and "\x01" not in para
        out.append(f"<p>{html}{'</mark>' if inside else ''}</p>")
    return (f'<article class="rag-release" id="release-view"><h3 class="rag-title">{esc(release.title)}</h3>'
            + _meta(release.id, release.date, release.url, f'<span class="rag-source-name">source {esc(release.source)}</span>')
            + f'<div class="rag-body">{"".join(out)}</div></article>')


def error_html(message: str) -> str:
    return f'<div class="rag-error">{esc(message)}</div>'


def upload_html(report, releases: Sequence[Release | None], skipped: Sequence, stats: tuple[int, int]) -> str:
    """What an upload added (title, date, id), what it skipped and why, and the index's size now."""
    parts = []
    if report is not None:
        parts.append(f"<p class='rag-upload-summary'>Added {report.added}, updated {report.updated}, "
                     f"unchanged {report.unchanged}; the index now holds {stats[0]} releases.</p>")
    if releases:
        rows = "".join(f"<li><b>{esc(r.title)}</b> <span class='rag-meta'>{esc(r.date or 'undated')} · "
                       f"{esc(r.id)}</span></li>" for r in releases if r is not None)
        parts.append(f"<ul class='rag-upload-added'>{rows}</ul>")
    if skipped:
        rows = "".join(f"<li>{esc(s.path)}: {esc(s.reason)}</li>" for s in skipped)
        parts.append(f"<p>Skipped {len(skipped)}:</p><ul class='rag-upload-skipped'>{rows}</ul>")
    return "<div id='rag-upload-report'>" + ("".join(parts) or "<p>Nothing to add.</p>") + "</div>"
