// saasplane-render renders many Helm releases in one process with Helm's own packages, the code
// path of `helm template`: a process start costs about 0.1 s, while rendering a small chart takes
// milliseconds. It reads one JSON document on stdin,
//
//	{"parallel": 2, "requests": [{"chart": "/abs/dir", "release": "acme", "namespace": "shop-acme",
//	  "kubeVersion": "1.34.0", "values": {...}}, ...]}
//
// and writes one JSON array on stdout, in request order: {"manifest": "..."} with exactly what
// `helm template <release> <chart> --namespace <ns> --kube-version <v> --values -` prints, or
// {"error": "..."} with the message helm prints after "Error: " (without its "--debug" hint).
// Requests render in parallel goroutines (each with its own action configuration); the order of
// the output never changes, and a request that panics fails alone. Local chart directories only:
// no registry client, no HELM_DEBUG output.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/pkg/errors"
	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/cli"
	"sigs.k8s.io/yaml"
)

// settings are helm's environment settings, as the CLI reads them (only remote charts use them).
var settings = cli.New()

type request struct {
	Chart       string          `json:"chart"`
	Release     string          `json:"release"`
	Namespace   string          `json:"namespace"`
	KubeVersion string          `json:"kubeVersion"`
	Values      json.RawMessage `json:"values"`
}

type result struct {
	Manifest *string `json:"manifest,omitempty"`
	Error    *string `json:"error,omitempty"`
}

type batch struct {
	Parallel int       `json:"parallel"`
	Requests []request `json:"requests"`
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Println(helmVersion())
		return
	}
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	var b batch
	if err := json.Unmarshal(input, &b); err != nil {
		fail(fmt.Errorf("the batch on stdin is not JSON: %w", err))
	}
	workers := b.Parallel
	if workers < 1 {
		workers = runtime.NumCPU()
	}
	results := make([]result, len(b.Requests))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				manifest, err := renderSafely(b.Requests[i])
				if err != nil {
					message := err.Error()
					results[i] = result{Error: &message}
				} else {
					results[i] = result{Manifest: &manifest}
				}
			}
		}()
	}
	for i := range b.Requests {
		next <- i
	}
	close(next)
	wg.Wait()
	out, err := json.Marshal(results)
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(out)
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "saasplane-render: %v\n", err)
	os.Exit(2)
}

// helmVersion is the version of the Helm packages this binary was built with.
func helmVersion() string {
	return chartutil.DefaultCapabilities.HelmVersion.Version
}

// renderSafely renders one request; a panic in a chart's templates fails that request only.
func renderSafely(r request) (manifest string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("rendering panicked: %v", p)
		}
	}()
	return render(r)
}

// render is cmd/helm/template.go's RunE and runInstall for one local chart directory, with the
// flags saasplane passes (--namespace, --kube-version, --values -) and no others.
func render(r request) (string, error) {
	client := action.NewInstall(&action.Configuration{Log: func(string, ...interface{}) {}})
	if r.KubeVersion != "" {
		parsed, err := chartutil.ParseKubeVersion(r.KubeVersion)
		if err != nil {
			return "", fmt.Errorf("invalid kube version '%s': %s", r.KubeVersion, err)
		}
		client.KubeVersion = parsed
	}
	client.DryRunOption = "true"
	client.DryRun = true
	client.ReleaseName = r.Release
	client.Replace = true
	client.ClientOnly = true
	client.APIVersions = chartutil.VersionSet([]string{})
	client.Namespace = r.Namespace

	// --values -: helm reads the file and unmarshals it as YAML (JSON is YAML)
	vals := map[string]interface{}{}
	if len(r.Values) > 0 {
		if err := yaml.Unmarshal(r.Values, &vals); err != nil {
			return "", errors.Wrapf(err, "failed to parse %s", "-")
		}
	}
	path, err := client.ChartPathOptions.LocateChart(r.Chart, settings)
	if err != nil {
		return "", err
	}
	requested, err := loader.Load(path)
	if err != nil {
		return "", err
	}
	if err := checkIfInstallable(requested); err != nil {
		return "", err
	}
	if req := requested.Metadata.Dependencies; req != nil {
		if err := action.CheckDependencies(requested, req); err != nil {
			return "", errors.Wrap(err, "An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies")
		}
	}
	rel, err := client.RunWithContext(context.Background(), requested, vals)
	if err != nil {
		return "", err
	}
	var manifests bytes.Buffer
	fmt.Fprintln(&manifests, strings.TrimSpace(rel.Manifest))
	for _, m := range rel.Hooks {
		fmt.Fprintf(&manifests, "---\n# Source: %s\n%s\n", m.Path, m.Manifest)
	}
	return manifests.String(), nil
}

// checkIfInstallable is cmd/helm/install.go's: only application charts install.
func checkIfInstallable(ch *chart.Chart) error {
	switch ch.Metadata.Type {
	case "", "application":
		return nil
	}
	return errors.Errorf("%s charts are not installable", ch.Metadata.Type)
}
