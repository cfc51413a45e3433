package reports

import (
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// chromiumBinary finds a Chromium or Chrome on PATH, "" when there is none.
func chromiumBinary() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// screenshot renders page in headless Chromium at 1280x2000 and returns the
// decoded PNG. With KBENCH_SCREENSHOT_DIR set, the PNG is kept there as
// name.
func screenshot(t *testing.T, bin, page, name string) image.Image {
	t.Helper()
	abs, err := filepath.Abs(page)
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("KBENCH_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	shot := filepath.Join(dir, name)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--window-size=1280,2000", "--screenshot="+shot, "file://"+abs)
	cmd.WaitDelay = 5 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", shot, err)
	}
	return img
}

// pageStats returns the share of pixels that differ from the page's
// background (its most common colour), the share of dark pixels (text,
// lines) and the number of distinct colours (at 4 bits per channel).
func pageStats(img image.Image) (content, ink float64, colours int) {
	b := img.Bounds()
	counts := map[uint32]int{}
	var dark int
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			counts[(r>>12)<<8|(g>>12)<<4|bl>>12]++
			if r+g+bl < 3*0x8000 {
				dark++
			}
		}
	}
	bg := 0
	for _, n := range counts {
		bg = max(bg, n)
	}
	total := float64(b.Dx() * b.Dy())
	return 1 - float64(bg)/total, float64(dark) / total, len(counts)
}

func TestPagesInChromium(t *testing.T) {
	bin := chromiumBinary()
	if bin == "" {
		t.Skip("no chromium, chromium-browser or google-chrome on PATH: the headless screenshot test is skipped " +
			"(make test installs chromium with apt-get where it can)")
	}
	run := fixtureDir(t, "run-shards2", 2)
	if err := Render(run); err != nil {
		t.Fatal(err)
	}
	cmp := filepath.Join(t.TempDir(), "cmp")
	if err := RenderComparison([]string{fixtureDir(t, "run-shards1", 1), run}, cmp); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, page string }{
		{"report.png", filepath.Join(run, HTMLFile)},
		{"comparison.png", filepath.Join(cmp, ComparisonHTMLFile)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			img := screenshot(t, bin, tt.page, tt.name)
			if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != 1280 || h != 2000 {
				t.Errorf("screenshot is %dx%d, want 1280x2000", w, h)
			}
			content, ink, colours := pageStats(img)
			t.Logf("%s: %.1f%% of pixels not background, %.1f%% dark, %d colours", tt.name, 100*content, 100*ink, colours)
			if content < 0.05 || ink < 0.005 {
				t.Errorf("the page looks blank: %.1f%% of pixels not background, %.1f%% dark", 100*content, 100*ink)
			}
			if colours < 40 {
				t.Errorf("the page has only %d colours: plots or styles are missing", colours)
			}
		})
	}
}
