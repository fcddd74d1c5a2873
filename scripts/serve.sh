#!/usr/bin/env bash
# Set up, migrate the database, load all three areas' plans, and serve the platform.
# Usage: scripts/serve.sh [--host HOST] [--port PORT]   (CPC_DATABASE_URL picks the database)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Served over plain http on this machine, so cookies may not demand https here.
export CPC_SECURE_COOKIES="${CPC_SECURE_COOKIES:-0}"
.venv/bin/cpc init
exec .venv/bin/cpc serve "$@"
