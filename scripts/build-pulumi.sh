#!/usr/bin/env bash
# Builds the Pulumi CLI and the Kubernetes resource provider from ../shared/vendor/pulumi (the module
# proxy refuses the provider module, and nothing else is downloadable here), cached outside the
# repository by version and reused:
#   $SAASPLANE_TOOLS/pulumi-v<cli>-kubernetes-v<provider>/bin/pulumi
#   $SAASPLANE_TOOLS/pulumi-v<cli>-kubernetes-v<provider>/plugins/pulumi-resource-kubernetes
# About 26 minutes from cold Go caches on 2 cores, then free. The real-engine tests install the
# plugin into their own PULUMI_HOME with `pulumi plugin install --file`.
set -euo pipefail

PULUMI_VERSION=v3.245.0              # keep in sync with PULUMI_VERSION in src/cli/tools.ts
PULUMI_KUBERNETES_VERSION=v4.32.0    # keep in sync with @pulumi/kubernetes in package.json (a test checks it)
TOOLS="${SAASPLANE_TOOLS:-$HOME/.cache/saasplane/tools}"
VENDOR="${SAASPLANE_PULUMI_VENDOR:-$(cd "$(dirname "$0")/../.." && pwd)/shared/vendor/pulumi}"

dir="$TOOLS/pulumi-$PULUMI_VERSION-kubernetes-$PULUMI_KUBERNETES_VERSION"
if [ -x "$dir/bin/pulumi" ] && [ -x "$dir/plugins/pulumi-resource-kubernetes" ]; then
  echo "pulumi $PULUMI_VERSION + kubernetes provider $PULUMI_KUBERNETES_VERSION: cached at $dir"
  exit 0
fi
command -v go >/dev/null || { echo "go is required to build the Pulumi CLI (https://go.dev/dl/)" >&2; exit 1; }
[ -x "$VENDOR/ci-build.sh" ] || { echo "missing $VENDOR/ci-build.sh: clone saasplane next to ../shared, or set SAASPLANE_PULUMI_VENDOR" >&2; exit 1; }
echo "pulumi $PULUMI_VERSION + kubernetes provider $PULUMI_KUBERNETES_VERSION: building from $VENDOR (about 26 minutes cold)..."
start=$SECONDS
rm -rf "$dir.tmp"
bash "$VENDOR/ci-build.sh" "$dir.tmp"
rm -rf "$dir.tmp/src"   # the unpacked sources; the Go caches keep what a rebuild needs
rm -rf "$dir" && mv "$dir.tmp" "$dir"
echo "pulumi: built in $((SECONDS - start)) s at $dir"
