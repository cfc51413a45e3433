// Command echoapp is a minimal application under test for kbench's tests:
// it reads every shard of $KBENCH_STREAM_SOURCE and writes one output per
// record to the destinations named in its environment: NDJSON POSTed to
// $KBENCH_DESTINATION_WEB (one POST per batch read) and printed on standard
// output when $KBENCH_DESTINATION_LOG is set. A JSON record is output as
// {"source": record}; a record starting with kbench's binary envelope as
// {"_kb": "<the envelope's 40 bytes in hex>"}.
package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
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

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "echoapp:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	c := kinesis.NewFromConfig(cfg)
	stream := os.Getenv("KBENCH_STREAM_SOURCE")
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		return err
	}
	var mu sync.Mutex // one writer of standard output at a time
	var wg sync.WaitGroup
	for _, sh := range shards.Shards {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream),
			ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			iter := it.ShardIterator
			for iter != nil && ctx.Err() == nil {
				out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
				if err == nil {
					iter = out.NextShardIterator
					emit(out.Records, &mu)
				}
				select {
				case <-ctx.Done():
				case <-time.After(300 * time.Millisecond):
				}
			}
		}()
	}
	fmt.Fprintln(os.Stderr, "echoapp ready")
	wg.Wait()
	return nil
}

func emit(recs []types.Record, mu *sync.Mutex) {
	var body bytes.Buffer
	for _, r := range recs {
		var line []byte
		if len(r.Data) >= 40 && r.Data[0] == 'K' && r.Data[1] == 'B' {
			line, _ = json.Marshal(map[string]string{"_kb": hex.EncodeToString(r.Data[:40])})
		} else {
			line, _ = json.Marshal(map[string]json.RawMessage{"source": r.Data})
		}
		body.Write(line)
		body.WriteByte('\n')
	}
	if body.Len() == 0 {
		return
	}
	if url := os.Getenv("KBENCH_DESTINATION_WEB"); url != "" {
		if resp, err := http.Post(url, "application/x-ndjson", bytes.NewReader(body.Bytes())); err == nil {
			resp.Body.Close()
		}
	}
	if os.Getenv("KBENCH_DESTINATION_LOG") != "" {
		mu.Lock()
		os.Stdout.Write(body.Bytes())
		mu.Unlock()
	}
}
