// Package latency holds latency profiles: the distributions of how long
// Kinesis takes to accept a write, to make it readable by GetRecords and to
// push it to an enhanced fan-out subscriber. The simulator and the model
// target sample them; `kbench calibrate` fits one from a real run.
//
// Three profiles are at hand: "none" (every delay zero, the simulator's
// behaviour without a profile), "aws" (built from AWS's published figures,
// which are averages: every spread and tail it assumes is listed in its
// Assumptions), and a YAML file (see Load).
package latency

import (
	"fmt"
	"os"
	"strings"
)

// Names of the built-in profiles, accepted by Load.
const (
	NameNone = "none"
	NameAWS  = "aws"
)

// Profile is a set of latency distributions, one per stage a record goes
// through.
type Profile struct {
	// Name names the profile in reports: "none", "aws", or the file's
	// `name` (its base name without extension when the file has none).
	Name string
	// Source says where the profile came from: "built in" or the file's
	// path.
	Source string
	// Put is the duration of one PutRecords or PutRecord call, from the
	// request reaching Kinesis until its response leaves it.
	Put Dist
	// Propagation is the time from a write being acknowledged until its
	// records are returned by GetRecords.
	Propagation Dist
	// FanOut is the time from a write being acknowledged until its
	// records are pushed to a SubscribeToShard subscriber.
	FanOut Dist
	// Assumptions lists, in sentences, every figure of the profile that
	// is assumed rather than measured or published. One about a single
	// part begins with its name and a colon: "put:", "propagation:" or
	// "fan_out:".
	Assumptions []string
}

// IsZero says whether every delay of the profile is zero.
func (p *Profile) IsZero() bool {
	return p.Put.IsZero() && p.Propagation.IsZero() && p.FanOut.IsZero()
}

// String describes the profile in one line.
func (p *Profile) String() string {
	return fmt.Sprintf("%s: put %v, propagation %v, fan-out %v", p.Name, p.Put, p.Propagation, p.FanOut)
}

// None returns the profile with every delay zero.
func None() *Profile {
	return &Profile{Name: NameNone, Source: "built in"}
}

// Load returns the profile ref names: "none" (or ""), "aws", or the path of
// a profile file (see Decode for its format). A file's problems come back
// all at once, each as "file:line:col: field: message".
func Load(ref string) (*Profile, error) {
	switch ref {
	case "", NameNone:
		return None(), nil
	case NameAWS:
		return AWS(), nil
	}
	data, err := os.ReadFile(ref)
	if err != nil {
		return nil, fmt.Errorf("latency profile %q: want %s, %s or a profile file: %w", ref, NameNone, NameAWS, err)
	}
	return Decode(ref, data)
}

// IsBuiltIn says whether ref names a built-in profile rather than a file.
func IsBuiltIn(ref string) bool {
	return ref == "" || ref == NameNone || ref == NameAWS
}

// AssumptionsAbout returns the assumptions that begin with part ("put",
// "propagation" or "fan_out") and a colon.
func (p *Profile) AssumptionsAbout(part string) []string {
	var out []string
	for _, a := range p.Assumptions {
		if strings.HasPrefix(a, part+":") {
			out = append(out, a)
		}
	}
	return out
}
