package collectors

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/kbench/kbench/envelope"
)

var httpDestination = DestinationKind{
	Name: "http",
	Doc:  "kbench serves an HTTP endpoint on loopback (URL in KBENCH_DESTINATION_<NAME>); the application POSTs its outputs, one JSON object or newline-delimited JSON per request.",
	New:  newHTTPDestination,
}

// maxPost bounds one POST's body.
const maxPost = 16 << 20

// httpDest listens on a loopback port from New on, so its URL can go into
// the application's environment before the application starts.
type httpDest struct {
	ln  net.Listener
	url string
}

func newHTTPDestination(cfg DestinationConfig) (Destination, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("destination %s: listen: %w", cfg.Name, err)
	}
	return &httpDest{ln: ln, url: "http://" + ln.Addr().String() + "/" + cfg.Name}, nil
}

func (h *httpDest) Address() string { return h.url }

// Run serves POSTs of any path until ctx is cancelled: each non-empty line
// of a body is one output (a body that is one JSON object spread over lines
// is one output too). It answers 204, or 405 for another method.
func (h *httpDest) Run(ctx context.Context, emit func([]byte, int64)) error {
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST outputs here", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxPost))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		arrival := envelope.Now()
		for _, out := range splitOutputs(body) {
			emit(out, arrival)
		}
		w.WriteHeader(http.StatusNoContent)
	})}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(h.ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		<-done
		return nil
	case err := <-done:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

// splitOutputs splits a body into outputs: newline-delimited JSON values,
// or the whole body when it is not (one pretty-printed object).
func splitOutputs(body []byte) [][]byte {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil
	}
	var outs [][]byte
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, maxPost)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if line[0] != '{' || line[len(line)-1] != '}' {
			return [][]byte{body}
		}
		outs = append(outs, bytes.Clone(line))
	}
	return outs
}
