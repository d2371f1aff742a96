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

pip install -e ".[test]"
