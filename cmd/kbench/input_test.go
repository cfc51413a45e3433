package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHostileInputExits2: inputs that once took the machine's memory or
// flooded the terminal are refused at once with exit 2 and a short message.
func TestHostileInputExits2(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const prod = "producers:\n  - generator: payments\n    rate: {profile: constant, rps: 10}\n"
	var many strings.Builder
	many.WriteString("name: " + strings.Repeat("N", 300000) + "\n" + prod + "thresholds:\n")
	for range 1000 {
		many.WriteString("  - bogus\n")
	}
	out := filepath.Join(dir, "out")
	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"endless scenario", []string{"run", "/dev/zero"}, []string{"/dev/zero", "larger than 1048576 bytes"}},
		{"nested brackets", []string{"run", write("deep.yaml", "name: "+strings.Repeat("[", 200000))}, []string{"deep.yaml:1", "nests deeper than 64"}},
		{"nested --set value", []string{"run", "../../scenarios/payments.yaml", "--set", "description=" + strings.Repeat("{a: ", 100000)}, []string{"--set", "nests deeper than 64"}},
		{"duration that overflows at run time", []string{"run", "../../scenarios/payments.yaml", "--set", "duration=2100000h"}, []string{"--set", "duration", "at most 8760h"}},
		{"many problems, long value", []string{"run", write("many.yaml", many.String())}, []string{"1001 problem(s)", `NNNN"… (300000 bytes in all)`, "… and 951 more problems"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			code, stdout, stderr := kbench(t, append(c.args, "--out", out)...)
			if code != exitUsage {
				t.Fatalf("exit %d, want 2\nstdout:\n%.2000s\nstderr:\n%.2000s", code, stdout, stderr)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took %v to refuse", took)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%.3000s", w, stderr)
				}
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) > 52 {
				t.Errorf("%d lines of errors, want at most 52", len(lines))
			}
			for _, l := range lines {
				if len(l) > 1000 {
					t.Errorf("a line of %d bytes: %.300s…", len(l), l)
				}
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("bad input wrote %s", out)
			}
		})
	}
}
