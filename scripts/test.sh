#!/usr/bin/env bash
# Set up, lint, and run the tests (on SQLite; on PostgreSQL when CPC_DATABASE_URL is set).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
# Every core runs tests (pytest-xdist); each test has a database of its own either way.
exec .venv/bin/pytest -n auto "$@"
