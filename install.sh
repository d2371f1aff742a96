#!/usr/bin/env bash
# Install press-rag and what its tests need: Debian's chromium (browser tests of the chat UI),
# then the package with its test extras into the active Python environment.
set -euo pipefail
cd "$(dirname "$0")"

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  echo "chromium and chromedriver already installed"
else
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install.sh: chromium is missing and neither root nor sudo is available;" \
         "install the Debian packages chromium and chromium-driver, then run this again" >&2
    exit 1
  fi
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver
fi

# llama.cpp is compiled here, for this machine's instruction sets but never for AMX: the default
# build (-march=native) segfaulted on the first prompt on a 2-core Xeon that advertises AMX and
# AVX-512 (seen 2026-12-02: every decode of more than one token). So on x86-64 it is built for
# AVX2/FMA/F16C, which every x86-64 machine since 2013 has, plus AVX-512 (and its VNNI, VBMI and
# BF16 parts) where /proc/cpuinfo lists them: prompts read 1.3-1.4x faster on a 2-core AMD EPYC
# (bench/results/llm_build.md). RAG_LLAMA_PORTABLE=1 keeps to AVX2. --no-cache-dir keeps pip from
# reusing a wheel built for another machine. After the install, one two-token answer from the
# bundled model checks the build; if it dies of a signal, the portable build replaces it.
# pip keeps an installed llama-cpp-python of the pinned version: uninstall it first to rebuild.
LLAMA_PIN=$(grep -o '"llama-cpp-python\[server\]==[^"]*"' pyproject.toml | tr -d '"')
# >>> llama.cpp build flags (tests/test_install_flags.py runs this block on made-up cpuinfo files)
PORTABLE="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
CPUINFO=/proc/cpuinfo
cpu_has() {  # every flag named is in $CPUINFO's first "flags" line
  local flags
  flags=" $(grep -m1 '^flags' "$CPUINFO" 2>/dev/null | cut -d: -f2) "
  for f in "$@"; do case "$flags" in *" $f "*) ;; *) return 1 ;; esac; done
}
llama_flags() {
  local out="$PORTABLE"
  if [ -z "${RAG_LLAMA_PORTABLE:-}" ] && cpu_has avx512f avx512cd avx512vl avx512dq avx512bw; then
    out="$out -DGGML_AVX512=ON"
    if cpu_has avx512vbmi; then out="$out -DGGML_AVX512_VBMI=ON"; fi
    if cpu_has avx512_vnni; then out="$out -DGGML_AVX512_VNNI=ON"; fi
    if cpu_has avx512_bf16; then out="$out -DGGML_AVX512_BF16=ON"; fi
  fi
  echo "$out"
}
# <<< llama.cpp build flags
build_llama() {  # flags, then pip's own options
  local flags="$1"; shift
  echo "install.sh: building $LLAMA_PIN with $flags"
  CMAKE_ARGS="$flags" pip install --no-cache-dir "$@" "$LLAMA_PIN"
}
LLAMA_FLAGS=""  # set on x86-64 only
if [ "$(uname -m)" = "x86_64" ]; then
  LLAMA_FLAGS=$(llama_flags)
  build_llama "$LLAMA_FLAGS"
fi
pip install -e ".[test]"
if [ -n "$LLAMA_FLAGS" ] && [ "$LLAMA_FLAGS" != "$PORTABLE" ]; then
  rc=0
  python - <<'PY' || rc=$?
from rag.answer.llm import LlamaChat
from rag.settings import load_settings
s = load_settings()
chat = LlamaChat(max_tokens=2, cache_dir=s.cache.dir, flash_attn=s.local.flash_attn)
print("install.sh: the llama.cpp build answers:", repr("".join(chat.stream([{"role": "user", "content": "Say yes."}]))))
PY
  if [ "$rc" -gt 128 ]; then
    echo "install.sh: llama.cpp built with '$LLAMA_FLAGS' died of signal $((rc - 128)); building for AVX2 only" >&2
    build_llama "$PORTABLE" --force-reinstall --no-deps
  elif [ "$rc" -ne 0 ]; then
    echo "install.sh: the bundled model could not be checked (exit $rc, above); llama.cpp kept as built" >&2
  fi
fi
