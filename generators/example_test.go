package generators_test

import (
	"fmt"
	"time"

	"github.com/kbench/kbench/generators"
)

func ExampleNew() {
	opts, err := generators.NewOptions("payments")
	if err != nil {
		fmt.Println(err)
		return
	}
	opts.(*generators.PaymentsOptions).Cards = 1000
	gen, err := generators.New(opts, 42)
	if err != nil {
		fmt.Println(err)
		return
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC).UnixNano()
	payload, card := gen.Next(nil, at)
	fmt.Println(card)
	fmt.Println(string(payload))
	// Output:
	// tok_9c03aff37e6d94ba
	// {"txn_id":"tx_e4702c25dd867201","ts":"2026-03-01T12:00:00.000Z","card":"tok_9c03aff37e6d94ba","merchant":"mer_3e5cce5f","mcc":"5814","amount":15.71,"currency":"CAD","country":"CA","channel":"ecom","label":"ok"}
}

func ExampleNew_validation() {
	_, err := generators.New(&generators.IoTOptions{Devices: 0, PeriodMin: time.Second, PeriodMax: time.Second, BurstSize: 0}, 1)
	fmt.Println(err)
	// Output:
	// devices: must be at least 1
	// burst_size: must be at least 1
}

func ExampleSteps() {
	pacer := generators.Steps([]generators.Step{
		{RPS: 0, For: 2 * time.Second},   // a quiet start
		{RPS: 100, For: 1 * time.Second}, // then 100 records/s
		{RPS: 10, For: 1 * time.Second},  // then 10 records/s, held
	})
	for _, n := range []uint64{0, 1, 99, 100, 101, 115} {
		at, ok := pacer.Due(n)
		fmt.Println(n, at, ok)
	}
	fmt.Println(pacer.Rate(2500 * time.Millisecond))
	// Output:
	// 0 2s true
	// 1 2.01s true
	// 99 2.99s true
	// 100 3s true
	// 101 3.1s true
	// 115 4.5s true
	// 100
}

func ExampleSwitch() {
	// 10 records/s, then 20 records/s from 1 s on.
	pacer := generators.Switch(generators.Constant(10), time.Second, generators.Constant(20))
	for n := range uint64(13) {
		at, _ := pacer.Due(n) // n increases by one per call
		if n >= 8 {
			fmt.Println(n, at)
		}
	}
	fmt.Println(pacer.Rate(500*time.Millisecond), pacer.Rate(time.Second))
	// Output:
	// 8 800ms
	// 9 900ms
	// 10 1s
	// 11 1.05s
	// 12 1.1s
	// 10 20
}

func ExampleShardForKey() {
	keys, err := generators.NewKeyStrategy("explicit", generators.KeyConfig{Shards: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 5 {
		pk, hashKey := keys.Key("tok_0123456789abcdef")
		fmt.Println(pk, hashKey, generators.ShardForKey(pk, hashKey, 4))
	}
	// Output:
	// tok_0123456789abcdef 42535295865117307932921825928971026431 0
	// tok_0123456789abcdef 127605887595351923798765477786913079295 1
	// tok_0123456789abcdef 212676479325586539664609129644855132159 2
	// tok_0123456789abcdef 297747071055821155530452781502797185023 3
	// tok_0123456789abcdef 42535295865117307932921825928971026431 0
}
