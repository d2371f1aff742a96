"""Shared bench helpers: machine description, load average, peak memory, percentiles, sample loading."""
from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
SAMPLE = BENCH / "datasets" / "embed_sample.jsonl"
DEV = REPO.parent / "shared" / "eval" / "dev.jsonl"

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    flags = ""
    try:
        text = Path("/proc/cpuinfo").read_text()
        flags = " ".join(f for f in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16")
                         if f" {f}" in text.split("flags", 1)[1].split("\n", 1)[0])
    except (OSError, IndexError):
        pass
    return {"cpu": cpu, "cores": len(os.sched_getaffinity(0)), "ram_gb": ram_gb, "cpu_flags": flags,
            "python": platform.python_version(), "platform": platform.platform()}


def write_report(out: Path | str, stem: str, table: str, data) -> None:
    """Print the Markdown ``table`` and write it to OUT/stem.md, ``data`` to OUT/stem.json."""
    print(table)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.md").write_text(table + "\n", encoding="utf-8")
    (out / f"{stem}.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def fit_arguments(doc: str, weights: Path | str):
    """The arguments every fitting script takes: ``--index`` (required), ``--out`` (results
    folder) and ``--weights`` (where the fitted JSON goes; default ``weights``)."""
    import argparse

    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--index", required=True)
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    ap.add_argument("--weights", default=str(weights))
    return ap.parse_args()


def fit_linear(records: list[dict], c: float, features) -> dict:
    """Standardise, then a class-balanced logistic regression, on every record's rows ``X`` and labels
    ``y``: the weights ``rag.fitted.LinearModel`` reads."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    X = np.array([row for r in records for row in r["X"]], dtype=float)
    y = np.array([label for r in records for label in r["y"]])
    scaler = StandardScaler().fit(X)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit((X - scaler.mean_) / scale, y)
    return {"features": list(features), "mean": scaler.mean_.tolist(), "scale": scale.tolist(),
            "coef": model.coef_[0].tolist(), "intercept": float(model.intercept_[0])}


def listwise_loss(records: list[dict], mean, scale, lam: float):
    """The conditional logit's objective over ``records`` (each with a positive) and its gradient,
    as a function of the weights on standardised features: the mean over records of
    -log(the positives' share of the record's softmax), plus ``lam`` times the squared weights."""
    Xq = (np.array([row for r in records for row in r["X"]], dtype=float) - mean) / scale
    pos = np.array([label for r in records for label in r["y"]], dtype=bool)
    sizes = [len(r["y"]) for r in records]
    starts = np.cumsum([0] + sizes[:-1])
    group = np.repeat(np.arange(len(records)), sizes)

    def loss(w):
        s = Xq @ w
        e = np.exp(s - np.maximum.reduceat(s, starts)[group])
        total, held = np.add.reduceat(e, starts), np.add.reduceat(np.where(pos, e, 0.0), starts)
        value = float(np.mean(np.log(total) - np.log(held))) + lam * w @ w
        coef = (e / total[group] - np.where(pos, e / held[group], 0.0)) / len(records)
        return value, Xq.T @ coef + 2 * lam * w

    return loss


def fit_listwise(records: list[dict], lam: float, features) -> dict:
    """Standardise, then a conditional logit (one softmax over each record's rows, the positives'
    share maximised; L2 penalty ``lam``) on the records that hold a positive: a ranker trained
    to put a positive first, as the reader is used. Its scores are then calibrated into
    probabilities by a class-balanced logistic regression on them (as ``fit_linear``'s are
    balanced), so the result is the same linear model ``rag.fitted.LinearModel`` reads: the
    ranking is the conditional logit's, the probability scale a balanced fit's."""
    from scipy.optimize import minimize
    from sklearn.linear_model import LogisticRegression

    X = np.array([row for r in records for row in r["X"]], dtype=float)
    mean = X.mean(axis=0)
    scale = np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
    loss = listwise_loss([r for r in records if any(r["y"])], mean, scale, lam)
    w = minimize(loss, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B").x
    scores = ((X - mean) / scale) @ w
    y = np.array([label for r in records for label in r["y"]])
    platt = LogisticRegression(class_weight="balanced", max_iter=5000).fit(scores[:, None], y)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    return {"features": list(features), "mean": mean.tolist(), "scale": scale.tolist(), "coef": (a * w).tolist(),
            "intercept": b}


def predict_linear(weights: dict, records: list[dict]) -> list[list[float]]:
    """Each record's logits under ``weights`` (``fit_linear``'s)."""
    mean, scale, coef = (np.array(weights[k]) for k in ("mean", "scale", "coef"))
    return [list(((np.array(r["X"], dtype=float) - mean) / scale) @ coef + weights["intercept"]) for r in records]


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def maxrss_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def pct(values, p) -> float:
    return round(float(np.percentile(np.asarray(values, dtype=float), p)), 3) if len(values) else float("nan")


def run_worker(args: list[str], timeout: float = 7200) -> dict:
    """Run ``python bench/<script> ...`` in a fresh process; its last stdout line is JSON."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=timeout,
                          cwd=str(REPO))
    if proc.returncode != 0:
        raise RuntimeError(f"worker {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out.setdefault("wall_s", round(time.perf_counter() - t0, 2))
    return out


def read_sample(path: Path = SAMPLE) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def sample_chunks(releases: list[dict]) -> tuple[list[str], list[str]]:
    """(embed texts, release id of each) of the sample, chunked as the project does (160/32 tokens)."""
    from rag.chunking import ChunkerSettings, chunk_release
    from rag.models import Release

    texts, owners = [], []
    for r in releases:
        rel = Release(id=r["id"], title=r["title"], date=r.get("date"), url=None, source=r.get("source", ""),
                      body=r["body"], path=r.get("path", r["id"]))
        for c in chunk_release(rel, ChunkerSettings()):
            texts.append(c.embed_text(rel.title, rel.date))
            owners.append(rel.id)
    return texts, owners


def tutorial_chunks(releases: list[dict]) -> list[str]:
    """The tutorial's chunks: 1,000 characters, 200 overlap, recursive character splitter."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    return [piece for r in releases for piece in splitter.split_text(r["body"])]
