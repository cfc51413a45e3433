// Package kubernetes holds kbench's Kubernetes manifests; its tests decode
// them strictly into the Kubernetes API types and build the kustomization
// with kustomize's own library.
package kubernetes

import (
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// manifests are the resource files and the type each decodes into.
var manifests = map[string]func() any{
	"namespace.yaml":      func() any { return new(corev1.Namespace) },
	"serviceaccount.yaml": func() any { return new(corev1.ServiceAccount) },
	"workers-job.yaml":    func() any { return new(batchv1.Job) },
	"merge-job.yaml":      func() any { return new(batchv1.Job) },
}

// TestManifestsDecode decodes every manifest of the directory strictly: a
// field the API types do not have fails.
func TestManifestsDecode(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f == "kustomization.yaml" || f == "scenario.yaml" {
			continue
		}
		newObj, ok := manifests[f]
		if !ok {
			t.Errorf("%s: a manifest this test does not know; add it to manifests", f)
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.UnmarshalStrict(b, newObj()); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	// The strict decoder does refuse an unknown field.
	bad := []byte("apiVersion: batch/v1\nkind: Job\nspec:\n  paralelism: 4\n")
	if err := yaml.UnmarshalStrict(bad, new(batchv1.Job)); err == nil {
		t.Error("a misspelt Job field decoded")
	}
}

// built is the kustomization's output, decoded.
type built struct {
	workers, merge *batchv1.Job
	sa             *corev1.ServiceAccount
	configMaps     map[string]*corev1.ConfigMap // by name
	namespaces     []string
}

// build runs kustomize on dir, as `kubectl apply -k` would, and decodes
// every resource strictly.
func build(t *testing.T, dir string) *built {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatal(err)
	}
	b := &built{configMaps: map[string]*corev1.ConfigMap{}}
	for _, r := range m.Resources() {
		y, err := r.AsYAML()
		if err != nil {
			t.Fatal(err)
		}
		var obj any
		switch r.GetKind() {
		case "Job":
			job := new(batchv1.Job)
			if r.GetName() == "kbench-workers" {
				b.workers = job
			} else {
				b.merge = job
			}
			obj = job
		case "ConfigMap":
			cm := new(corev1.ConfigMap)
			b.configMaps[r.GetName()] = cm
			obj = cm
		case "ServiceAccount":
			b.sa = new(corev1.ServiceAccount)
			obj = b.sa
		case "Namespace":
			obj = new(corev1.Namespace)
		default:
			t.Fatalf("unexpected %s %s", r.GetKind(), r.GetName())
		}
		if err := yaml.UnmarshalStrict(y, obj); err != nil {
			t.Fatalf("%s %s: %v\n%s", r.GetKind(), r.GetName(), err, y)
		}
		if r.GetKind() != "Namespace" {
			b.namespaces = append(b.namespaces, r.GetNamespace())
		}
	}
	if b.workers == nil || b.merge == nil || b.sa == nil {
		t.Fatalf("the kustomization lacks the workers Job, the merge Job or the ServiceAccount")
	}
	return b
}

// env returns the container's variable name, failing when it is missing.
func env(t *testing.T, c *corev1.Container, name string) corev1.EnvVar {
	t.Helper()
	for _, e := range c.Env {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("container %s has no %s", c.Name, name)
	return corev1.EnvVar{}
}

// fromConfig returns the ConfigMap value a variable of c is set from.
func fromConfig(t *testing.T, b *built, c *corev1.Container, name string) string {
	t.Helper()
	e := env(t, c, name)
	ref := e.ValueFrom
	if ref == nil || ref.ConfigMapKeyRef == nil {
		t.Fatalf("%s is not set from a ConfigMap", name)
	}
	cm, ok := b.configMaps[ref.ConfigMapKeyRef.Name]
	if !ok {
		t.Fatalf("%s: ConfigMap %s is not in the kustomization (its generated name not propagated?)", name, ref.ConfigMapKeyRef.Name)
	}
	v, ok := cm.Data[ref.ConfigMapKeyRef.Key]
	if !ok {
		t.Fatalf("%s: ConfigMap %s has no key %s", name, cm.Name, ref.ConfigMapKeyRef.Key)
	}
	return v
}

// expand replaces $(VAR) references in s as the kubelet does.
func expand(s string, vars map[string]string) string {
	for k, v := range vars {
		s = strings.ReplaceAll(s, "$("+k+")", v)
	}
	return s
}

// flag returns the value of --name=VALUE in args.
func flag(t *testing.T, args []string, name string) string {
	t.Helper()
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	t.Fatalf("args %q lack --%s=", args, name)
	return ""
}

// checkWiring checks what the workers and the merge need from each other
// and from the cluster, for a kustomization whose knob is workers.
func checkWiring(t *testing.T, b *built, workers int) {
	w, m := b.workers.Spec, b.merge.Spec
	if w.CompletionMode == nil || *w.CompletionMode != batchv1.IndexedCompletion {
		t.Errorf("workers Job completionMode %v, want Indexed", w.CompletionMode)
	}
	if w.Parallelism == nil || w.Completions == nil || int(*w.Parallelism) != workers || int(*w.Completions) != workers {
		t.Fatalf("workers Job parallelism %s completions %s, want %d each", deref(w.Parallelism), deref(w.Completions), workers)
	}
	if w.BackoffLimit == nil || *w.BackoffLimit != 0 || w.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Error("a failed worker must not be retried (backoffLimit 0, restartPolicy Never)")
	}
	if m.Suspend == nil || !*m.Suspend {
		t.Error("the merge Job must be created suspended, to run after the workers")
	}
	for _, ns := range b.namespaces {
		if ns != "kbench" {
			t.Errorf("a resource in namespace %q, want kbench", ns)
		}
	}
	if b.sa.Annotations["eks.amazonaws.com/role-arn"] == "" {
		t.Error("the ServiceAccount lacks the IRSA role annotation")
	}

	wc, mc := &w.Template.Spec.Containers[0], &m.Template.Spec.Containers[0]
	for _, job := range []*batchv1.Job{b.workers, b.merge} {
		ps := job.Spec.Template.Spec
		if len(ps.Containers) != 1 || ps.ServiceAccountName != b.sa.Name {
			t.Errorf("%s: %d containers, service account %q; want 1 and %q", job.Name, len(ps.Containers), ps.ServiceAccountName, b.sa.Name)
		}
		c := ps.Containers[0]
		if c.Image != wc.Image || !strings.HasPrefix(c.Image, "kbench") {
			t.Errorf("%s: image %q, want the workers' %q", job.Name, c.Image, wc.Image)
		}
		if len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef == nil || c.EnvFrom[0].SecretRef.Optional == nil || !*c.EnvFrom[0].SecretRef.Optional {
			t.Errorf("%s: want the optional Secret of AWS keys beside IRSA", job.Name)
		}
		if fromConfig(t, b, &c, "AWS_REGION") == "" {
			t.Errorf("%s: empty AWS_REGION", job.Name)
		}
		mounts(t, job.Name, ps, "/tmp", func(v corev1.Volume) bool { return v.EmptyDir != nil })
	}

	// The index and the run id come from the Job.
	if ref := env(t, wc, "JOB_COMPLETION_INDEX").ValueFrom; ref == nil || ref.FieldRef == nil ||
		ref.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
		t.Errorf("JOB_COMPLETION_INDEX is not the pod's completion index: %+v", ref)
	}
	if ref := env(t, wc, "KBENCH_JOB_UID").ValueFrom; ref == nil || ref.FieldRef == nil ||
		ref.FieldRef.FieldPath != "metadata.labels['batch.kubernetes.io/controller-uid']" {
		t.Errorf("KBENCH_JOB_UID is not the Job's uid: %+v", ref)
	}
	// The scenario comes from its ConfigMap.
	mounts(t, b.workers.Name, w.Template.Spec, "/scenario", func(v corev1.Volume) bool {
		if v.ConfigMap == nil {
			return false
		}
		cm, ok := b.configMaps[v.ConfigMap.Name]
		return ok && strings.Contains(cm.Data["scenario.yaml"], "producers:")
	})

	// The arguments, as the kubelet expands them.
	n := fromConfig(t, b, wc, "KBENCH_WORKERS")
	if n != strconv.Itoa(workers) {
		t.Errorf("KBENCH_WORKERS = %s, want %d", n, workers)
	}
	res := fromConfig(t, b, wc, "KBENCH_RESULTS")
	if mres := fromConfig(t, b, mc, "KBENCH_RESULTS"); mres != res || !strings.HasPrefix(res, "s3://") {
		t.Fatalf("results: workers %q, merge %q; want one s3:// prefix", res, mres)
	}
	vars := map[string]string{"KBENCH_WORKERS": n, "KBENCH_RESULTS": res, "KBENCH_MAX_COST": fromConfig(t, b, wc, "KBENCH_MAX_COST")}
	wargs := make([]string, len(wc.Args))
	for i, a := range wc.Args {
		wargs[i] = expand(a, vars)
	}
	if len(wargs) < 2 || wargs[0] != "run" || wargs[1] != "/scenario/scenario.yaml" {
		t.Errorf("worker args %q, want run /scenario/scenario.yaml ...", wargs)
	}
	if flag(t, wargs, "workers") != strconv.Itoa(workers) || !slices.Contains(wargs, "--yes") {
		t.Errorf("worker args %q, want --workers=%d and --yes", wargs, workers)
	}
	// Live metrics: the port kbench serves is the one the container
	// declares and the scrape annotation names.
	if addr := flag(t, wargs, "metrics-addr"); !slices.ContainsFunc(wc.Ports, func(p corev1.ContainerPort) bool {
		return p.Name == "metrics" && ":"+strconv.Itoa(int(p.ContainerPort)) == addr
	}) || ":"+w.Template.Annotations["prometheus.io/port"] != addr {
		t.Errorf("--metrics-addr=%s, container ports %+v, annotations %v: want one port", addr, wc.Ports, w.Template.Annotations)
	}
	margs := make([]string, len(mc.Args))
	for i, a := range mc.Args {
		margs[i] = expand(a, vars)
	}
	if len(margs) != 3 || margs[0] != "merge" {
		t.Fatalf("merge args %q, want merge GLOB --out=PREFIX", margs)
	}
	glob, merged := margs[1], flag(t, margs, "out")
	// Every worker's --out is matched by the merge's glob, and the merge's
	// own output is not.
	for i := range workers {
		out := expand(flag(t, wargs, "out"), map[string]string{"JOB_COMPLETION_INDEX": strconv.Itoa(i)})
		if ok, err := path.Match(glob, out); !ok || err != nil {
			t.Errorf("worker %d writes %s, which the merge's %s does not read", i, out, glob)
		}
	}
	if ok, _ := path.Match(glob, merged); ok || !strings.HasPrefix(merged, res+"/") {
		t.Errorf("merge --out %s: want a prefix under %s outside the glob %s", merged, res, glob)
	}
}

// deref shows an optional count.
func deref(p *int32) string {
	if p == nil {
		return "unset"
	}
	return strconv.Itoa(int(*p))
}

// mounts checks that the pod mounts a volume satisfying ok at dir.
func mounts(t *testing.T, job string, ps corev1.PodSpec, dir string, ok func(corev1.Volume) bool) {
	t.Helper()
	for _, m := range ps.Containers[0].VolumeMounts {
		if m.MountPath != dir {
			continue
		}
		for _, v := range ps.Volumes {
			if v.Name == m.Name && ok(v) {
				return
			}
		}
	}
	t.Errorf("%s: no suitable volume mounted at %s", job, dir)
}

// TestKustomization builds the kustomization as it is and with the worker
// count changed in its one place: the count reaches parallelism,
// completions and --workers, and the rest of the wiring holds.
func TestKustomization(t *testing.T) {
	checkWiring(t, build(t, "."), 4)

	dir := t.TempDir()
	for _, f := range append(slices.Collect(maps.Keys(manifests)), "scenario.yaml") {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	k, err := os.ReadFile("kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const knob = "- workers=4\n"
	if strings.Count(string(k), knob) != 1 {
		t.Fatalf("kustomization.yaml: want the knob %q once", knob)
	}
	k16 := strings.Replace(string(k), knob, "- workers=16\n", 1)
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte(k16), 0o644); err != nil {
		t.Fatal(err)
	}
	checkWiring(t, build(t, dir), 16)
}
