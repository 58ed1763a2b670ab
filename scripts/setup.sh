#!/usr/bin/env bash
# One-command set-up for a fresh clone: npm dependencies, then the real components the tests use
# (helm, promtool, the control plane, the Pulumi CLI and Kubernetes provider), cached and reused.
set -euo pipefail
cd "$(dirname "$0")/.."
# `npm install` rather than `npm ci`: npm 11's `ci` rejects this lock file for the optional
# per-platform packages of unrs-resolver (an eslint dependency) that it leaves out of the lock.
npm install --no-audit --no-fund
bash scripts/install-tools.sh
bash scripts/build-control-plane.sh
bash scripts/build-pulumi.sh
