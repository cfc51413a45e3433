package collectors

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/kbench/kbench/envelope"
)

var stdoutDestination = DestinationKind{
	Name:   "stdout",
	Doc:    "Newline-delimited JSON on the started application's standard output; other lines are only logged.",
	Stdout: true,
	New: func(cfg DestinationConfig) (Destination, error) {
		if cfg.Stdout == nil {
			return nil, fmt.Errorf("destination %s: stdout needs an application kbench starts", cfg.Name)
		}
		return &stdoutDest{r: cfg.Stdout}, nil
	},
}

type stdoutDest struct{ r io.Reader }

func (s *stdoutDest) Address() string { return "stdout" }

// Run reads lines until the application's standard output ends (it keeps
// reading after ctx is cancelled, so the application never blocks on a
// full pipe): each line that is a JSON object is an output.
func (s *stdoutDest) Run(ctx context.Context, emit func([]byte, int64)) error {
	sc := bufio.NewScanner(s.r)
	sc.Buffer(nil, maxPost)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if ctx.Err() != nil || len(line) < 2 || line[0] != '{' || line[len(line)-1] != '}' {
			continue
		}
		emit(bytes.Clone(line), envelope.Now())
	}
	if err := sc.Err(); err != nil {
		_, _ = io.Copy(io.Discard, s.r)
	}
	return nil
}
