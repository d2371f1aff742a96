"""Write results.json, report.md and report.html (with plots) into an output folder."""
from __future__ import annotations

import base64
import html
import json
from pathlib import Path

from .regression import Comparison

PLOT_KEYS = ("hit@1", "hit@4", "mrr@10", "key_fact_accuracy", "citation_precision", "citation_support")
TABLE_KEYS = ("n", "hit@1", "hit@4", "hit@10", "recall@10", "mrr@10", "ndcg@10", "key_fact_accuracy", "token_f1",
              "refusal_rate_unanswerable", "false_refusal_rate", "citation_validity", "citation_precision",
              "citation_support", "latency_retrieve_p50_ms", "latency_answer_p50_ms", "latency_first_token_p50_ms",
              "latency_total_p50_ms", "routing_ok", "count_exact", "list_recall", "list_precision", "chain_recall",
              "chain_order")
# what `rag eval` prints: the headline metrics of each scope
CONSOLE_KEYS = ("n", "hit@1", "hit@4", "mrr@10", "key_fact_accuracy", "refusal_rate_unanswerable",
                "false_refusal_rate", "citation_precision", "citation_support", "latency_first_token_p50_ms",
                "latency_total_p50_ms", "routing_ok")
COLLECT_CONSOLE_KEYS = ("count_exact", "list_recall", "list_precision", "chain_recall", "chain_order")


def console_keys(results: dict) -> tuple[str, ...]:
    """``CONSOLE_KEYS``, and the count/list/case metrics when the set has such questions."""
    overall = results["metrics"]["overall"]
    return CONSOLE_KEYS + tuple(k for k in COLLECT_CONSOLE_KEYS if overall.get(k) is not None)


def fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.0f}"
    return str(value)


def metrics_table(results: dict, keys: tuple[str, ...] = TABLE_KEYS) -> list[list[str]]:
    """A header row ("scope" and ``keys``), then one row per scope: overall, then each type."""
    rows = [["scope", *keys]]
    scopes = {"overall": results["metrics"]["overall"], **results["metrics"]["by_type"]}
    for name, M in scopes.items():
        rows.append([name, *(fmt(M.get(k)) for k in keys)])
    return rows


def _plot_by_type(results: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_type = results["metrics"]["by_type"]
    types = list(by_type)
    fig, ax = plt.subplots(figsize=(10, 4.2))
    width = 0.8 / len(PLOT_KEYS)
    for i, key in enumerate(PLOT_KEYS):
        values = [by_type[t].get(key) or 0.0 for t in types]
        ax.bar([x + i * width for x in range(len(types))], values, width, label=key)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(types))], [f"{t}\n(n={by_type[t]['n']})" for t in types])
    ax.set_ylim(0, 1.05)
    ax.set_title("Metrics per question type")
    ax.legend(fontsize=8, ncol=3, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _plot_vs_baseline(comparison: Comparison, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [k for k, (b, c) in comparison.deltas.items() if b is not None or c is not None]
    fig, ax = plt.subplots(figsize=(10, 4.2))
    xs = range(len(keys))
    ax.bar([x - 0.2 for x in xs], [comparison.deltas[k][0] or 0 for k in keys], 0.4, label="baseline")
    ax.bar([x + 0.2 for x in xs], [comparison.deltas[k][1] or 0 for k in keys], 0.4, label="current")
    ax.set_xticks(list(xs), keys, rotation=35, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title(f"Current vs baseline (gate tolerance {comparison.tolerance})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _md_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def _question_rows(results: dict) -> list[list[str]]:
    rows = [["id", "type", "passed", "refused", "hit@4", "key facts", "top release", "answer"]]
    for q in results["questions"]:
        M = q["metrics"]
        top = q["retrieved"][0]["release_id"] if q["retrieved"] else "–"
        rows.append([q["id"], q["type"], "yes" if M["passed"] else "NO", "yes" if q["refused"] else "no",
                     fmt(M.get("hit@4")), fmt(M.get("key_fact_accuracy")), top,
                     f"ERROR: {q['error']}" if q.get("error") else " ".join(q["answer"].split())[:160]])
    return rows


def write_report(results: dict, out_dir: str | Path, comparison: Comparison | None = None) -> dict[str, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"results": out / "results.json", "markdown": out / "report.md", "html": out / "report.html"}
    data = dict(results)
    if comparison is not None:
        data["comparison"] = comparison.to_json()
    paths["results"].write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    plots = [_plot_by_type(results, out / "by_type.png")]
    if comparison is not None:
        plots.append(_plot_vs_baseline(comparison, out / "vs_baseline.png"))
    s = results["settings"]
    title = f"Evaluation: {Path(s.get('dataset', '')).name or 'dataset'} — answerer {s.get('answerer')}"
    retrieval, embedding = s.get("retrieval") or {}, s.get("embedding") or {}
    summary = (f"Retriever `{s.get('retriever_name')}`, embedder `{embedding.get('model')}` "
               f"({embedding.get('backend')}), top_k {retrieval.get('top_k')}, "
               f"run {s.get('run_at')}. Citation support is measured by `{s.get('support_method')}` "
               "(a lexical measure, not a model judgement).")
    md = [f"# {title}", "", summary, "", "## Metrics", "", _md_table(metrics_table(results)), ""]
    md += [f"![{p.stem}]({p.name})" for p in plots] + [""]
    if results.get("errors"):  # questions that raised: scored as failed answers, each named here
        md += [f"## Errors ({len(results['errors'])})", ""] + [f"- `{e['id']}`: {e['error']}" for e in results["errors"]]
        md.append("")
    if comparison is not None:
        md += ["## Against the baseline", "",
               f"Gate: {'FAILED — ' + '; '.join(comparison.regressions) if comparison.failed else 'passed'} "
               f"(tolerance {comparison.tolerance}).", ""]
        for label, items in (("Newly failing", comparison.newly_failing), ("Newly passing", comparison.newly_passing)):
            md.append(f"**{label}** ({len(items)}):")
            md += [f"- `{i['id']}` ({i['type']}): {i['question']} → {' '.join(i['answer'].split())[:140]}"
                   for i in items] or ["- none"]
            md.append("")
    md += ["## Questions", "", _md_table(_question_rows(results)), ""]
    paths["markdown"].write_text("\n".join(md), encoding="utf-8")
    paths["html"].write_text(_html(title, summary, results, plots, comparison), encoding="utf-8")
    return paths


def _html_table(rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows[1:])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html(title, summary, results, plots, comparison) -> str:
    imgs = "".join(
        f'<img alt="{p.stem}" src="data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}">' for p in plots)
    gate = ""
    if comparison is not None:
        status = "FAILED: " + "; ".join(comparison.regressions) if comparison.failed else "passed"
        lists = "".join(
            f"<h3>{label} ({len(items)})</h3><ul>" + "".join(
                f"<li><code>{html.escape(i['id'])}</code> {html.escape(i['question'])}</li>" for i in items) + "</ul>"
            for label, items in (("Newly failing", comparison.newly_failing),
                                 ("Newly passing", comparison.newly_passing)))
        gate = f"<h2>Against the baseline</h2><p>Gate {html.escape(status)}.</p>{lists}"
    style = ("body{font-family:sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;font-size:13px}"
             "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}table{display:block;overflow-x:auto;max-width:100%}img{max-width:100%;display:block;margin:1em 0}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body><h1>{html.escape(title)}</h1><p>{html.escape(summary)}</p>"
            f"<h2>Metrics</h2>{_html_table(metrics_table(results))}{imgs}{gate}"
            f"<h2>Questions</h2>{_html_table(_question_rows(results))}</body></html>")
