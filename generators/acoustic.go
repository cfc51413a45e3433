package generators

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
)

// AcousticHeaderSize is the size in bytes of the header before each
// acoustic frame's PCM data. An acoustic record is this header followed by
// the PCM data, all little-endian:
//
//	offset size field
//	     0    4 magic "KBAF" (AcousticMagic)
//	     4    1 version, 1
//	     5    1 bits per sample: 8, 16, 24 or 32
//	     6    2 channels
//	     8    4 sample rate, samples per second per channel
//	    12    4 hydrophone index (the entity is "hyd-" and this index, 2+ digits)
//	    16    8 frame sequence number of this hydrophone, from 0
//	    24    8 start time of the frame: the record's `at`, Unix nanoseconds
//	    32    … PCM: signed integers, channels interleaved (sample 0 of every
//	            channel, then sample 1, …), SampleRate×FrameLength samples
//	            per channel, so AcousticOptions.FrameBytes() bytes
const AcousticHeaderSize = 32

// AcousticMagic opens every acoustic frame.
const AcousticMagic = "KBAF"

const (
	acousticVersion = 1
	soundSpeed      = 1500.0 // m/s in sea water
	sensorSpacing   = 0.75   // m between the channels of one array
)

type hydrophone struct {
	pos    int // tone-table index of the next frame's first sample, in [0, period)
	seq    uint64
	delays []int // per channel, in samples
}

// acoustic makes hydrophone frames. Frames cycle round-robin over the
// hydrophones; each hydrophone's frames are continuous in time. The signal
// is the sum of the tones (each at half of full scale divided by the number
// of tones, frequencies rounded to whole hertz so that the sum repeats
// within a second), Gaussian noise with a standard deviation of
// NoiseLevel × full scale (for speed, runs of 64 samples are read from
// random offsets of a table of 16,384 Gaussian samples drawn from the
// seed), and, in a share TransientRate of frames, a transient: a 20 ms
// exponentially decaying burst at up to 2.5 kHz and up to 0.4 of full scale
// at a random point of the frame. Each array is a line of hydrophones 0.75 m apart facing a source at
// a random bearing, so each channel sees the tones and transients delayed by
// a whole number of samples (sound travels at 1,500 m/s). Samples clip at
// full scale.
type acoustic struct {
	rng        rng
	ids        []string
	hyd        []hydrophone
	next       int
	channels   int
	bits       int
	sampleRate int
	samples    int // per channel per frame
	frameBytes int
	period     int     // of the tone sum, in samples
	tone       []int32 // the tone sum, period+samples long so a frame never wraps
	noise      []int32 // noiseTableSize+noiseRun samples
	transient  []float64
	transRate  float64
	lo, hi     int64 // full-scale limits
	// transient names the hydrophone whose frame, the latest made, got a
	// transient; "" when it got none.
	transient1 string
}

// Incident implements IncidentSource: a frame with a transient is an
// incident of its own, keyed by the hydrophone id.
func (g *acoustic) Incident() (Incident, bool) {
	if g.transient1 == "" {
		return Incident{}, false
	}
	return Incident{Key: g.transient1, Start: true, Last: true}, true
}

func newAcoustic(o AcousticOptions, seed int64) *acoustic {
	n := int(int64(o.SampleRate) * int64(o.FrameLength) / int64(time.Second))
	g := &acoustic{
		rng:        newRNG(seed, saltAcoustic),
		channels:   o.Channels,
		bits:       o.BitsPerSample,
		sampleRate: o.SampleRate,
		samples:    n,
		frameBytes: o.FrameBytes(),
		transRate:  o.TransientRate,
		hi:         1<<(o.BitsPerSample-1) - 1,
		lo:         -(1 << (o.BitsPerSample - 1)),
		noise:      make([]int32, noiseTableSize+noiseRun),
	}
	fs := float64(g.hi)

	// The tone sum repeats after period samples: the lcm over tones of
	// SampleRate/gcd(SampleRate, f).
	g.period = 1
	freqs := make([]float64, len(o.Tones))
	for i, f := range o.Tones {
		fi := max(1, int(math.Round(f)))
		freqs[i] = float64(fi)
		p := o.SampleRate / gcd(o.SampleRate, fi)
		g.period = g.period / gcd(g.period, p) * p
	}
	uni := newRNG(int64(len(o.Tones)), saltUniverse)
	phases := make([]float64, len(freqs))
	for i := range phases {
		phases[i] = 2 * math.Pi * uni.Float64()
	}
	g.tone = make([]int32, g.period+n)
	if len(freqs) > 0 {
		amp := 0.5 * fs / float64(len(freqs))
		for j := range g.tone {
			t := float64(j%g.period) / float64(o.SampleRate)
			s := 0.0
			for i, f := range freqs {
				s += math.Sin(2*math.Pi*f*t + phases[i])
			}
			g.tone[j] = int32(math.Round(amp * s))
		}
	}

	sigma := o.NoiseLevel * fs
	for i := range g.noise {
		g.noise[i] = int32(max(math.MinInt32, min(math.MaxInt32, math.Round(sigma*g.rng.Norm()))))
	}

	l := max(1, min(n, int(math.Round(0.02*float64(o.SampleRate)))))
	ft := min(2500, float64(o.SampleRate)/4)
	g.transient = make([]float64, l)
	for j := range g.transient {
		g.transient[j] = 0.4 * fs * math.Exp(-5*float64(j)/float64(l)) *
			math.Sin(2*math.Pi*ft*float64(j)/float64(o.SampleRate))
	}

	width := max(2, len(strconv.Itoa(o.Hydrophones-1)))
	g.ids = stringTable(o.Hydrophones, func(dst []byte, i int) []byte {
		return appendPadded(append(dst, "hyd-"...), i, width)
	})
	g.hyd = make([]hydrophone, o.Hydrophones)
	perChannel := sensorSpacing / soundSpeed * float64(o.SampleRate)
	for h := range g.hyd {
		sinBearing := math.Sin(math.Pi * (g.rng.Float64() - 0.5))
		d := make([]int, o.Channels)
		for c := range d {
			d[c] = int(math.Round(float64(c) * perChannel * sinBearing))
		}
		least := slices.Min(d)
		for c := range d {
			d[c] -= least
		}
		g.hyd[h] = hydrophone{pos: g.rng.IntN(g.period), delays: d}
	}
	return g
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Next implements Generator.
func (g *acoustic) Next(dst []byte, at int64) ([]byte, string) {
	index := g.next
	h := &g.hyd[index]
	g.next++
	if g.next == len(g.hyd) {
		g.next = 0
	}

	start := len(dst)
	dst = slices.Grow(dst, AcousticHeaderSize+g.frameBytes)[:start+AcousticHeaderSize+g.frameBytes]
	frame := dst[start:]
	copy(frame, AcousticMagic)
	frame[4] = acousticVersion
	frame[5] = byte(g.bits)
	binary.LittleEndian.PutUint16(frame[6:], uint16(g.channels))
	binary.LittleEndian.PutUint32(frame[8:], uint32(g.sampleRate))
	binary.LittleEndian.PutUint32(frame[12:], uint32(index))
	binary.LittleEndian.PutUint64(frame[16:], h.seq)
	binary.LittleEndian.PutUint64(frame[24:], uint64(at))
	pcm := frame[AcousticHeaderSize:]

	width := g.bits / 8
	stride := g.channels * width
	for c, delay := range h.delays {
		s := (h.pos - delay) % g.period
		if s < 0 {
			s += g.period
		}
		g.fill(pcm[c*width:], stride, g.tone[s:s+g.samples])
	}
	g.transient1 = ""
	if g.transRate > 0 && g.rng.Float64() < g.transRate {
		g.addTransient(pcm, h.delays)
		g.transient1 = g.ids[index]
	}
	h.pos = (h.pos + g.samples) % g.period
	h.seq++
	return dst, g.ids[index]
}

// fill writes one channel: tone[i] plus noise, clipped to full scale, to
// dst[i*stride:]. The noise of each run of noiseRun samples is read from a
// random offset of the noise table, so the loops draw one random number per
// run and keep everything in registers; each bit depth has its own loop.
func (g *acoustic) fill(dst []byte, stride int, tone []int32) {
	lo, hi := g.lo, g.hi
	o := 0
	for len(tone) > 0 {
		n := min(len(tone), noiseRun)
		off := int(g.rng.Uint64() & noiseMask)
		t, nz := tone[:n], g.noise[off:off+n]
		switch g.bits {
		case 8:
			o = fill8(dst, o, stride, t, nz, lo, hi)
		case 16:
			o = fill16(dst, o, stride, t, nz, lo, hi)
		case 24:
			o = fill24(dst, o, stride, t, nz, lo, hi)
		default:
			o = fill32(dst, o, stride, t, nz, lo, hi)
		}
		tone = tone[n:]
	}
}

// The noise table holds noiseTableSize Gaussian samples plus noiseRun so
// that a run may start anywhere in the first noiseTableSize.
const (
	noiseTableSize = 1 << 14
	noiseMask      = noiseTableSize - 1
	noiseRun       = 64
)

func fill8(dst []byte, o, stride int, tone, noise []int32, lo, hi int64) int {
	noise = noise[:len(tone)]
	for i, t := range tone {
		dst[o] = byte(min(max(int64(t)+int64(noise[i]), lo), hi))
		o += stride
	}
	return o
}

func fill16(dst []byte, o, stride int, tone, noise []int32, lo, hi int64) int {
	noise = noise[:len(tone)]
	for i, t := range tone {
		binary.LittleEndian.PutUint16(dst[o:], uint16(min(max(int64(t)+int64(noise[i]), lo), hi)))
		o += stride
	}
	return o
}

func fill24(dst []byte, o, stride int, tone, noise []int32, lo, hi int64) int {
	noise = noise[:len(tone)]
	for i, t := range tone {
		v := min(max(int64(t)+int64(noise[i]), lo), hi)
		b := dst[o : o+3]
		b[0], b[1], b[2] = byte(v), byte(v>>8), byte(v>>16)
		o += stride
	}
	return o
}

func fill32(dst []byte, o, stride int, tone, noise []int32, lo, hi int64) int {
	noise = noise[:len(tone)]
	for i, t := range tone {
		binary.LittleEndian.PutUint32(dst[o:], uint32(min(max(int64(t)+int64(noise[i]), lo), hi)))
		o += stride
	}
	return o
}

// addTransient adds the decaying burst, at a random point and gain, to
// every channel of pcm, each delayed by its channel delay.
func (g *acoustic) addTransient(pcm []byte, delays []int) {
	at := g.rng.IntN(g.samples - len(g.transient) + 1)
	gain := 0.5 + 0.5*g.rng.Float64()
	width := g.bits / 8
	for c, delay := range delays {
		for j, x := range g.transient {
			i := at + delay + j
			if i >= g.samples {
				break
			}
			b := pcm[(i*g.channels+c)*width:]
			v := min(max(getSample(b, g.bits)+int64(math.Round(gain*x)), g.lo), g.hi)
			putSample(b, g.bits, v)
		}
	}
}

// getSample reads one little-endian signed sample.
func getSample(b []byte, bits int) int64 {
	switch bits {
	case 8:
		return int64(int8(b[0]))
	case 16:
		return int64(int16(binary.LittleEndian.Uint16(b)))
	case 24:
		return int64(int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24) >> 8)
	}
	return int64(int32(binary.LittleEndian.Uint32(b)))
}

// putSample writes one little-endian signed sample.
func putSample(b []byte, bits int, v int64) {
	switch bits {
	case 8:
		b[0] = byte(v)
	case 16:
		binary.LittleEndian.PutUint16(b, uint16(v))
	case 24:
		b[0], b[1], b[2] = byte(v), byte(v>>8), byte(v>>16)
	default:
		binary.LittleEndian.PutUint32(b, uint32(v))
	}
}

var acousticKind = GeneratorKind{
	Name:    "acoustic",
	Doc:     "Binary PCM frames from hydrophone arrays; the entity is the hydrophone id.",
	Options: func() Options { o := DefaultAcousticOptions(); return &o },
}

// AcousticOptions configures the ocean-acoustic generator: PCM frames from
// hydrophone arrays. A frame holds FrameLength of audio for every channel,
// so its size is Channels × SampleRate × BitsPerSample/8 × FrameLength
// (16 kHz × 16 bit × 100 ms = 3,200 bytes per channel).
type AcousticOptions struct {
	// Hydrophones is the number of hydrophone arrays; each is one entity.
	Hydrophones int `yaml:"hydrophones" json:"hydrophones"`
	// Channels is the number of channels per array.
	Channels int `yaml:"channels" json:"channels"`
	// SampleRate is in samples per second per channel.
	SampleRate int `yaml:"sample_rate" json:"sample_rate"`
	// BitsPerSample is 8, 16, 24 or 32.
	BitsPerSample int `yaml:"bits_per_sample" json:"bits_per_sample"`
	// FrameLength is the audio duration one record carries.
	FrameLength time.Duration `yaml:"frame_length" json:"frame_length"`
	// Tones are the frequencies in Hz of the steady tones in the signal.
	Tones []float64 `yaml:"tones" json:"tones"`
	// NoiseLevel is the noise amplitude relative to full scale (0..1).
	NoiseLevel float64 `yaml:"noise_level" json:"noise_level"`
	// TransientRate is the share of frames (0..1) that carry a transient.
	TransientRate float64 `yaml:"transient_rate" json:"transient_rate"`
}

// DefaultAcousticOptions returns the acoustic generator's defaults.
func DefaultAcousticOptions() AcousticOptions {
	return AcousticOptions{Hydrophones: 4, Channels: 4, SampleRate: 16000, BitsPerSample: 16,
		FrameLength: 100 * time.Millisecond, Tones: []float64{50, 440}, NoiseLevel: 0.05, TransientRate: 0.01}
}

// Generator implements Options.
func (o *AcousticOptions) Generator() string { return "acoustic" }

// FrameBytes returns the size in bytes of one frame's PCM data.
func (o *AcousticOptions) FrameBytes() int {
	samples := int64(o.SampleRate) * int64(o.FrameLength) / int64(time.Second)
	return int(samples) * o.Channels * o.BitsPerSample / 8
}

// Validate implements Options.
func (o *AcousticOptions) Validate() []*FieldError {
	var errs []*FieldError
	if o.Hydrophones < 1 {
		errs = append(errs, &FieldError{Field: "hydrophones", Problem: "must be at least 1"})
	}
	if o.Channels < 1 || o.Channels > 64 {
		errs = append(errs, &FieldError{Field: "channels", Problem: "must be between 1 and 64"})
	}
	if o.SampleRate < 1 || o.SampleRate > 384000 {
		errs = append(errs, &FieldError{Field: "sample_rate", Problem: "must be between 1 and 384000"})
	}
	switch o.BitsPerSample {
	case 8, 16, 24, 32:
	default:
		errs = append(errs, &FieldError{Field: "bits_per_sample", Problem: "must be 8, 16, 24 or 32"})
	}
	if o.FrameLength <= 0 {
		errs = append(errs, &FieldError{Field: "frame_length", Problem: "must be positive"})
	}
	for _, f := range o.Tones {
		if f <= 0 || 2*f > float64(o.SampleRate) {
			errs = append(errs, &FieldError{Field: "tones", Problem: fmt.Sprintf("%g Hz must be positive and below half the sample rate", f)})
			break
		}
	}
	if o.NoiseLevel < 0 || o.NoiseLevel > 1 {
		errs = append(errs, &FieldError{Field: "noise_level", Problem: "must be between 0 and 1"})
	}
	if o.TransientRate < 0 || o.TransientRate > 1 {
		errs = append(errs, &FieldError{Field: "transient_rate", Problem: "must be between 0 and 1"})
	}
	if len(errs) == 0 && o.FrameBytes() == 0 {
		errs = append(errs, &FieldError{Field: "frame_length", Problem: "must hold at least one sample at sample_rate"})
	}
	// Kinesis caps one record at 1 MiB; leave room for the envelope.
	if len(errs) == 0 && AcousticHeaderSize+o.FrameBytes() > 1<<20-64 {
		errs = append(errs, &FieldError{Field: "frame_length", Problem: fmt.Sprintf("a frame of %d bytes does not fit in a 1 MiB Kinesis record",
			AcousticHeaderSize+o.FrameBytes())})
	}
	return errs
}

// Build implements Options.
func (o *AcousticOptions) Build(seed int64) Generator {
	c := *o
	c.Tones = append([]float64(nil), o.Tones...)
	return newAcoustic(c, seed)
}
