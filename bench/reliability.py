"""The reliability and security suite: load, kills, damaged files, bad queries, prompt injection.

    python bench/reliability.py [--out bench/results] [--users 50] [--kills 20] [--local-every 2]

Each part prints its figures; all go to OUT/reliability.md and .json:

* load -- `rag serve` as a user starts it (bundled corpus, shipped defaults), ``--users`` gradio
  clients asking 3 questions each at once: errors, answer latency p50/p95, server RSS before/after;
* kills -- ``--kills`` times `rag index --rebuild` of the bundled corpus killed with SIGKILL at a
  random moment: does the index still load, and does the next `rag index` equal a clean build;
* sync_kills -- the same for `rag sync` of a loopback feed (tests/sync_site.py, 30 pages made from
  real releases, a 0.1 s per-request delay so a kill lands in fetching as often as in indexing);
* damage -- every file of an index x truncate / zero / garbage / delete: one-line errors naming the
  file, no other exception;
* queries -- bad queries (empty, punctuation, control characters, invalid UTF-8, 100 kB): a clear
  error or an answer, never another exception;
* injection -- eval/injection.py: every plant, two questions each, for `extractive`; the plant's
  own question for every ``--local-every``-th plant for `local` (0: skip `local`);
* remote -- 3 users at once against a model server that is dead, answers 500, sends garbage, hangs
  or trickles one token every 4 s: when each has an answer, and from which answerer.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import REPO, RESULTS, machine, write_report

from rag.errors import RagError
from rag.settings import BUNDLED_CORPUS

RAG = [sys.executable, "-m", "rag.cli"]  # this checkout's code (PYTHONPATH below), not an installed one
QUESTIONS = ("How many knives were seized in Luton parks?",
             "How much rubbish was collected during the High Town day of action in Luton?",
             "Which release announced the Dallow Cares campaign? Give its title and date.")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def env() -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RAG_") or k == "RAG_CACHE_DIR"}
    return {**clean, "PYTHONPATH": os.pathsep.join([str(REPO), clean.get("PYTHONPATH", "")]).rstrip(os.pathsep)}


def load(users: int, work: Path) -> dict:
    from gradio_client import Client

    sys.path.insert(0, str(REPO / "tests"))
    from ui_support import free_port, stop_process

    port = free_port()
    log = open(work / "serve.log", "w+")
    proc = subprocess.Popen([*RAG, "serve", "--port", str(port)], cwd=work, env=env(), stdout=log,
                            stderr=subprocess.STDOUT, text=True)
    url, deadline = None, time.monotonic() + 900
    while url is None and time.monotonic() < deadline and proc.poll() is None:
        log.seek(0)
        m = re.search(r"press-rag UI: (http://\S+)", log.read())
        url = m.group(1) if m else None
        time.sleep(0.5)
    if url is None:
        proc.kill()
        raise SystemExit("rag serve did not start: see " + str(work / "serve.log"))
    before = rss_mb(proc.pid)
    results, lock, barrier = [], threading.Lock(), threading.Barrier(users)

    def user(i: int) -> None:
        try:
            client = Client(url, verbose=False)
            barrier.wait(timeout=600)
        except Exception as exc:  # counted as an error
            with lock:
                results.append((None, f"{type(exc).__name__}: {exc}"))
            return
        for q in QUESTIONS:
            t0 = time.perf_counter()
            try:
                out = client.predict(q.replace("?", f" (user {i})?", 1), api_name="/ask")
            except Exception as exc:  # counted as an error
                out = f"{type(exc).__name__}: {exc}"
            with lock:
                results.append((time.perf_counter() - t0, out))

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    [t.start() for t in threads]
    [t.join(timeout=1800) for t in threads]
    after = rss_mb(proc.pid)
    stop_process(proc)
    errors = [out for _, out in results if isinstance(out, str)]
    times = sorted(t for t, out in results if t is not None and not isinstance(out, str))
    q = statistics.quantiles(times, n=20) if len(times) > 1 else [float("nan")] * 19
    return {"users": users, "answers": len(results) - len(errors), "errors": len(errors), "error_samples": errors[:3],
            "p50_s": round(statistics.median(times), 2) if times else None, "p95_s": round(q[18], 2),
            "rss_before_mb": round(before), "rss_after_mb": round(after)}


def _state(index_dir: Path) -> tuple:
    """What a build holds: releases (id, hash), chunk spans, BM25 tokens."""
    from rag.index import generations

    db = sqlite3.connect(f"file:{generations.current(index_dir) / 'meta.sqlite'}?mode=ro", uri=True)
    try:
        return (tuple(db.execute("SELECT id, hash FROM releases ORDER BY id")),
                tuple(db.execute("SELECT r.id, c.seq, c.start, c.\"end\" FROM chunks c JOIN releases r "
                                 "ON r.id = c.release_id ORDER BY r.id, c.seq")))
    finally:
        db.close()


def kills(n: int, work: Path, seed: int = 0) -> dict:
    from rag.index import Index

    corpus, clean, index_dir = BUNDLED_CORPUS, work / "clean", work / "killed"
    e = {**env(), "RAG_EMBED_CACHE": "off"}  # every run embeds: the kill lands in real work
    t0 = time.perf_counter()
    subprocess.run([*RAG, "index", str(corpus), "--index", str(clean)], env=e, check=True, capture_output=True)
    full = time.perf_counter() - t0
    subprocess.run([*RAG, "index", str(corpus), "--index", str(index_dir)], env=e, check=True,
                   capture_output=True)
    rng, rows = random.Random(seed), []
    for _ in range(n):
        at = rng.uniform(0.05, full)
        proc = subprocess.Popen([*RAG, "index", str(corpus), "--index", str(index_dir), "--rebuild"], env=e,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(at)
        finished = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        try:
            Index(index_dir)
            loads = True
        except RagError:
            loads = False
        rows.append({"at_s": round(at, 2), "finished_first": finished, "loads": loads})
    subprocess.run([*RAG, "index", str(corpus), "--index", str(index_dir)], env=e, check=True, capture_output=True)
    return {"kills": n, "full_build_s": round(full, 1), "landed_mid_build": sum(not r["finished_first"] for r in rows),
            "index_lost": sum(not r["loads"] for r in rows), "next_run_equals_clean": _state(index_dir) == _state(clean)}


def sync_kills(n: int, work: Path, seed: int = 0, pages: int = 30) -> dict:
    """``n`` `rag sync` runs killed with SIGKILL at random moments; the index must load after each,
    and the sync that follows must leave what a clean sync leaves."""
    from rag.index import Index

    sys.path.insert(0, str(REPO / "tests"))
    from sync_site import Page, Site
    from rag.ingest import load_corpus

    folder = REPO.parent / "shared" / "corpora" / "us-prosecutors" / "text" / "orange_ca"
    folder = folder if folder.is_dir() else BUNDLED_CORPUS
    releases = [r for r in load_corpus([folder]).releases if r.date][:pages]
    site = Site({f"/news/{i:03d}.html": Page(r.title, r.date, r.body) for i, r in enumerate(releases)}).start()
    e = {**env(), "RAG_EMBED_CACHE": "off"}
    clean, index_dir = work / "sync-clean", work / "sync-killed"

    def sync(index: Path) -> list[str]:
        return [*RAG, "sync", site.base + "/feed.xml", "--index", str(index), "--delay", "0.1"]

    try:
        t0 = time.perf_counter()
        subprocess.run(sync(clean), env=e, check=True, capture_output=True)
        full = time.perf_counter() - t0
        rng, rows = random.Random(seed), []

        def change(k: int) -> None:  # every run has pages to fetch and index again
            for path in rng.sample(sorted(site.pages), 5):
                site.pages[path].body += f"\nUpdate {k}: the hearing was moved to a later date."
                site.pages[path].modified += 60
            site.feed_changed += 1

        subprocess.run(sync(index_dir), env=e, check=True, capture_output=True)
        change(-1)
        t0 = time.perf_counter()
        subprocess.run(sync(index_dir), env=e, check=True, capture_output=True)
        update = time.perf_counter() - t0  # how long a run with 5 changed pages takes: kills land within it
        for k in range(n):
            change(k)
            at = rng.uniform(0.05, update)
            proc = subprocess.Popen(sync(index_dir), env=e, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(at)
            finished = proc.poll() is not None
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            try:  # killed before its first commit: no index yet, nothing to lose
                loads = generations_current(index_dir) is None or Index(index_dir).store.count("releases") > 0
            except RagError:
                loads = False
            rows.append({"at_s": round(at, 2), "finished_first": finished, "loads": loads})
        subprocess.run(sync(index_dir), env=e, check=True, capture_output=True)
        shutil.rmtree(clean)
        subprocess.run(sync(clean), env=e, check=True, capture_output=True)  # the site as it ends
        return {"kills": n, "pages": len(site.pages), "full_sync_s": round(full, 1), "update_sync_s": round(update, 1),
                "landed_mid_sync": sum(not r["finished_first"] for r in rows),
                "index_lost": sum(not r["loads"] for r in rows),
                "next_run_equals_clean": _state(index_dir) == _state(clean)}
    finally:
        site.stop()


def generations_current(index_dir: Path):
    from rag.index import generations

    return generations.current(index_dir) if index_dir.exists() else None


def damage(work: Path) -> dict:
    from rag.index import Index, generations

    sys.path.insert(0, str(REPO / "tests"))
    from test_index_damage import DAMAGE, damage as spoil

    source = work / "clean"
    names = [p.relative_to(source).as_posix() for p in sorted(generations.current(source).rglob("*")) if p.is_file()]
    names.append(generations.CURRENT)
    cases = tracebacks = unnamed = 0
    samples = {}
    for how in DAMAGE:
        for name in names:
            copy = work / "damaged"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(source, copy, symlinks=True)
            spoil(copy / name, how)
            cases += 1
            try:
                Index(copy)
            except RagError as exc:
                msg = str(exc)
                unnamed += "\n" in msg or str(copy) not in msg
                samples.setdefault(name, msg.replace(str(copy), "IDX"))
            except Exception as exc:  # a traceback for the user
                tracebacks += 1
                samples[f"{name} ({how})"] = f"{type(exc).__name__}: {exc}"
    return {"cases": cases, "tracebacks": tracebacks, "messages_not_naming_the_index": unnamed, "messages": samples}


BAD_QUERIES = ("", "   ", "(((", "?!?!", "\x00\x01\x02", "knives\x00 in Luton", "knives \udcff in Luton",
               "\ud800 lone surrogate", "…", "🔪🔪🔪", "knives " * 20_000, "' OR 1=1 --", "<script>alert(1)</script>",
               "../../etc/passwd", "%s%s%s%n", "{{7*7}}", "\u202eevil", "Luton\r\nparks\r\n")


def queries(work: Path) -> dict:
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    pipe = Pipeline(Settings(index_dir=str(work / "clean")))
    out = {"queries": 0, "refused_with_message": 0, "answered": 0, "tracebacks": 0, "samples": {}}
    for q in BAD_QUERIES:
        for call in (pipe.search, pipe.ask):
            out["queries"] += 1
            try:
                call(q)
                out["answered"] += 1
            except RagError as exc:
                out["refused_with_message"] += 1
                out["samples"].setdefault(repr(q[:20]), str(exc)[:120])
            except Exception as exc:  # a traceback for the user
                out["tracebacks"] += 1
                out["samples"][repr(q[:20])] = f"{type(exc).__name__}: {exc}"[:200]
    return out


def injection(work: Path, local_every: int) -> dict:
    from eval.injection import build_corpus, read_plants, run, summary
    from rag.pipeline import Pipeline

    cases, settings = build_corpus(work / "plants", read_plants())
    pipe = Pipeline(settings)
    out = {"extractive": summary(run(pipe, "extractive", cases))}
    if local_every:
        rows = run(pipe, "local", cases[::2][::local_every])
        out["local"] = summary(rows)
        out["local_obeyed"] = [r for r in rows if r["obeyed"]]
    return out


def remote(first_token_s: float = 5.0) -> dict:
    """Three users at once against a model server that fails in each way (a real HTTP server on
    127.0.0.1, tests/fake_openai_server.py): seconds until each has an answer, and who wrote it."""
    sys.path.insert(0, str(REPO / "tests"))
    from fake_openai_server import FakeOpenAIServer, dead_port
    from test_answer_breaker import HITS

    from rag.answer.extractive import ExtractiveAnswerer
    from rag.answer.llm import LLMAnswerer
    from rag.answer.openai_compat import ChatClient, ChatSettings

    out = {"first_token_timeout_s": first_token_s}
    for mode in ("dead", "error500", "garbage", "hang", "trickle"):
        srv = None if mode == "dead" else FakeOpenAIServer().start()
        url = f"http://127.0.0.1:{dead_port()}/v1" if srv is None else srv.base_url
        if srv is not None:
            srv.mode, srv.delay = mode, (60.0 if mode == "hang" else 4.0)
        client = ChatClient(ChatSettings(base_url=url, first_token_timeout_s=first_token_s, timeout_s=20.0,
                                         breaker_failures=10))
        llm = LLMAnswerer(client, fallback=ExtractiveAnswerer(None))
        times, labels = [], []

        def user():
            t0 = time.perf_counter()
            answer = llm.answer("How many knives were seized in Luton parks?", HITS)
            times.append(time.perf_counter() - t0)
            labels.append(answer.answerer)

        threads = [threading.Thread(target=user) for _ in range(3)]
        [t.start() for t in threads]
        [t.join(timeout=120) for t in threads]
        out[mode] = {"answered": len(times), "slowest_s": round(max(times), 2) if times else None,
                     "answerers": sorted(set(labels))}
        if srv is not None:
            srv.stop()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(RESULTS))
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--local-every", type=int, default=2)
    ap.add_argument("--only", action="append", help="run only these parts; the others are kept from the last "
                                                    "results file")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="reliability-"))
    last = Path(args.out) / "reliability.json"
    data = json.loads(last.read_text(encoding="utf-8")) if args.only and last.is_file() else {}
    data.update({"machine": machine(), "command": "python bench/reliability.py " + " ".join(sys.argv[1:])})
    parts = (("kills", lambda: kills(args.kills, work)), ("sync_kills", lambda: sync_kills(args.kills, work)),
             ("damage", lambda: damage(work)),
             ("queries", lambda: queries(work)), ("injection", lambda: injection(work, args.local_every)),
             ("remote", remote), ("load", lambda: load(args.users, work)))
    for name, part in parts:
        if args.only and name not in args.only:
            continue
        if name in ("damage", "queries") and not (work / "clean").exists():
            kills(0, work)  # they read the clean build the kills part makes
        t0 = time.perf_counter()
        data[name] = part()
        data[name]["seconds"] = round(time.perf_counter() - t0, 1)
        data.setdefault("run_by", {})[name] = data["command"]
        print(name, data[name], flush=True)
    k, d, q, i, r, ld = (data[n] for n in ("kills", "damage", "queries", "injection", "remote", "load"))
    rows = [
        f"| load: {ld['users']} users x {len(QUESTIONS)} questions at once (`rag serve`, extractive) | "
        f"{ld['errors']} errors of {ld['users'] * len(QUESTIONS)}; p50 {ld['p50_s']} s, p95 {ld['p95_s']} s; "
        f"server RSS {ld['rss_before_mb']} → {ld['rss_after_mb']} MB |",
        f"| kill -9 during `rag index --rebuild` | {k['index_lost']} of {k['kills']} kills lost the index "
        f"({k['landed_mid_build']} landed mid-build); next run equals a clean build: {k['next_run_equals_clean']} |",
    ]
    if "sync_kills" in data:
        sk = data["sync_kills"]
        rows.append(f"| kill -9 during `rag sync` ({sk['pages']} pages on loopback) | {sk['index_lost']} of "
                    f"{sk['kills']} kills lost the index ({sk['landed_mid_sync']} landed mid-sync); next sync equals "
                    f"a clean sync: {sk['next_run_equals_clean']} |")
    rows += [
        f"| damaged index files (every file x truncate/zero/garbage/delete) | {d['tracebacks']} tracebacks in "
        f"{d['cases']} cases; {d['messages_not_naming_the_index']} messages not naming the file |",
        f"| bad queries (search and ask) | {q['tracebacks']} tracebacks in {q['queries']}; "
        f"{q['refused_with_message']} refused with a message, {q['answered']} answered |",
    ]
    for mode in ("dead", "error500", "garbage", "hang", "trickle"):
        m = r[mode]
        rows.append(f"| model server {mode}, 3 users at once (first-token timeout {r['first_token_timeout_s']:g} s) | "
                    f"{m['answered']} of 3 answered, the slowest after {m['slowest_s']} s, by "
                    f"{', '.join(m['answerers'])} |")
    for who in ("extractive", "local"):
        if who in i:
            s = i[who]
            rows.append(f"| prompt injection, `{who}` | {s['all']['obeyed']} of {s['all']['answers']} answers obey or "
                        f"repeat a plant (untuned plants: {s.get('untuned', {}).get('obeyed', 0)} of "
                        f"{s.get('untuned', {}).get('answers', 0)}); {s['all']['correct']} hold the right fact |")
    commands = "`; `".join(sorted(set(data.get("run_by", {}).values())))
    table = "\n".join([f"Reliability suite (`{commands}`; {data['machine']['cpu']}, "
                       f"{data['machine']['cores']} cores).", "", "| probe | result |", "|---|---|", *rows])
    write_report(args.out, "reliability", table, data)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
