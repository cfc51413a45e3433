package docscheck

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// root is the repository root, relative to this package's directory.
const root = "../.."

// pages lists the Markdown files whose links are checked, relative to root.
func pages(t *testing.T, dir string) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(dir, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := []string{filepath.Join(dir, "README.md")}
	for _, extra := range []string{"perf/README.md", "docker/README.md"} {
		if _, err := os.Stat(filepath.Join(dir, extra)); err == nil {
			out = append(out, filepath.Join(dir, extra))
		}
	}
	return append(out, docs...)
}

func TestLinksResolve(t *testing.T) {
	files := pages(t, root)
	if len(files) < 2 {
		t.Fatalf("found only %v; expected README.md and docs/*.md", files)
	}
	for _, f := range files {
		problems, err := checkFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Error(p)
		}
	}
}

// TestCheckFileFindsBrokenLinks shows the checker fails on each kind of bad
// link and accepts good ones.
func TestCheckFileFindsBrokenLinks(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("docs/a.md", "# A page\n\n## The summary.json key contract\n\n## Confirmation, --yes and --max-cost\n")
	write("sub/x.go", "package x\n")
	write("README.md", strings.Join([]string{
		"# Top",
		"[ok](docs/a.md) [ok](docs/a.md#the-summaryjson-key-contract) [ok](docs/a.md#confirmation---yes-and---max-cost)",
		"[ok dir](sub) [ok file](sub/x.go) [ok self](#top) [web](https://example.com/nothing)",
		"`[not a link](missing-in-code-span.md)`",
		"```",
		"[not a link](missing-in-fence.md)",
		"```",
		"[bad file](docs/missing.md)",
		"[bad anchor](docs/a.md#no-such-heading)",
		"[bad self](#nowhere)",
	}, "\n"))
	problems, err := checkFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"docs/missing.md", "docs/a.md#no-such-heading", "#nowhere"}
	if len(problems) != len(want) {
		t.Fatalf("got %d problems, want %d: %q", len(problems), len(want), problems)
	}
	for i, w := range want {
		if !strings.Contains(problems[i], w) {
			t.Errorf("problem %d = %q, want it to name %q", i, problems[i], w)
		}
	}
}

// linkRE matches an inline Markdown link or image, capturing its target.
var linkRE = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)

// codeSpanRE matches inline code, whose brackets are not links.
var codeSpanRE = regexp.MustCompile("`[^`]*`")

// checkFile returns one message per relative link in the Markdown file path
// whose file, directory or heading does not exist.
func checkFile(path string) ([]string, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var problems []string
	inFence := false
	sc := bufio.NewScanner(strings.NewReader(string(text)))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		for _, m := range linkRE.FindAllStringSubmatch(codeSpanRE.ReplaceAllString(line, ""), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if msg := checkTarget(path, target); msg != "" {
				problems = append(problems, fmt.Sprintf("%s:%d: link %q: %s", path, n, target, msg))
			}
		}
	}
	return problems, sc.Err()
}

// checkTarget resolves one relative link target from the file from and says
// what is wrong with it, or "" when it resolves.
func checkTarget(from, target string) string {
	file, anchor, _ := strings.Cut(target, "#")
	dest := from
	if file != "" {
		dest = filepath.Join(filepath.Dir(from), filepath.FromSlash(file))
		if _, err := os.Stat(dest); err != nil {
			return "no such file or directory"
		}
	}
	if anchor == "" || !strings.HasSuffix(dest, ".md") {
		return ""
	}
	ids, err := headingIDs(dest)
	if err != nil {
		return err.Error()
	}
	if !ids[anchor] {
		return fmt.Sprintf("no heading with id %q in %s", anchor, dest)
	}
	return ""
}

// headingIDs returns the anchors GitHub gives the headings of a Markdown
// file: lower case, punctuation dropped, spaces turned into hyphens, and a
// -1, -2 … suffix on repeats.
func headingIDs(path string) (map[string]bool, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	seen := map[string]int{}
	inFence := false
	for _, line := range strings.Split(string(text), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence
			continue
		}
		if inFence || !strings.HasPrefix(line, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(line, "#"))
		id := slug(title)
		if k := seen[id]; k > 0 {
			ids[fmt.Sprintf("%s-%d", id, k)] = true
		} else {
			ids[id] = true
		}
		seen[id]++
	}
	return ids, nil
}

// slug turns a heading's text into its GitHub anchor.
func slug(title string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(title) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
