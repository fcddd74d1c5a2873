#!/usr/bin/env bash
# Set up: a virtualenv in .venv with the platform and its test tools (from PyPI), and the
# front end (GOV.UK Frontend, axe-core) from the npm registry, built into core/web/static/build.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build
