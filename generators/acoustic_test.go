package generators

import (
	"encoding/binary"
	"fmt"
	"math"
	"testing"
	"time"
)

// acousticFrame is a decoded frame: its header and its samples by channel.
type acousticFrame struct {
	bits, channels int
	rate, hyd      uint32
	seq            uint64
	start          int64
	samples        [][]int64
}

func decodeFrame(t *testing.T, p []byte) acousticFrame {
	t.Helper()
	if len(p) < AcousticHeaderSize || string(p[:4]) != AcousticMagic || p[4] != 1 {
		t.Fatalf("bad frame header % x", p[:min(len(p), AcousticHeaderSize)])
	}
	f := acousticFrame{
		bits:     int(p[5]),
		channels: int(binary.LittleEndian.Uint16(p[6:])),
		rate:     binary.LittleEndian.Uint32(p[8:]),
		hyd:      binary.LittleEndian.Uint32(p[12:]),
		seq:      binary.LittleEndian.Uint64(p[16:]),
		start:    int64(binary.LittleEndian.Uint64(p[24:])),
	}
	pcm := p[AcousticHeaderSize:]
	width := f.bits / 8
	if len(pcm)%(width*f.channels) != 0 {
		t.Fatalf("%d bytes of PCM is not whole samples", len(pcm))
	}
	n := len(pcm) / (width * f.channels)
	f.samples = make([][]int64, f.channels)
	for c := range f.samples {
		f.samples[c] = make([]int64, n)
		for i := range n {
			f.samples[c][i] = getSample(pcm[(i*f.channels+c)*width:], f.bits)
		}
	}
	return f
}

// power returns |DFT(x) at frequency f|² / len(x)², by the Goertzel recurrence.
func power(x []int64, f, rate float64) float64 {
	w := 2 * math.Pi * f / rate
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s1, s2 = float64(v)+c*s1-s2, s1
	}
	p := s1*s1 + s2*s2 - c*s1*s2
	return p / float64(len(x)*len(x))
}

func TestAcousticFrames(t *testing.T) {
	for _, bits := range []int{8, 16, 24, 32} {
		t.Run(fmt.Sprintf("%dbit", bits), func(t *testing.T) {
			var opts AcousticOptions
			g := newGen(t, "acoustic", 1, func(o *AcousticOptions) {
				o.BitsPerSample, o.Hydrophones = bits, 3
				opts = *o
			})
			for i := range 9 {
				at := benchAt + int64(i)*int64(100*time.Millisecond)
				p, e := g.Next(nil, at)
				if len(p) != AcousticHeaderSize+opts.FrameBytes() {
					t.Fatalf("frame of %d bytes, want %d", len(p), AcousticHeaderSize+opts.FrameBytes())
				}
				f := decodeFrame(t, p)
				if want := fmt.Sprintf("hyd-%02d", i%3); e != want || f.hyd != uint32(i%3) {
					t.Errorf("frame %d: entity %s, hydrophone %d, want %s", i, e, f.hyd, want)
				}
				if f.bits != bits || f.channels != 4 || f.rate != 16000 || f.seq != uint64(i/3) || f.start != at {
					t.Errorf("frame %d: header %+v", i, f)
				}
				// Each default tone stands well above a frequency without one.
				for c, x := range f.samples {
					quiet := power(x, 1230, 16000)
					for _, tone := range opts.Tones {
						if p := power(x, tone, 16000); p < 100*quiet {
							t.Errorf("frame %d channel %d: power at %g Hz is %.3g, only %.1f× that at 1230 Hz", i, c, tone, p, p/quiet)
						}
					}
				}
			}
		})
	}
}

// TestAcousticContinuity checks that one hydrophone's frames continue one
// another and that each channel is a delayed copy of the wavefront.
func TestAcousticContinuity(t *testing.T) {
	// A 440 Hz tone at 16 kHz repeats every 400 samples; frames of 30 ms
	// hold 480, so continuity shows across the frame boundary.
	g := newGen(t, "acoustic", 2, func(o *AcousticOptions) {
		o.Hydrophones, o.Tones, o.NoiseLevel, o.TransientRate = 2, []float64{440}, 0, 0
		o.FrameLength = 30 * time.Millisecond
	}).(*acoustic)
	var ch0 []int64
	var frames []acousticFrame
	for i := range 6 {
		p, _ := g.Next(nil, benchAt)
		if i%2 == 0 {
			f := decodeFrame(t, p)
			frames = append(frames, f)
			ch0 = append(ch0, f.samples[0]...)
		}
	}
	for i := 400; i < len(ch0); i++ {
		if ch0[i] != ch0[i-400] {
			t.Fatalf("sample %d of hyd-00 channel 0 is %d, %d one period earlier", i, ch0[i], ch0[i-400])
		}
	}
	delays := g.hyd[0].delays
	if delays[3] == delays[0] {
		t.Fatalf("delays %v: pick a seed whose array is not broadside", delays)
	}
	for _, f := range frames {
		for c := range f.samples {
			shift := delays[c] - delays[0]
			for i := max(0, shift); i < len(f.samples[c]) && i-shift < len(f.samples[0]); i++ {
				if f.samples[c][i] != f.samples[0][i-shift] {
					t.Fatalf("channel %d is not channel 0 delayed by %d samples", c, shift)
				}
			}
		}
	}
}

// TestAcousticNoiseAndTransients checks the noise level and the share of
// frames with a transient.
func TestAcousticNoiseAndTransients(t *testing.T) {
	g := newGen(t, "acoustic", 3, func(o *AcousticOptions) { o.Tones, o.NoiseLevel, o.TransientRate = nil, 0.1, 0 })
	p, _ := g.Next(nil, benchAt)
	x := decodeFrame(t, p).samples[1]
	sum := 0.0
	for _, v := range x {
		sum += float64(v) * float64(v)
	}
	if rms, want := math.Sqrt(sum/float64(len(x))), 0.1*32767; math.Abs(rms-want) > 0.1*want {
		t.Errorf("noise RMS %.0f, want %.0f ± 10%%", rms, want)
	}

	const rate, n = 0.2, 2000
	g = newGen(t, "acoustic", 4, func(o *AcousticOptions) { o.Tones, o.NoiseLevel, o.TransientRate = nil, 0, rate })
	withTransient := 0
	for range n {
		p, _ := g.Next(nil, benchAt)
		for _, b := range p[AcousticHeaderSize:] {
			if b != 0 {
				withTransient++
				break
			}
		}
	}
	if got := float64(withTransient) / n; math.Abs(got-rate) > 0.03 {
		t.Errorf("share of frames with a transient %.3f, want %.3f ± 0.03", got, rate)
	}
}

// TestAcousticClips checks that loud signals clip at full scale instead of
// wrapping around.
func TestAcousticClips(t *testing.T) {
	for _, bits := range []int{8, 16, 24, 32} {
		g := newGen(t, "acoustic", 5, func(o *AcousticOptions) { o.BitsPerSample, o.NoiseLevel, o.TransientRate = bits, 1, 1 })
		p, _ := g.Next(nil, benchAt)
		full := int64(1)<<(bits-1) - 1
		top := 0
		for _, x := range decodeFrame(t, p).samples {
			for _, v := range x {
				if v == full || v == -full-1 {
					top++
				}
			}
		}
		if top == 0 {
			t.Errorf("%d bit: no sample at full scale with noise level 1", bits)
		}
	}
}

// TestAcousticIncidents checks the ground truth: a frame is an incident of
// its hydrophone exactly when it got a transient.
func TestAcousticIncidents(t *testing.T) {
	for _, rate := range []float64{0, 1} {
		o := DefaultAcousticOptions()
		o.TransientRate = rate
		g := o.Build(3)
		src := g.(IncidentSource)
		for i := range 8 {
			_, hyd := g.Next(nil, int64(i))
			in, ok := src.Incident()
			if ok != (rate == 1) || (ok && (in.Key != hyd || !in.Start || !in.Last)) {
				t.Fatalf("rate %g, frame %d of %s: incident %+v, %v", rate, i, hyd, in, ok)
			}
		}
	}
}
