#!/usr/bin/env bash
# Install everything the test suite needs, then run all of it.
# This is the README's test command; .ci/run runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

"$PYTHON" -m pip install --quiet --disable-pip-version-check -e ".[test]"

# The accessibility tests drive Debian's Chromium with Playwright.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium >/dev/null
fi

# With the browser installed, a browser test must run, not skip.
export PERFPAGES_REQUIRE_BROWSER=1
# A process per core (pytest-xdist): the suite took 10 to 12 minutes in one on CI's two cores.
exec "$PYTHON" -m pytest -n auto "$@"
