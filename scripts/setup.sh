#!/usr/bin/env bash
# Set up: a virtualenv in .venv with the platform and its test tools (from PyPI), and the
# front end (GOV.UK Frontend, axe-core) from the npm registry, built into core/web/static/build.
# Each part is skipped when what it depends on has not changed since it last ran.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

python_stamp=$(stamp_of pyproject.toml)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.cpc-installed 2>/dev/null)" != "$python_stamp" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[test]'
  echo "$python_stamp" > .venv/.cpc-installed
else
  echo "Python packages: up to date"
fi

npm_stamp=$(stamp_of package.json package-lock.json)
if [ ! -d node_modules ] || [ "$(cat node_modules/.cpc-installed 2>/dev/null)" != "$npm_stamp" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$npm_stamp" > node_modules/.cpc-installed
else
  echo "Front-end packages: up to date"
fi

build_stamp=$(stamp_of node_modules/.cpc-installed scripts/build_assets.mjs core/web/assets/*)
if [ "$(cat core/web/static/build/.cpc-built 2>/dev/null)" != "$build_stamp" ]; then
  npm run --silent build
  echo "$build_stamp" > core/web/static/build/.cpc-built
else
  echo "Front end: built and up to date"
fi
