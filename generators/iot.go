package generators

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/kbench/kbench/envelope"
)

var deviceModels = [...]struct {
	name     string
	firmware []string
}{
	{"TH-100", []string{"1.0.7", "1.1.2"}},
	{"TH-200", []string{"2.3.0", "2.4.1", "2.4.2"}},
	{"EnviroSense-3", []string{"3.0.0", "3.1.4"}},
	{"AquaTrack-X", []string{"5.2.9", "6.0.1"}},
}

var cities = [...]struct{ lat, lon float64 }{
	{52.5200, 13.4050},  // Berlin
	{40.7128, -74.0060}, // New York
	{35.6762, 139.6503}, // Tokyo
	{-33.8688, 151.2093},
	{51.5074, -0.1278},
	{1.3521, 103.8198},
	{-23.5505, -46.6333},
	{19.0760, 72.8777},
}

type device struct {
	due      int64 // virtual time of the next report, ns
	period   int64
	seq      uint64
	temp     float64
	tempBase float64
	hum      float64
	humBase  float64
	battery  float64
	lat, lon float64
	rssiBase int
	model    uint8
	fw       uint8
}

// iot makes device telemetry. Its records are compact JSON reports with
// the keys in this order:
//
//	{"device":"dev-000042","model":"TH-200","fw":"2.4.1","seq":17,
//	 "ts":"2026-03-01T12:00:00.123Z","temp_c":21.37,"humidity":45.20,
//	 "battery":87.51,"rssi":-67,"lat":52.520008,"lon":13.404954,"status":"ok"}
//
// Each device has its own reporting period, drawn uniformly in
// [PeriodMin, PeriodMax], and reports again after that period varied by up
// to ±Jitter of it. The generator keeps a virtual clock: the next record
// comes from the device whose next report is due earliest (a min-heap), so
// each device's share of records is proportional to 1/period. The virtual
// clock only orders devices; ts is the record's intended send time `at`.
//
// seq counts a device's reports from 0. temp_c and humidity wander around a
// per-device baseline (mean-reverting), battery drains slowly and is swapped
// for a full one at 1%, rssi is a per-device baseline with noise, and lat/lon
// take a slow random walk from a start near one of a few cities. status is
// "ok", "low_battery" below 15%, or "alert" in a burst.
//
// Bursts: a report starts a burst with a probability chosen so that a share
// BurstRate of all records start one; the burst is that report and the next
// BurstSize-1 records, consecutive, all from the same device with status
// "alert" and a temperature spike.
//
// The fleet (ids, models, firmware, periods, baselines and start positions)
// depends only on the options; the seed drives report phases, jitter and
// readings.
type iot struct {
	rng       rng
	devices   []device
	ids       []string
	heap      []int32 // device indices, a min-heap on devices[i].due
	jitter    float64
	startProb float64
	burstSize int
	burstDev  int
	burstLeft int
	ts        tsCache
	format    FormatKind
	cur       reading // the record being encoded
}

func newIoT(o IoTOptions, seed int64) *iot {
	g := &iot{
		rng:       newRNG(seed, saltIoT),
		devices:   make([]device, o.Devices),
		heap:      make([]int32, o.Devices),
		jitter:    o.Jitter,
		startProb: burstStartProb(o.BurstRate, o.BurstSize),
		burstSize: o.BurstSize,
		format:    formatOf(o.Format),
	}
	width := max(6, len(strconv.Itoa(o.Devices-1)))
	g.ids = stringTable(o.Devices, func(dst []byte, i int) []byte {
		return appendPadded(append(dst, "dev-"...), i, width)
	})
	uni := newRNG(int64(o.Devices)^int64(o.PeriodMin)<<1^int64(o.PeriodMax)<<2, saltUniverse)
	span := float64(o.PeriodMax - o.PeriodMin)
	for i := range g.devices {
		d := &g.devices[i]
		d.period = int64(o.PeriodMin) + int64(span*uni.Float64())
		d.model = uint8(uni.IntN(len(deviceModels)))
		d.fw = uint8(uni.IntN(len(deviceModels[d.model].firmware)))
		d.tempBase = 5 + 25*uni.Float64()
		d.humBase = 30 + 50*uni.Float64()
		d.battery = 40 + 60*uni.Float64()
		c := cities[uni.IntN(len(cities))]
		d.lat = c.lat + 0.2*(2*uni.Float64()-1)
		d.lon = c.lon + 0.2*(2*uni.Float64()-1)
		d.rssiBase = -45 - uni.IntN(50)
		d.temp, d.hum = d.tempBase, d.humBase
		d.due = int64(float64(d.period) * g.rng.Float64())
		g.heap[i] = int32(i)
	}
	for i := len(g.heap)/2 - 1; i >= 0; i-- {
		g.down(i)
	}
	return g
}

// Next implements Generator.
func (g *iot) Next(dst []byte, at int64) ([]byte, string) {
	r := &g.rng
	var idx int
	alert := false
	if g.burstLeft > 0 {
		g.burstLeft--
		idx, alert = g.burstDev, true
	} else {
		idx = int(g.heap[0])
		d := &g.devices[idx]
		d.due += int64(float64(d.period) * (1 + g.jitter*(2*r.Float64()-1)))
		g.down(0)
		if g.startProb > 0 && r.Float64() < g.startProb {
			g.burstDev, g.burstLeft, alert = idx, g.burstSize-1, true
		}
	}
	d := &g.devices[idx]
	d.temp = d.tempBase + 0.95*(d.temp-d.tempBase) + 0.3*r.Norm()
	d.hum = min(100, max(0, d.humBase+0.95*(d.hum-d.humBase)+0.5*r.Norm()))
	d.battery -= 0.002 + 0.002*r.Float64()
	if d.battery < 1 {
		d.battery = 100
	}
	d.lat += 2e-5 * r.Norm()
	d.lon += 2e-5 * r.Norm()
	temp := d.temp
	status := "ok"
	switch {
	case alert:
		temp += 15 + 5*r.Float64()
		status = "alert"
	case d.battery < 15:
		status = "low_battery"
	}
	model := &deviceModels[d.model]
	rd := &g.cur // a field, not a local: the format's encoder is called indirectly, so a local would escape
	*rd = reading{
		device: g.ids[idx], model: model.name, fw: model.firmware[d.fw], seq: d.seq, at: at,
		temp: temp, hum: d.hum, battery: d.battery, rssi: int64(d.rssiBase + int(math.Round(3*r.Norm()))),
		lat: d.lat, lon: d.lon, status: status,
	}
	d.seq++
	return g.format.reading(dst, rd, &g.ts), rd.device
}

// EnvelopeSlot implements Slotted.
func (g *iot) EnvelopeSlot() (envelope.Slot, bool) { return g.format.Slot, g.format.Inside }

// reading is one telemetry report, as the formats encode it. temp_c,
// humidity and battery have 2 decimals, lat and lon 6, in every format.
type reading struct {
	device, model, fw string
	seq               uint64
	at                int64 // ts, Unix ns
	temp, hum         float64
	battery           float64
	rssi              int64
	lat, lon          float64
	status            string
}

// appendReadingJSON appends the reading's JSON fields after the opening
// brace: `"device":…,"status":"ok"}`.
func appendReadingJSON(dst []byte, rd *reading, ts *tsCache) []byte {
	dst = append(dst, `"device":"`...)
	dst = append(dst, rd.device...)
	dst = append(dst, `","model":"`...)
	dst = append(dst, rd.model...)
	dst = append(dst, `","fw":"`...)
	dst = append(dst, rd.fw...)
	dst = append(dst, `","seq":`...)
	dst = strconv.AppendUint(dst, rd.seq, 10)
	dst = append(dst, `,"ts":"`...)
	dst = ts.append(dst, rd.at)
	dst = append(dst, `","temp_c":`...)
	dst = appendFixed(dst, rd.temp, 2)
	dst = append(dst, `,"humidity":`...)
	dst = appendFixed(dst, rd.hum, 2)
	dst = append(dst, `,"battery":`...)
	dst = appendFixed(dst, rd.battery, 2)
	dst = append(dst, `,"rssi":`...)
	dst = strconv.AppendInt(dst, rd.rssi, 10)
	dst = append(dst, `,"lat":`...)
	dst = appendFixed(dst, rd.lat, 6)
	dst = append(dst, `,"lon":`...)
	dst = appendFixed(dst, rd.lon, 6)
	dst = append(dst, `,"status":"`...)
	dst = append(dst, rd.status...)
	return append(dst, `"}`...)
}

// down restores the heap property below position i.
func (g *iot) down(i int) {
	h, devs := g.heap, g.devices
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && devs[h[r]].due < devs[h[l]].due {
			c = r
		}
		if devs[h[c]].due >= devs[h[i]].due {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

var iotKind = GeneratorKind{
	Name:    "iot",
	Doc:     "IoT telemetry (JSON, Avro, protobuf or CSV) from a fleet of devices; the entity is the device id.",
	Options: func() Options { o := DefaultIoTOptions(); return &o },
}

// IoTOptions configures the IoT telemetry generator: a fleet of devices, each
// reporting on its own period with its own jitter.
type IoTOptions struct {
	// Devices is the fleet size.
	Devices int `yaml:"devices" json:"devices"`
	// PeriodMin and PeriodMax bound each device's reporting period; a device's
	// period is drawn once, uniformly in between.
	PeriodMin time.Duration `yaml:"period_min" json:"period_min"`
	PeriodMax time.Duration `yaml:"period_max" json:"period_max"`
	// Jitter is the fraction (0..1) of its period by which a device's report
	// time varies.
	Jitter float64 `yaml:"jitter" json:"jitter"`
	// BurstRate is the share of reports (0..1) that start a burst;
	// BurstRate × BurstSize is at most 1.
	BurstRate float64 `yaml:"burst_rate" json:"burst_rate"`
	// BurstSize is how many back-to-back reports a burst makes.
	BurstSize int `yaml:"burst_size" json:"burst_size"`
	// Format is how records are encoded: prefixed (default), json, avro,
	// protobuf or csv; see Formats.
	Format string `yaml:"format" json:"format"`
}

// DefaultIoTOptions returns the IoT generator's defaults.
func DefaultIoTOptions() IoTOptions {
	return IoTOptions{Devices: 1000, PeriodMin: 500 * time.Millisecond, PeriodMax: 5 * time.Second,
		Jitter: 0.1, BurstRate: 0, BurstSize: 10, Format: Formats[0].Name}
}

// Generator implements Options.
func (o *IoTOptions) Generator() string { return "iot" }

// Validate implements Options.
func (o *IoTOptions) Validate() []*FieldError {
	var errs []*FieldError
	if o.Devices < 1 {
		errs = append(errs, &FieldError{Field: "devices", Problem: "must be at least 1"})
	}
	if o.PeriodMin <= 0 {
		errs = append(errs, &FieldError{Field: "period_min", Problem: "must be positive"})
	}
	if o.PeriodMax < o.PeriodMin {
		errs = append(errs, &FieldError{Field: "period_max", Problem: "must not be less than period_min"})
	}
	if o.Jitter < 0 || o.Jitter > 1 {
		errs = append(errs, &FieldError{Field: "jitter", Problem: "must be between 0 and 1"})
	}
	if o.BurstRate < 0 || o.BurstRate > 1 {
		errs = append(errs, &FieldError{Field: "burst_rate", Problem: "must be between 0 and 1"})
	}
	if o.BurstSize < 1 {
		errs = append(errs, &FieldError{Field: "burst_size", Problem: "must be at least 1"})
	}
	if fe := formatProblem(o.Format); fe != nil {
		errs = append(errs, fe)
	}
	if len(errs) == 0 && o.BurstRate*float64(o.BurstSize) > 1 {
		errs = append(errs, &FieldError{Field: "burst_rate", Problem: fmt.Sprintf(
			"%g bursts of %d reports per report is more than all reports (burst_rate × burst_size must be at most 1)",
			o.BurstRate, o.BurstSize)})
	}
	return errs
}

// Build implements Options.
func (o *IoTOptions) Build(seed int64) Generator {
	return newIoT(*o, seed)
}
