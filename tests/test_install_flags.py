"""install.sh's choice of llama.cpp build flags, run on made-up /proc/cpuinfo files: AVX-512 only where
every part GGML_AVX512 compiles for is listed, its extensions one by one, AMX never, and
RAG_LLAMA_PORTABLE=1 keeps to AVX2."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

INSTALL = Path(__file__).resolve().parents[1] / "install.sh"
PORTABLE = "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
AVX2 = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx avx2 fma f16c bmi2"
AVX512 = AVX2 + " avx512f avx512cd avx512vl avx512dq avx512bw"
AMX = " amx_bf16 amx_tile amx_int8"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="install.sh is a bash script")


def flags_block() -> str:
    text = INSTALL.read_text(encoding="utf-8")
    start = text.index("# >>> llama.cpp build flags")
    end = text.index("# <<< llama.cpp build flags")
    return text[start:end]


def llama_flags(tmp_path: Path, cpu_flags: str | None, **env: str) -> str:
    cpuinfo = tmp_path / ("cpuinfo" if cpu_flags is not None else "missing")
    if cpu_flags is not None:
        # two processors, as the real file lists them; only the first "flags" line is read
        cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {cpu_flags}\n\nprocessor\t: 1\nflags\t\t: {cpu_flags}\n")
    script = f"set -euo pipefail\n{flags_block()}\nCPUINFO={str(cpuinfo)!r}\nllama_flags\n"
    run_env = {k: v for k, v in os.environ.items() if k != "RAG_LLAMA_PORTABLE"} | env
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=run_env, check=True)
    return out.stdout.strip()


def test_avx2_machine_gets_the_portable_build(tmp_path):
    assert llama_flags(tmp_path, AVX2) == PORTABLE


def test_avx512_needs_every_part(tmp_path):
    assert llama_flags(tmp_path, AVX512) == PORTABLE + " -DGGML_AVX512=ON"
    # Knights Landing-like: avx512f but no BW/DQ/VL
    assert llama_flags(tmp_path, AVX2 + " avx512f avx512cd avx512er avx512pf") == PORTABLE


def test_extensions_and_never_amx(tmp_path):
    full = AVX512 + " avx512vbmi avx512_vnni avx512_bf16" + AMX
    flags = llama_flags(tmp_path, full)
    assert flags == PORTABLE + (" -DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON"
                                " -DGGML_AVX512_BF16=ON")
    assert "AMX" not in flags and "NATIVE=ON" not in flags
    # a flag's name inside another's ("avx512_vnni" is not "avx512_vnnix") does not count
    assert llama_flags(tmp_path, AVX512 + " avx512_vnnix") == PORTABLE + " -DGGML_AVX512=ON"


def test_portable_switch_and_unreadable_cpuinfo(tmp_path):
    assert llama_flags(tmp_path, AVX512 + " avx512_vnni", RAG_LLAMA_PORTABLE="1") == PORTABLE
    assert llama_flags(tmp_path, None) == PORTABLE  # no such file: the portable build
