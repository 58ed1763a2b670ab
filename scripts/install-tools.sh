#!/usr/bin/env bash
# Installs the real components the tests use, cached outside the repository and reused:
#   helm      built from its Go module (pinned below) into $SAASPLANE_TOOLS/helm-<version>/helm
#   saasplane-render  the batch renderer (tools/render: helm's template code, many releases per process),
#             built against the same helm version into $SAASPLANE_TOOLS/saasplane-render-<version>/, rebuilt when its source changes
#   registry  the CNCF distribution OCI registry, built from its Go module, for the OCI chart test
#   prometheus, promtool  from Debian's `prometheus` package (rule tests, the usage test's Prometheus)
#   chromium  from Debian (the usage report's screenshot)
# Prints what it does. Re-running is cheap: present tools are kept.
set -euo pipefail

HELM_VERSION=v3.21.4   # keep in sync with PINNED_HELM_VERSION in src/core/helm.ts (a test checks it)
REGISTRY_VERSION=v3.1.2   # keep in sync with REGISTRY_VERSION in test/helm/oci-registry.test.ts
TOOLS="${SAASPLANE_TOOLS:-$HOME/.cache/saasplane/tools}"

helm_dir="$TOOLS/helm-$HELM_VERSION"
if [ -x "$helm_dir/helm" ]; then
  echo "helm $HELM_VERSION: cached at $helm_dir/helm"
else
  command -v go >/dev/null || { echo "go is required to build helm (https://go.dev/dl/), or set HELM_BINARY to a helm $HELM_VERSION binary" >&2; exit 1; }
  echo "helm $HELM_VERSION: building from helm.sh/helm/v3 (a few minutes on first run)..."
  start=$SECONDS
  mkdir -p "$helm_dir.tmp"
  GOBIN="$helm_dir.tmp" GOFLAGS=-mod=mod go install \
    -ldflags "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
    "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
  rm -rf "$helm_dir" && mv "$helm_dir.tmp" "$helm_dir"
  echo "helm $HELM_VERSION: built in $((SECONDS - start)) s at $helm_dir/helm"
fi

render_dir="$TOOLS/saasplane-render-$HELM_VERSION"
render_src="$(cd "$(dirname "$0")/../tools/render" && pwd)"
render_digest="$(cat "$render_src/go.mod" "$render_src/go.sum" "$render_src/main.go" | sha256sum | cut -c1-16)"
if [ -x "$render_dir/saasplane-render" ] && [ "$(cat "$render_dir/source.sha256" 2>/dev/null)" = "$render_digest" ]; then
  echo "saasplane-render (helm $HELM_VERSION): cached at $render_dir/saasplane-render"
else
  echo "saasplane-render (helm $HELM_VERSION): building tools/render (reuses helm's module and build caches)..."
  start=$SECONDS
  rm -rf "$render_dir.tmp" && mkdir -p "$render_dir.tmp"
  # the version helm itself is built with: templates see it as .Capabilities.HelmVersion
  (cd "$render_src" && GOFLAGS=-mod=readonly go build -o "$render_dir.tmp/saasplane-render" \
    -ldflags "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" .)
  echo "$render_digest" > "$render_dir.tmp/source.sha256"
  rm -rf "$render_dir" && mv "$render_dir.tmp" "$render_dir"
  echo "saasplane-render: built in $((SECONDS - start)) s at $render_dir/saasplane-render"
fi
# its version, read by BatchHelmRenderer.id without starting it (written after the binary: newer)
[ -s "$render_dir/version.txt" ] || { "$render_dir/saasplane-render" version > "$render_dir/version.txt.tmp" && mv "$render_dir/version.txt.tmp" "$render_dir/version.txt"; }

registry_dir="$TOOLS/registry-$REGISTRY_VERSION"
if [ -x "$registry_dir/registry" ]; then
  echo "registry $REGISTRY_VERSION: cached at $registry_dir/registry"
else
  echo "registry $REGISTRY_VERSION: building from github.com/distribution/distribution/v3 (a few minutes on first run)..."
  start=$SECONDS
  GOBIN="$registry_dir.tmp" GOFLAGS=-mod=mod go install "github.com/distribution/distribution/v3/cmd/registry@$REGISTRY_VERSION"
  rm -rf "$registry_dir" && mv "$registry_dir.tmp" "$registry_dir"
  echo "registry $REGISTRY_VERSION: built in $((SECONDS - start)) s"
fi

# Debian packages: Prometheus and promtool (rule tests, the usage test's real Prometheus) and
# Chromium (the usage report's screenshot)
missing=()
command -v promtool >/dev/null && command -v prometheus >/dev/null || missing+=(prometheus)
command -v chromium >/dev/null || missing+=(chromium fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}..."
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "prometheus: $(command -v prometheus), promtool: $(command -v promtool), chromium: $(command -v chromium)"
