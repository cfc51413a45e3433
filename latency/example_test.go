package latency_test

import (
	"fmt"
	"time"

	"github.com/kbench/kbench/latency"
)

func ExampleDecode() {
	p, err := latency.Decode("eu-west-1.yaml", []byte(`
put: {kind: lognormal, median: 30ms, p99: 120ms}
propagation: {kind: fixed, value: 80ms}
fan_out:
  kind: table
  quantiles: {0: 20ms, 0.5: 60ms, 1: 100ms}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Name)
	fmt.Println(p.Put.Quantile(0.5).Round(time.Millisecond), p.Put.Quantile(0.99).Round(time.Millisecond))
	fmt.Println(p.Propagation.Quantile(0.9))
	fmt.Println(p.FanOut.Quantile(0.75))
	// Output:
	// eu-west-1
	// 30ms 120ms
	// 80ms
	// 80ms
}

func ExampleDecode_problems() {
	_, err := latency.Decode("p.yaml", []byte("put: {kind: lognormal, median: 30ms}\nfan_out: {kind: gamma}\n"))
	fmt.Println(err)
	// Output:
	// p.yaml:1:6: put.p99: missing (kind lognormal needs median and p99)
	// p.yaml:2:17: fan_out.kind: unknown kind "gamma"; want none, fixed, lognormal or table
}

func ExampleNewOrdered() {
	d, _ := latency.LogNormal(100*time.Millisecond, 300*time.Millisecond)
	o := latency.NewOrdered(d, 1)
	var lastVisible time.Duration
	ordered := true
	for at := time.Duration(0); at < 10*time.Second; at += time.Millisecond {
		visible := at + o.Delay(int64(at))
		ordered = ordered && visible >= lastVisible
		lastVisible = visible
	}
	fmt.Println("records kept in order:", ordered)
	// Output: records kept in order: true
}
