package main

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/kbench/kbench/runner"
)

// TestKubernetesWorkerArgs reads the worker Job of deploy/kubernetes (whose
// own tests check the Kubernetes side) and gives its arguments, expanded as
// the kubelet would for pod 3 of 16, to kbench run's parser with the
// scenario of the ConfigMap: they must parse, make worker 3 of 16 with a
// run id from the Job's uid, write to the S3 prefix, and the scenario's
// estimate must be under the --max-cost the kustomization sets.
func TestKubernetesWorkerArgs(t *testing.T) {
	deploy := filepath.Join("..", "..", "deploy", "kubernetes")
	b, err := os.ReadFile(filepath.Join(deploy, "workers-job.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var job struct {
		Spec struct {
			Template struct {
				Spec struct {
					Containers []struct {
						Args []string `yaml:"args"`
					} `yaml:"containers"`
				} `yaml:"spec"`
			} `yaml:"template"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(b, &job); err != nil {
		t.Fatal(err)
	}
	k, err := os.ReadFile(filepath.Join(deploy, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	maxCost := regexp.MustCompile(`(?m)- max_cost=(\S+)$`).FindSubmatch(k)
	if maxCost == nil {
		t.Fatal("kustomization.yaml sets no max_cost")
	}
	vars := strings.NewReplacer("$(KBENCH_WORKERS)", "16", "$(KBENCH_RESULTS)", "s3://bkt/run",
		"$(JOB_COMPLETION_INDEX)", "3", "$(KBENCH_MAX_COST)", string(maxCost[1]),
		"/scenario/scenario.yaml", filepath.Join(deploy, "scenario.yaml"))
	cs := job.Spec.Template.Spec.Containers
	if len(cs) != 1 || len(cs[0].Args) < 2 || cs[0].Args[0] != "run" {
		t.Fatalf("the worker Job's containers: %+v, want one running kbench run", cs)
	}
	var args []string
	for _, a := range cs[0].Args[1:] {
		args = append(args, vars.Replace(a))
	}
	t.Setenv("JOB_COMPLETION_INDEX", "3")
	t.Setenv("KBENCH_JOB_UID", "0b6a0a8e-5f1c-4d2a-9a0e-2f4f3c1d7e21")
	t.Setenv("KBENCH_RUN_ID", "")
	o, file, err := parseRunFlags(args, io.Discard)
	if err != nil {
		t.Fatalf("kbench run %q: %v", args, err)
	}
	sc, cells, err := loadRun(file, &o)
	if err != nil {
		t.Fatalf("kbench run %q: %v", args, err)
	}
	if o.w == nil || o.w.Index != 3 || o.w.Count != 16 || o.w.RunID == 0 {
		t.Errorf("worker %+v, want 3 of 16 with a run id", o.w)
	}
	if o.out != "s3://bkt/run/worker-3" || !o.yes {
		t.Errorf("--out %q, --yes %v; want s3://bkt/run/worker-3 and --yes", o.out, o.yes)
	}
	if sc.Target.Kind != "aws" {
		t.Errorf("the scenario's target is %s, want aws", sc.Target.Kind)
	}
	cost := runner.EstimateCost(cells, 1)
	t.Logf("the scenario's estimate: $%.2f", cost.TotalUSD)
	if cost.TotalUSD > o.maxCost || o.maxCost <= 0 {
		t.Errorf("the scenario's estimate $%.2f, --max-cost $%.2f: the workers would refuse to start", cost.TotalUSD, o.maxCost)
	}
}
