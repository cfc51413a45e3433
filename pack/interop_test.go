package pack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The interoperability tests run the AWS-published Node.js package
// aws-kinesis-agg (installed by `make kinesis-agg` into .cache/, or where
// KBENCH_KINESIS_AGG_DIR points) against this package, both ways.

// aggModuleDir returns the directory aws-kinesis-agg is installed under,
// or skips the test.
func aggModuleDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KBENCH_KINESIS_AGG_DIR")
	if dir == "" {
		dir = filepath.Join("..", ".cache", "aws-kinesis-agg-"+awsKinesisAggVersion)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "aws-kinesis-agg", "index.js")); err != nil {
		t.Skipf("aws-kinesis-agg is not installed in %s (run make kinesis-agg; it needs npm): %v", dir, err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("no node on PATH to run aws-kinesis-agg")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// awsKinesisAggVersion is the version the Makefile installs.
const awsKinesisAggVersion = "4.2.8"

// jsRecord is a record as the Node.js script reads and writes it.
type jsRecord struct {
	PartitionKey         string `json:"partitionKey"`
	ExplicitHashKey      string `json:"explicitHashKey,omitempty"`
	ExplicitPartitionKey string `json:"explicitPartitionKey,omitempty"`
	Data                 []byte `json:"data"` // base64 in JSON
}

// runNode runs the script in mode with in as its input and decodes its
// output into out.
func runNode(t *testing.T, dir, mode string, in, out any) {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "node", filepath.Join("testdata", "kinesis-agg.js"), dir, mode)
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", mode, err, stderr.String())
	}
	if err := json.Unmarshal(got, out); err != nil {
		t.Fatalf("node %s output: %v\n%.500s", mode, err, got)
	}
}

// TestAWSKinesisAggReadsOurAggregates: aggregates written by Aggregate
// (with and without explicit hash keys, several keys per aggregate) are
// de-aggregated by aws-kinesis-agg, checksums verified, into the same user
// records in the same order. Explicit hash keys are given to every record
// of an aggregate or to none, as kbench's key strategies do: aws-kinesis-agg
// reads an absent explicit_hash_key_index as 0, so in an aggregate that
// mixes the two it would give the records without one the first table
// entry.
func TestAWSKinesisAggReadsOurAggregates(t *testing.T) {
	dir := aggModuleDir(t)
	pks, data := userRecords(250, 7)
	var kinesis []jsRecord
	var want [][]jsRecord
	var a Aggregate
	var group []jsRecord
	for i := range pks {
		ehk := ""
		if len(kinesis)%2 == 1 {
			ehk = fmt.Sprint(uint64(i) * 123456789)
		}
		a.Add(pks[i], ehk, data[i])
		group = append(group, jsRecord{PartitionKey: pks[i], ExplicitPartitionKey: ehk, Data: data[i]})
		if a.Len() == 50 || i == len(pks)-1 {
			kinesis = append(kinesis, jsRecord{PartitionKey: a.PartitionKey(), Data: a.AppendTo(nil)})
			want = append(want, group)
			group = nil
			a.Reset()
		}
	}
	var got []json.RawMessage
	runNode(t, dir, "deagg", kinesis, &got)
	if len(got) != len(want) {
		t.Fatalf("aws-kinesis-agg returned %d results for %d Kinesis records", len(got), len(want))
	}
	for i, raw := range got {
		var users []jsRecord
		if err := json.Unmarshal(raw, &users); err != nil {
			t.Fatalf("Kinesis record %d: aws-kinesis-agg said %s", i, raw)
		}
		if len(users) != len(want[i]) {
			t.Fatalf("Kinesis record %d: %d user records, want %d", i, len(users), len(want[i]))
		}
		for j, u := range users {
			w := want[i][j]
			if u.PartitionKey != w.PartitionKey || u.ExplicitPartitionKey != w.ExplicitPartitionKey || !bytes.Equal(u.Data, w.Data) {
				t.Fatalf("Kinesis record %d, user record %d: got %q %q %q, want %q %q %q", i, j,
					u.PartitionKey, u.ExplicitPartitionKey, u.Data, w.PartitionKey, w.ExplicitPartitionKey, w.Data)
			}
		}
	}
	// A damaged aggregate is refused by aws-kinesis-agg's checksum too.
	bad := bytes.Clone(kinesis[0].Data)
	bad[20] ^= 1
	var refused []json.RawMessage
	runNode(t, dir, "deagg", []jsRecord{{PartitionKey: "k", Data: bad}}, &refused)
	var e struct{ Error string }
	if len(refused) != 1 || json.Unmarshal(refused[0], &e) != nil || e.Error == "" {
		t.Errorf("aws-kinesis-agg accepted a damaged aggregate: %s", refused)
	}
}

// TestWeReadAWSKinesisAggAggregates: records aws-kinesis-agg aggregates are
// de-aggregated by Unpacker, MD5 checked, into the records it was given.
func TestWeReadAWSKinesisAggAggregates(t *testing.T) {
	dir := aggModuleDir(t)
	pks, data := userRecords(12000, 11) // over 1 MB: more than one Kinesis record
	var users []jsRecord
	for i := range pks {
		u := jsRecord{PartitionKey: pks[i], Data: data[i]}
		if i%7 == 0 {
			u.ExplicitHashKey = fmt.Sprint(uint64(i) * 987654321)
		}
		users = append(users, u)
	}
	var kinesis []jsRecord
	runNode(t, dir, "agg", users, &kinesis)
	if len(kinesis) == 0 {
		t.Fatal("aws-kinesis-agg made no records")
	}
	var u Unpacker
	var got []jsRecord
	for i, k := range kinesis {
		if !IsAggregated(k.Data) {
			t.Fatalf("Kinesis record %d does not start with the KPL magic: % x", i, k.Data[:min(len(k.Data), 8)])
		}
		out, err := u.Unpack(k.PartitionKey, k.Data)
		if err != nil {
			t.Fatalf("Kinesis record %d: %v", i, err)
		}
		for _, r := range out.Records {
			got = append(got, jsRecord{PartitionKey: string(r.PartitionKey), ExplicitHashKey: string(r.ExplicitHashKey), Data: bytes.Clone(r.Data)})
		}
	}
	if len(got) != len(users) {
		t.Fatalf("%d user records from %d Kinesis records, want %d", len(got), len(kinesis), len(users))
	}
	for i := range got {
		g, w := got[i], users[i]
		if g.PartitionKey != w.PartitionKey || g.ExplicitHashKey != w.ExplicitHashKey || !bytes.Equal(g.Data, w.Data) {
			t.Fatalf("user record %d: got %q %q %q, want %q %q %q", i, g.PartitionKey, g.ExplicitHashKey, g.Data, w.PartitionKey, w.ExplicitHashKey, w.Data)
		}
	}
	t.Logf("aws-kinesis-agg packed %d user records into %d Kinesis records; all read back", len(users), len(kinesis))
}
