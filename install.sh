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

# llama.cpp is compiled here. Its default build (-march=native) segfaulted on the first prompt on a
# 2-core Xeon that advertises AMX and AVX-512 (seen 2026-12-02: every decode of more than one token),
# so on x86-64 it is built for AVX2/FMA/F16C, which every x86-64 machine since 2013 has; --no-cache-dir
# keeps pip from reusing a wheel built natively before.
LLAMA_PIN=$(grep -o '"llama-cpp-python\[server\]==[^"]*"' pyproject.toml | tr -d '"')
if [ "$(uname -m)" = "x86_64" ]; then
  CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" \
    pip install --no-cache-dir "$LLAMA_PIN"
fi
pip install -e ".[test]"
