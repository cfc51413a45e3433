package generators

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"
)

type iotRecord struct {
	Device   string  `json:"device"`
	Model    string  `json:"model"`
	FW       string  `json:"fw"`
	Seq      uint64  `json:"seq"`
	TS       string  `json:"ts"`
	TempC    float64 `json:"temp_c"`
	Humidity float64 `json:"humidity"`
	Battery  float64 `json:"battery"`
	RSSI     int     `json:"rssi"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
	Status   string  `json:"status"`
}

func decodeIoT(t *testing.T, g Generator, n int) []iotRecord {
	t.Helper()
	payloads, entities := records(g, n)
	out := make([]iotRecord, n)
	for i, p := range payloads {
		if !json.Valid(p) {
			t.Fatalf("record %d is not JSON: %s", i, p)
		}
		dec := json.NewDecoder(bytes.NewReader(p))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&out[i]); err != nil {
			t.Fatalf("record %d: %v: %s", i, err, p)
		}
		if out[i].Device != entities[i] {
			t.Fatalf("record %d: entity %q, device %q", i, entities[i], out[i].Device)
		}
	}
	return out
}

func TestIoTFields(t *testing.T) {
	g := newGen(t, "iot", 4, func(o *IoTOptions) { o.Devices = 50 })
	recs := decodeIoT(t, g, 20000)
	next := map[string]uint64{}
	fixed := map[string][2]string{}
	for i, r := range recs {
		if r.Seq != next[r.Device] {
			t.Fatalf("record %d: %s seq %d, want %d", i, r.Device, r.Seq, next[r.Device])
		}
		next[r.Device]++
		if f, ok := fixed[r.Device]; ok && f != [2]string{r.Model, r.FW} {
			t.Fatalf("record %d: %s changed model or firmware", i, r.Device)
		}
		fixed[r.Device] = [2]string{r.Model, r.FW}
		ts, err := time.Parse(time.RFC3339Nano, r.TS)
		if err != nil || ts.UnixNano() != benchAt+int64(i)*int64(time.Millisecond) {
			t.Fatalf("record %d: ts %q does not match its send time (%v)", i, r.TS, err)
		}
		if r.Humidity < 0 || r.Humidity > 100 || r.Battery < 0 || r.Battery > 100 || r.RSSI > -20 || r.RSSI < -120 ||
			math.Abs(r.Lat) > 90 || math.Abs(r.Lon) > 180 || r.TempC < -30 || r.TempC > 80 {
			t.Fatalf("record %d: implausible reading %+v", i, r)
		}
		if r.Status != "ok" && r.Status != "low_battery" {
			t.Fatalf("record %d: status %q without bursts", i, r.Status)
		}
	}
	if len(next) != 50 {
		t.Errorf("%d devices reported, want 50", len(next))
	}
}

// TestIoTSharesFollowPeriods checks that each device's share of records is
// proportional to 1/period.
func TestIoTSharesFollowPeriods(t *testing.T) {
	const n = 100000
	g := newGen(t, "iot", 6, func(o *IoTOptions) {
		o.Devices, o.PeriodMin, o.PeriodMax, o.Jitter = 20, time.Second, 10*time.Second, 0.2
	}).(*iot)
	counts := map[string]int{}
	for range n {
		_, e := g.Next(nil, benchAt)
		counts[e]++
	}
	sum := 0.0
	for _, d := range g.devices {
		sum += 1 / float64(d.period)
	}
	for i, d := range g.devices {
		want := 1 / float64(d.period) / sum
		if got := float64(counts[g.ids[i]]) / n; math.Abs(got-want) > 0.03*want {
			t.Errorf("%s (period %v): share %.4f, want %.4f ± 3%%", g.ids[i], time.Duration(d.period), got, want)
		}
	}
}

func TestIoTBursts(t *testing.T) {
	const rate, size, n = 0.01, 5, 50000
	g := newGen(t, "iot", 8, func(o *IoTOptions) { o.BurstRate, o.BurstSize = rate, size })
	recs := make([]iotRecord, n)
	var buf []byte
	for i := range recs {
		buf, _ = g.Next(buf[:0], benchAt)
		recs[i] = iotRecord{Device: jsonField(buf, "device"), Status: jsonField(buf, "status")}
	}
	bursts := 0
	for i := 0; i+size <= len(recs); {
		if recs[i].Status != "alert" {
			i++
			continue
		}
		bursts++
		for j := i + 1; j < i+size; j++ {
			if recs[j].Status != "alert" || recs[j].Device != recs[i].Device {
				t.Fatalf("record %d: burst from %d broken", j, i)
			}
		}
		i += size
	}
	if got := float64(bursts) / n; math.Abs(got-rate) > 0.15*rate {
		t.Errorf("share of records starting a burst %.4f, want %.4f ± 15%%", got, rate)
	}
}
