"""How long the local model takes to read a prompt, with and without llama.cpp's flash attention.

    python bench/llm_flash.py [--out bench/results] [--repeats 4]

Each setting (``local.flash_attn`` false, then true) runs in its own process: the bundled model
loaded through ``LlamaChat`` as the `local` answerer loads it, one warm-up prompt (it also caches
the system prompt's tokens, as in use), then ``repeats`` prompts of the answerer's own shape
(``build_messages``: 3 passages of about 400 characters under one release title) with different
passages each time, so only the system prompt is a cached prefix. Reports the median time to the
first token (one token generated) and the user turn's length, and writes OUT/llm_flash.{md,json}.
Nothing else should run meanwhile (2 cores).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

from common import REPO, machine, write_report

SENTENCE = ("Officers from the {n}th district seized {k} knives and {g} firearms during {s} weapons sweeps in "
            "parks across the town, and {a} people were arrested on suspicion of possession. ")


def messages_for(run: int) -> list[dict]:
    """Prompt ``run``: the `local` answerer's messages for 3 passages of one made-up release."""
    from rag.answer.prompt import Source, build_messages
    from rag.models import Release

    body = "".join(SENTENCE.format(n=run + i, k=10 + run + i, g=run + 2 * i, s=20 + i, a=run * 3 + i)
                   for i in range(9))
    rel = Release(f"r{run}.txt", f"Weapons sweeps in parks, week {run}", "2022-04-12", None, "beds", body, "")
    third = len(body) // 3
    sources = [Source(i + 1, rel, i * third, i * third + min(third, 400)) for i in range(3)]
    return build_messages(f"How many knives were seized in week {run}?", sources, one_title=True)


def child(flash: bool, repeats: int, chat=None) -> dict:
    """Median time to the first token over ``repeats`` prompts, with ``chat`` (a ``LlamaChat``; by
    default a new one) set to generate one token."""
    from rag.answer.llm import LlamaChat

    chat = chat or LlamaChat(flash_attn=flash)
    chat.max_tokens = 1
    list(chat.stream(messages_for(999)))  # load, warm, cache the system prompt
    llm = chat._load()
    times, tokens = [], []
    for run in range(repeats):
        msgs = messages_for(run)
        tokens.append(len(llm.tokenize(msgs[-1]["content"].encode())))
        t0 = time.perf_counter()
        list(chat.stream(msgs))
        times.append(time.perf_counter() - t0)
    return {"flash_attn": flash, "first_token_s": times, "median_s": statistics.median(times),
            "user_tokens": statistics.median(tokens)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    ap.add_argument("--repeats", type=int, default=4)
    ap.add_argument("--child", choices=("on", "off"))
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child == "on", args.repeats)))
        return
    rows = []
    for flag in ("off", "on"):
        out = subprocess.run([sys.executable, __file__, "--child", flag, "--repeats", str(args.repeats)],
                             check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    base = rows[0]["median_s"]
    lines = [f"Time to the first token of the bundled model reading a prompt of the `local` answerer's shape "
             f"(user turn ~{rows[0]['user_tokens']:.0f} tokens; the system prompt cached), median of "
             f"{args.repeats}; `python bench/llm_flash.py`.", "",
             "| flash attention | first token (s) | vs off |", "|---|---|---|"]
    lines += [f"| {'on' if r['flash_attn'] else 'off'} | {r['median_s']:.2f} | {r['median_s'] / base:.2f}x |"
              for r in rows]
    write_report(args.out, "llm_flash", "\n".join(lines), {"machine": machine(), "rows": rows})


if __name__ == "__main__":
    main()
