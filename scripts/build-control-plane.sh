#!/usr/bin/env bash
# Builds a local Kubernetes control plane from Go modules (no release downloads here), cached
# outside the repository by version and reused:
#   etcd                                          go.etcd.io/etcd/server/v3
#   kube-apiserver, kube-controller-manager,      k8s.io/kubernetes/cmd/...
#   kube-scheduler, kubectl
#   kwok                                          sigs.k8s.io/kwok/cmd/kwok
#   kube-score                                    github.com/zegl/kube-score/cmd/kube-score
#   cyclonus                                      github.com/mattfenwick/cyclonus/cmd/cyclonus
#   Prometheus Operator CRDs (ServiceMonitor,     github.com/prometheus-operator/prometheus-operator
#   PodMonitor, PrometheusRule), for applying       (example/prometheus-operator-crd in the module)
#   the synthesized monitoring objects
# into $SAASPLANE_TOOLS/<tool>-<version>/. Modules that install with replace directives get a
# small wrapper module in $SAASPLANE_TOOLS/src/. Prints progress and the time each build took.
# `saasplane dev-cluster` and the integration tests find them there.
set -euo pipefail

ETCD_VERSION=v3.6.16
KUBERNETES_VERSION=v1.34.4
KWOK_VERSION=v0.8.0
KUBE_SCORE_VERSION=v1.20.0
CYCLONUS_VERSION=v0.5.6
PROMETHEUS_OPERATOR_VERSION=v0.85.0   # keep in sync with PROMETHEUS_OPERATOR_VERSION in src/cli/tools.ts
TOOLS="${SAASPLANE_TOOLS:-$HOME/.cache/saasplane/tools}"
export GOFLAGS=-mod=mod

command -v go >/dev/null || { echo "go is required (https://go.dev/dl/)" >&2; exit 1; }

# built <tool> <version> <binary>: the binary is in the cache
built() { [ -x "$TOOLS/$1-$2/$3" ]; }

wrapper() {  # wrapper <dir> <go.mod body>
  mkdir -p "$1"
  printf '%s\n' "$2" > "$1/go.mod"
}

etcd_dir="$TOOLS/etcd-$ETCD_VERSION"
if built etcd "$ETCD_VERSION" etcd; then
  echo "etcd $ETCD_VERSION: cached at $etcd_dir/etcd"
else
  echo "etcd $ETCD_VERSION: building (its go.mod has replace directives: wrapper module)..."
  start=$SECONDS
  src="$TOOLS/src/etcd-$ETCD_VERSION"
  wrapper "$src" "module saasplane.local/etcd
go 1.24
require go.etcd.io/etcd/server/v3 $ETCD_VERSION"
  (cd "$src" && go mod download go.etcd.io/etcd/server/v3 && go build -o "$etcd_dir.tmp/etcd" \
    -ldflags "-X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION" go.etcd.io/etcd/server/v3)
  rm -rf "$etcd_dir" && mv "$etcd_dir.tmp" "$etcd_dir"
  echo "etcd $ETCD_VERSION: built in $((SECONDS - start)) s"
fi

kube_dir="$TOOLS/kubernetes-$KUBERNETES_VERSION"
if built kubernetes "$KUBERNETES_VERSION" kube-apiserver && built kubernetes "$KUBERNETES_VERSION" kube-controller-manager \
  && built kubernetes "$KUBERNETES_VERSION" kube-scheduler && built kubernetes "$KUBERNETES_VERSION" kubectl; then
  echo "kubernetes $KUBERNETES_VERSION: cached at $kube_dir"
else
  echo "kubernetes $KUBERNETES_VERSION: building kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (tens of minutes cold on 2 cores)..."
  start=$SECONDS
  staging_version="v0${KUBERNETES_VERSION#v1}"
  replaces=""
  for m in api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider cluster-bootstrap code-generator \
    component-base component-helpers controller-manager cri-api cri-client csi-translation-lib dynamic-resource-allocation endpointslice \
    externaljwt kms kube-aggregator kube-controller-manager kube-proxy kube-scheduler kubectl kubelet metrics mount-utils \
    pod-security-admission sample-apiserver sample-cli-plugin sample-controller; do
    replaces+="replace k8s.io/$m => k8s.io/$m $staging_version"$'\n'
  done
  src="$TOOLS/src/kubernetes-$KUBERNETES_VERSION"
  wrapper "$src" "module saasplane.local/kubernetes
go 1.24
require k8s.io/kubernetes $KUBERNETES_VERSION
$replaces"
  minor="${KUBERNETES_VERSION#v1.}"; minor="${minor%%.*}"
  ldflags=""
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  mkdir -p "$kube_dir.tmp"
  for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    step=$SECONDS
    (cd "$src" && go build -o "$kube_dir.tmp/$cmd" -ldflags "$ldflags" "k8s.io/kubernetes/cmd/$cmd")
    echo "  $cmd: $((SECONDS - step)) s"
  done
  rm -rf "$kube_dir" && mv "$kube_dir.tmp" "$kube_dir"
  echo "kubernetes $KUBERNETES_VERSION: built in $((SECONDS - start)) s; $("$kube_dir/kube-apiserver" --version)"
fi

install_direct() {  # install_direct <name> <version> <package>
  local dir="$TOOLS/$1-$2"
  if built "$1" "$2" "$1"; then
    echo "$1 $2: cached at $dir/$1"
  else
    echo "$1 $2: building from $3..."
    local start=$SECONDS
    GOBIN="$dir.tmp" go install "$3@$2"
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
    echo "$1 $2: built in $((SECONDS - start)) s"
  fi
}
install_direct kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok
install_direct kube-score "$KUBE_SCORE_VERSION" github.com/zegl/kube-score/cmd/kube-score
install_direct cyclonus "$CYCLONUS_VERSION" github.com/mattfenwick/cyclonus/cmd/cyclonus

crds_dir="$TOOLS/prometheus-operator-crds-$PROMETHEUS_OPERATOR_VERSION"
if [ -f "$crds_dir/monitoring.coreos.com_prometheusrules.yaml" ]; then
  echo "prometheus-operator CRDs $PROMETHEUS_OPERATOR_VERSION: cached at $crds_dir"
else
  echo "prometheus-operator CRDs $PROMETHEUS_OPERATOR_VERSION: downloading the module..."
  module_dir="$(GOFLAGS= go mod download -json "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  mkdir -p "$crds_dir.tmp"
  for crd in servicemonitors podmonitors prometheusrules; do
    cp "$module_dir/example/prometheus-operator-crd/monitoring.coreos.com_$crd.yaml" "$crds_dir.tmp/"
  done
  rm -rf "$crds_dir" && mv "$crds_dir.tmp" "$crds_dir"
  echo "prometheus-operator CRDs $PROMETHEUS_OPERATOR_VERSION: at $crds_dir"
fi
