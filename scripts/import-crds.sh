#!/usr/bin/env bash
# Generate typed cdk8s TypeScript classes for the Prometheus Operator CRDs
# ServiceMonitor, PodMonitor and PrometheusRule (monitoring.coreos.com/v1).
#
# Re-run (from anywhere; idempotent, overwrites the generated file):
#
#     ./scripts/import-crds.sh
#
# To upgrade, change PROM_OPERATOR_VERSION below (see
# https://proxy.golang.org/github.com/prometheus-operator/prometheus-operator/@v/list),
# re-run and commit the regenerated src/imports/monitoring.coreos.com.ts.
#
# How it works: the CRD YAMLs are taken from the Go module zip of
# github.com/prometheus-operator/prometheus-operator (fetched with
# `go mod download` into the normal Go module cache, checksum-verified via
# sum.golang.org), concatenated into one multi-document YAML and passed to a
# single `cdk8s import` run, which emits one file named after the API group.
# Requirements: go, node_modules installed (cdk8s-cli is a devDependency).
set -euo pipefail

PROM_OPERATOR_MODULE="github.com/prometheus-operator/prometheus-operator"
PROM_OPERATOR_VERSION="v0.85.0"
CRD_DIR="example/prometheus-operator-crd"
CRDS=(servicemonitors podmonitors prometheusrules)

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT_DIR="${REPO_ROOT}/src/imports"
OUT_FILE="${OUT_DIR}/monitoring.coreos.com.ts"
CDK8S="${REPO_ROOT}/node_modules/.bin/cdk8s"

log() { echo "[import-crds] $*"; }

command -v go >/dev/null || { echo "go is required" >&2; exit 1; }
[[ -x "${CDK8S}" ]] || { echo "cdk8s-cli not found at ${CDK8S}; run npm ci" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "${WORK}"' EXIT

# 1. Fetch the pinned module (no-op when already in the module cache).
log "fetching ${PROM_OPERATOR_MODULE}@${PROM_OPERATOR_VERSION}"
MOD_JSON="$(cd "${WORK}" && GOFLAGS=-mod=mod go mod download -json "${PROM_OPERATOR_MODULE}@${PROM_OPERATOR_VERSION}")"
MOD_DIR="$(printf '%s\n' "${MOD_JSON}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
[[ -n "${MOD_DIR}" && -d "${MOD_DIR}" ]] || { echo "could not locate module dir in: ${MOD_JSON}" >&2; exit 1; }
log "module dir: ${MOD_DIR}"

# 2. Concatenate the selected CRDs into one multi-document YAML.
BUNDLE="${WORK}/monitoring.coreos.com-crds.yaml"
: > "${BUNDLE}"
for crd in "${CRDS[@]}"; do
  src="${MOD_DIR}/${CRD_DIR}/monitoring.coreos.com_${crd}.yaml"
  [[ -f "${src}" ]] || { echo "missing CRD file: ${src}" >&2; exit 1; }
  log "using ${CRD_DIR}/monitoring.coreos.com_${crd}.yaml"
  printf -- '---\n' >> "${BUNDLE}"
  # Drop any leading '---' of the source doc so documents are not empty.
  sed '1{/^---[[:space:]]*$/d}' "${src}" >> "${BUNDLE}"
  printf '\n' >> "${BUNDLE}"
done

# 3. Run cdk8s import in the temp dir (so no cdk8s.yaml is read/written in
#    the repo) and move the single generated file into place.
log "running cdk8s import ($("${CDK8S}" --version))"
(cd "${WORK}" && "${CDK8S}" import "${BUNDLE}" --language typescript --output gen \
  --no-save --no-check-upgrade >/dev/null)
GEN="${WORK}/gen/monitoring.coreos.com.ts"
[[ -f "${GEN}" ]] || { echo "cdk8s import did not produce ${GEN}; got: $(ls "${WORK}/gen")" >&2; exit 1; }

mkdir -p "${OUT_DIR}"
{
  printf '// Source: %s@%s %s/monitoring.coreos.com_{%s}.yaml\n' \
    "${PROM_OPERATOR_MODULE}" "${PROM_OPERATOR_VERSION}" "${CRD_DIR}" "$(IFS=,; echo "${CRDS[*]}")"
  printf '// Regenerate with scripts/import-crds.sh; do not edit by hand.\n'
  printf '/* eslint-disable */\n'
  cat "${GEN}"
} > "${WORK}/final.ts"

if [[ -f "${OUT_FILE}" ]] && cmp -s "${WORK}/final.ts" "${OUT_FILE}"; then
  log "unchanged: ${OUT_FILE#"${REPO_ROOT}"/}"
else
  mv "${WORK}/final.ts" "${OUT_FILE}"
  log "wrote: ${OUT_FILE#"${REPO_ROOT}"/} ($(wc -l < "${OUT_FILE}") lines)"
fi
log "classes: $(grep -oE '^export class [A-Za-z]+ extends ApiObject' "${OUT_FILE}" | awk '{print $3}' | paste -sd' ' -)"
