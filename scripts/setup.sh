#!/usr/bin/env bash
# One-command set-up for a fresh clone: npm dependencies, then helm and promtool (cached, reused).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
bash scripts/install-tools.sh
