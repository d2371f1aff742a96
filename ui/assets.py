"""The page's CSS and its script: opening a source when its [n] is clicked, and counting down
a model server's first-token deadline while an answer is awaited.

The script listens on the document (capture phase), so it works for links rendered at any
time inside the Chatbot's Markdown: a click on ``<a href="#source-T-N">`` opens the
``<details id="source-T-N">`` in the sources panel (and the folded sections around it),
scrolls it into view and flashes it. A click on a search result's "Open release" button
puts its id into the release box and presses "Open". A chat message saying "first words due within
N s" gets a live "N s left" after it, from when it appeared (the server sends nothing while it waits).
"""
from __future__ import annotations

HEAD = r"""
<script>
(function () {
  if (window.__ragUi) return;
  window.__ragUi = true;
  function openSource(id) {
    var el = document.getElementById(id);
    if (!el) return false;
    for (var p = el; p; p = p.parentElement) { if (p.tagName === 'DETAILS') p.open = true; }
    document.querySelectorAll('.rag-flash').forEach(function (e) { e.classList.remove('rag-flash'); });
    el.classList.add('rag-flash');
    el.scrollIntoView({block: 'center'});
    return true;
  }
  function openRelease(id) {
    var box = document.querySelector('#rag-release-id textarea, #rag-release-id input');
    var button = document.querySelector('#rag-open-release');
    if (!box || !button) return;
    box.value = id;
    box.dispatchEvent(new Event('input', {bubbles: true}));
    setTimeout(function () { button.click(); }, 50);
  }
  document.addEventListener('click', function (ev) {
    var t = ev.target;
    if (!t || !t.closest) return;
    var a = t.closest('a[href*="#source-"]');
    if (a) {
      var id = a.getAttribute('href').split('#').pop();
      ev.preventDefault();
      ev.stopPropagation();
      openSource(id);
      return;
    }
    var b = t.closest('button.rag-open[data-release-id]');
    if (b) { ev.preventDefault(); openRelease(b.getAttribute('data-release-id')); }
  }, true);
  window.ragOpenSource = openSource;
  var seen = new WeakMap();
  setInterval(function () {
    document.querySelectorAll('#rag-chat [data-testid="bot"]').forEach(function (msg) {
      var m = /first words due within (\d+(?:\.\d+)?) s/.exec(msg.textContent || '');
      if (!m) return;
      var body = msg.querySelector('em') || msg;
      if (!seen.has(body)) seen.set(body, Date.now());
      var left = Math.max(0, Math.ceil(parseFloat(m[1]) - (Date.now() - seen.get(body)) / 1000));
      var span = body.querySelector('.rag-countdown');
      if (!span) { span = document.createElement('span'); span.className = 'rag-countdown'; body.appendChild(span); }
      span.textContent = left > 0 ? ' ' + left + ' s left.' : ' Time is up: the extractive answer is on its way.';
    });
  }, 500);
})();
</script>
"""

CSS = """
.rag-sources, .rag-search, .rag-release { font-size: 0.92rem; line-height: 1.45; }
.rag-turn-head { font-weight: 600; margin: 0.2rem 0 0.4rem; }
.rag-label { font-weight: 600; margin: 0.6rem 0 0.3rem; }
.rag-status { color: var(--body-text-color-subdued); font-style: italic; margin: 0.3rem 0; }
.rag-source, .rag-retrieved, .rag-earlier { border: 1px solid var(--border-color-primary); border-radius: 6px;
  padding: 0.35rem 0.6rem; margin: 0.35rem 0; background: var(--background-fill-secondary); }
.rag-source summary, .rag-retrieved summary, .rag-earlier summary { cursor: pointer; }
.rag-n { font-weight: 700; }
.rag-title { font-weight: 600; }
.rag-meta { font-size: 0.82rem; color: var(--body-text-color-subdued); margin: 0.25rem 0; overflow-wrap: anywhere; }
.rag-passage, .rag-body { white-space: pre-wrap; overflow-wrap: anywhere; }
.rag-passage mark { background: #ffe066; color: #111; padding: 0 1px; border-radius: 2px; }
.rag-hit { border-top: 1px solid var(--border-color-primary); padding: 0.4rem 0; }
.rag-flash { outline: 3px solid #f59f00; outline-offset: 2px; transition: outline-color 1.5s; }
.rag-result { margin-bottom: 0.4rem; }
.rag-open { font-size: 0.8rem; padding: 0.1rem 0.5rem; border: 1px solid var(--border-color-primary);
  border-radius: 4px; background: var(--button-secondary-background-fill); cursor: pointer; }
.rag-release .rag-body { border-top: 1px solid var(--border-color-primary); margin-top: 0.5rem; padding-top: 0.5rem; }
.rag-page { margin: 0.2rem 0; } .rag-page summary { cursor: pointer; color: var(--body-text-color-subdued); }
.rag-timeline { margin: 0.2rem 0 0.4rem 1.4rem; padding: 0; }
.rag-timeline li { margin: 0.15rem 0; } .rag-timeline .rag-date { font-variant-numeric: tabular-nums; }
.rag-step { font-size: 0.8rem; padding: 0 0.35rem; border-radius: 3px; background: var(--background-fill-secondary);
  border: 1px solid var(--border-color-primary); }
.rag-siblings { margin: 0.1rem 0 0.5rem 0.6rem; font-size: 0.88rem; } .rag-siblings summary { cursor: pointer; }
.rag-criteria, .rag-dup { font-size: 0.85rem; color: var(--body-text-color-subdued); margin: 0.1rem 0; }
.rag-details { font-size: 0.82rem; color: var(--body-text-color-subdued); margin: 0.3rem 0; }
.rag-details summary { cursor: pointer; }
.rag-countdown { font-style: normal; font-weight: 600; font-variant-numeric: tabular-nums; }
#rag-chat .bot-row:has(.rag-writing) + .message-buttons { display: none; }  /* no like/dislike/copy while writing */
.rag-error { color: var(--error-text-color, #b91c1c); font-weight: 600; }
#rag-sources-panel .rag-sources { max-height: 72vh; overflow-y: auto; padding-right: 0.3rem; }
"""


def theme():
    """The default theme with system fonts: the page loads nothing from the internet."""
    import gradio as gr

    fonts = ["ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"]
    mono = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]
    return gr.themes.Default(font=fonts, font_mono=mono)
