// Command fraud-detector is an example application under test for kbench: a
// small streaming fraud detector of the kind a team would gate in CI. It
// reads card payments from a Kinesis stream, by polling every shard
// (GetRecords) or by enhanced fan-out (SubscribeToShard), flags a card that
// makes several transactions on more than one continent within a short
// window (the pattern of the payments generator's fraud bursts), and writes
// one alert per incident to a second stream. Either way it follows a
// reshard of the payments stream: a child shard is read once its parents
// are read to their end.
//
// It knows nothing of kbench beyond the environment every AWS SDK reads
// (AWS_ENDPOINT_URL_KINESIS, AWS_REGION, the credentials) and the stream
// names in its flags; kbench's scenario passes them as templates
// (examples/fraud-detector/scenario.yaml). Flags:
//
//	--in STREAM        payments to read (default $KBENCH_STREAM_SOURCE)
//	--out STREAM       alerts to write (default $KBENCH_STREAM_ALERTS)
//	--read poll        how to read: poll (GetRecords) or fanout (enhanced
//	                   fan-out; default $FRAUD_DETECTOR_READ, else poll)
//	--consumer NAME    the fan-out consumer's name (default fraud-detector)
//	--poll 200ms       pause between GetRecords calls on a shard
//	--window 10s       how close in event time the transactions must be
//	--min 3            transactions in the window that make an alert
//	--delay 0          extra processing time per batch of records read
//	                   (default $FRAUD_DETECTOR_DELAY)
//	--crash-after 0    exit with status 2 after this long, to test crashes
//	                   (default $FRAUD_DETECTOR_CRASH_AFTER)
//
// A failed read or alert write is retried after a second (a polling reader
// from a new iterator after its last record), ten times in a row at most.
//
// Each alert is a JSON object naming the card, the transaction that
// triggered it (txn_id) and, when the payments carried kbench's "_kb" field,
// that field copied through.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// continent of each country the payments generator uses.
var continent = map[string]string{
	"US": "NA", "MX": "NA", "CA": "NA", "BR": "SA",
	"GB": "EU", "DE": "EU", "FR": "EU", "ES": "EU",
	"NG": "AF", "ZA": "AF", "IN": "AS", "JP": "AS", "SG": "AS", "AU": "OC",
}

// payment is the part of a payment record the detector reads.
type payment struct {
	TxnID   string          `json:"txn_id"`
	TS      time.Time       `json:"ts"`
	Card    string          `json:"card"`
	Country string          `json:"country"`
	KB      json.RawMessage `json:"_kb,omitempty"`
}

// alert is what the detector writes.
type alert struct {
	Card       string          `json:"card"`
	TxnID      string          `json:"txn_id"`
	TxnIDs     []string        `json:"txn_ids"`
	Countries  []string        `json:"countries"`
	DetectedAt time.Time       `json:"detected_at"`
	KB         json.RawMessage `json:"_kb,omitempty"`
}

type options struct {
	in, out          string
	read, consumer   string
	poll, window     time.Duration
	min              int
	delay, crashTime time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.in, "in", os.Getenv("KBENCH_STREAM_SOURCE"), "payments stream to read")
	flag.StringVar(&o.out, "out", os.Getenv("KBENCH_STREAM_ALERTS"), "alerts stream to write")
	flag.StringVar(&o.read, "read", envOr("FRAUD_DETECTOR_READ", "poll"), "how to read the payments: poll or fanout")
	flag.StringVar(&o.consumer, "consumer", "fraud-detector", "the enhanced fan-out consumer's name")
	flag.DurationVar(&o.poll, "poll", 200*time.Millisecond, "pause between GetRecords calls on a shard")
	flag.DurationVar(&o.window, "window", 10*time.Second, "event-time window of one incident")
	flag.IntVar(&o.min, "min", 3, "transactions in the window that make an alert")
	flag.DurationVar(&o.delay, "delay", envDuration("FRAUD_DETECTOR_DELAY"), "extra processing time per batch read")
	flag.DurationVar(&o.crashTime, "crash-after", envDuration("FRAUD_DETECTOR_CRASH_AFTER"), "exit with status 2 after this long")
	flag.Parse()
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	if o.in == "" || o.out == "" {
		log.Print("fraud-detector: --in and --out (or KBENCH_STREAM_SOURCE and KBENCH_STREAM_ALERTS) are required")
		os.Exit(2)
	}
	if o.read != "poll" && o.read != "fanout" {
		log.Printf("fraud-detector: --read %q: want poll or fanout", o.read)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if o.crashTime > 0 {
		time.AfterFunc(o.crashTime, func() {
			log.Print("fraud-detector: crashing as asked (--crash-after)")
			os.Exit(2)
		})
	}
	if err := run(ctx, o); err != nil {
		log.Printf("fraud-detector: %v", err)
		os.Exit(1)
	}
	log.Print("fraud-detector: stopped")
}

// envOr returns the environment variable name, or def when it is empty.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// envDuration reads a duration flag's default from the environment; a bad
// value is reported and ignored.
func envDuration(name string) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		log.Printf("fraud-detector: %s=%q: %v (ignored)", name, v, err)
	}
	return d
}

func newClient(ctx context.Context) (*kinesis.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return kinesis.NewFromConfig(cfg, func(k *kinesis.Options) {
		// SDKs that predate AWS_ENDPOINT_URL read kbench's own variable.
		if ep := os.Getenv("KBENCH_ENDPOINT"); ep != "" && k.BaseEndpoint == nil {
			k.BaseEndpoint = aws.String(ep)
		}
		k.HTTPClient = plainBody{k.HTTPClient}
	}), nil
}

// plainBody sends each request's body behind a plain io.ReadCloser. The
// SDK's body has a WriteTo that returns io.EOF once the SDK has closed it,
// which it does as soon as the response headers arrive; when a fast
// endpoint answers before net/http's write loop has made its last read of
// the body, net/http takes that io.EOF for a failed write and closes the
// connection the response is still arriving on. For SubscribeToShard that
// fails the new subscription's event stream with "use of closed network
// connection" right after its initial response, and no retryer sees it.
// Without WriteTo, net/http reads the closed body to an ordinary io.EOF.
type plainBody struct{ kinesis.HTTPClient }

// Do sends r with its body hidden behind a plain io.ReadCloser.
func (c plainBody) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return c.HTTPClient.Do(r)
}

func run(ctx context.Context, o options) error {
	c, err := newClient(ctx)
	if err != nil {
		return err
	}
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(o.in)})
	if err != nil {
		return fmt.Errorf("list shards of %s: %w", o.in, err)
	}
	d := &detector{o: o, c: c, cards: map[string][]payment{}, alerted: map[string]time.Time{}}
	if o.read == "fanout" {
		return d.fanOut(ctx, shards.Shards)
	}
	log.Printf("fraud-detector: started, polling %d shard(s) of %s, alerts to %s", len(shards.Shards), o.in, o.out)
	return follow(ctx, shards.Shards, d.pollShard)
}

type detector struct {
	o options
	c *kinesis.Client

	mu      sync.Mutex
	cards   map[string][]payment // recent payments by card
	alerted map[string]time.Time // card → event time of its last alert
}

// maxFailures is how many calls in a row may fail on one shard (other than
// throttling, which is waited out), or writing one alert, before the
// detector gives up.
const maxFailures = 10

// pollShard reads shard id with GetRecords from its oldest record until it
// is read to its end (it returns the children) or ctx ends. A failed call
// is retried after a second, from a new iterator after the last record
// read, up to maxFailures times in a row.
func (d *detector) pollShard(ctx context.Context, id string) ([]types.ChildShard, error) {
	var iter *string
	var last string
	failures := 0
	failed := func(err error) error {
		var tp *types.ProvisionedThroughputExceededException
		if errors.As(err, &tp) {
			return nil
		}
		if failures++; failures > maxFailures {
			return fmt.Errorf("shard %s: %w", id, err)
		}
		log.Printf("fraud-detector: shard %s: %v (retrying)", id, err)
		iter = nil
		return nil
	}
	for {
		if iter == nil {
			in := &kinesis.GetShardIteratorInput{StreamName: aws.String(d.o.in), ShardId: aws.String(id),
				ShardIteratorType: types.ShardIteratorTypeTrimHorizon}
			if last != "" {
				in.ShardIteratorType, in.StartingSequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(last)
			}
			it, err := d.c.GetShardIterator(ctx, in)
			switch {
			case ctx.Err() != nil:
				return nil, nil
			case err != nil:
				if err := failed(err); err != nil {
					return nil, err
				}
			case it.ShardIterator == nil: // closed, nothing left to read
				return nil, nil
			default:
				iter = it.ShardIterator
				continue
			}
		} else {
			out, err := d.c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			switch {
			case ctx.Err() != nil:
				return nil, nil
			case err != nil:
				if err := failed(err); err != nil {
					return nil, err
				}
			default:
				failures = 0
				if err := d.handle(ctx, out.Records); err != nil {
					return nil, err
				}
				if n := len(out.Records); n > 0 {
					last = aws.ToString(out.Records[n-1].SequenceNumber)
				}
				if out.NextShardIterator == nil || *out.NextShardIterator == "" {
					return out.ChildShards, nil
				}
				iter = out.NextShardIterator
			}
		}
		pause := d.o.poll
		if failures > 0 {
			pause = time.Second
		}
		select {
		case <-ctx.Done():
			return nil, nil
		case <-time.After(pause):
		}
	}
}

// handle processes one batch of payments and sends the alerts they raise.
func (d *detector) handle(ctx context.Context, records []types.Record) error {
	if d.o.delay > 0 && len(records) > 0 {
		time.Sleep(d.o.delay) // the flag's extra processing time
	}
	for _, r := range records {
		var p payment
		if json.Unmarshal(r.Data, &p) != nil || p.Card == "" {
			continue
		}
		if a := d.observe(p); a != nil {
			if err := d.send(ctx, a); err != nil {
				return err
			}
		}
	}
	return nil
}

// observe adds a payment to its card's recent history and returns an alert
// when the card now has min payments on more than one continent within the
// window, and has not been alerted within the window.
func (d *detector) observe(p payment) *alert {
	d.mu.Lock()
	defer d.mu.Unlock()
	recent := append(d.cards[p.Card], p)
	keep := recent[:0]
	for _, q := range recent {
		if p.TS.Sub(q.TS) <= d.o.window {
			keep = append(keep, q)
		}
	}
	d.cards[p.Card] = keep
	if len(keep) < d.o.min {
		return nil
	}
	seen := map[string]bool{}
	for _, q := range keep {
		seen[continent[q.Country]] = true
	}
	if len(seen) < 2 {
		return nil
	}
	if last, ok := d.alerted[p.Card]; ok && p.TS.Sub(last) <= d.o.window {
		return nil
	}
	d.alerted[p.Card] = p.TS
	a := &alert{Card: p.Card, TxnID: p.TxnID, DetectedAt: time.Now().UTC(), KB: p.KB}
	for _, q := range keep {
		a.TxnIDs = append(a.TxnIDs, q.TxnID)
		a.Countries = append(a.Countries, q.Country)
	}
	return a
}

func (d *detector) send(ctx context.Context, a *alert) error {
	data, err := json.Marshal(a)
	if err != nil {
		return err
	}
	for failures := 1; ; failures++ {
		_, err = d.c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(d.o.out),
			PartitionKey: aws.String(a.Card), Data: data})
		switch {
		case err == nil || ctx.Err() != nil:
			return nil
		case failures >= maxFailures:
			return fmt.Errorf("put alert: %w", err)
		}
		log.Printf("fraud-detector: put alert: %v (retrying)", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}
