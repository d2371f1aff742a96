"""How long the local model takes to read a prompt with two builds of llama.cpp, and whether they
answer alike.

    python bench/llm_build.py --other DIR [--label NAME] [--repeats 6] [--out bench/results]

``DIR`` holds another install of llama-cpp-python (``pip install --target DIR --no-deps WHEEL``, e.g. a
wheel built with ``CMAKE_ARGS`` for AVX2 only, ``RAG_LLAMA_PORTABLE=1``'s build). Each build runs in
its own process, the other first on ``PYTHONPATH``: ``bench/llm_flash.py``'s prompts (the `local`
answerer's shape, flash attention on as shipped, the system prompt cached), the median time to the first
token of ``repeats`` of them, then the whole answer to each of them (``max_tokens`` 60, temperature 0) to
compare the builds' text. Writes OUT/llm_build.{md,json}. Nothing else should run meanwhile (2 cores).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from common import REPO, machine, write_report


def child(repeats: int) -> dict:
    import llama_cpp

    from llm_flash import child as first_tokens
    from llm_flash import messages_for
    from rag.answer.llm import LlamaChat

    chat = LlamaChat(flash_attn=True)
    row = first_tokens(True, repeats, chat)
    chat.max_tokens = 60
    row["answers"] = ["".join(chat.stream(messages_for(run))) for run in range(repeats)]
    info = llama_cpp.llama_print_system_info()
    row["system_info"] = info.decode() if isinstance(info, bytes) else str(info)
    row["llama_cpp"] = os.path.dirname(llama_cpp.__file__)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--other", required=True, help="a folder holding another llama-cpp-python install")
    ap.add_argument("--label", default="other", help="what the other build is, for the table")
    ap.add_argument("--repeats", type=int, default=6)
    ap.add_argument("--out", default=str(REPO / "bench" / "results"))
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.repeats)))
        return
    if not os.path.isdir(os.path.join(args.other, "llama_cpp")):
        sys.exit(f"llm_build.py: no llama_cpp package in {args.other!r}")
    rows = []
    for label, extra in (("installed", None), (args.label, args.other)):
        env = dict(os.environ)
        if extra:
            env["PYTHONPATH"] = os.pathsep.join(p for p in (extra, env.get("PYTHONPATH")) if p)
        out = subprocess.run([sys.executable, __file__, "--child", "--other", args.other, "--repeats",
                              str(args.repeats)], check=True, capture_output=True, text=True, env=env).stdout
        rows.append({"build": label, **json.loads(out.strip().splitlines()[-1])})
    base = rows[0]["median_s"]
    same = sum(a == b for a, b in zip(rows[0]["answers"], rows[1]["answers"]))
    lines = [f"Time to the first token of the bundled model reading a prompt of the `local` answerer's shape "
             f"(user turn ~{rows[0]['user_tokens']:.0f} tokens; the system prompt cached; flash attention on), "
             f"median of {args.repeats}, with two builds of llama.cpp; `python bench/llm_build.py --other DIR "
             f"--label {args.label}`. Answers (60 tokens at most, temperature 0) identical between the builds: "
             f"{same} of {len(rows[0]['answers'])}.", "",
             "| build | first token (s) | vs installed | instruction sets (llama.cpp's system info) |",
             "|---|---|---|---|"]
    for r in rows:
        isa = " ".join(part.strip().replace(" = 1", "") for part in r["system_info"].split("|")
                       if part.strip().endswith("= 1") and "AVX" in part)
        lines.append(f"| {r['build']} | {r['median_s']:.2f} | {r['median_s'] / base:.2f}x | {isa} |")
    write_report(args.out, "llm_build", "\n".join(lines), {"machine": machine(), "rows": rows})


if __name__ == "__main__":
    main()
