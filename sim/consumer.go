package sim

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// consumer is an enhanced fan-out consumer registered on a stream.
type consumer struct {
	name    string
	arn     string
	created time.Time
	readyAt time.Time // CREATING until then
	stream  *stream

	mu   sync.Mutex
	subs map[int]*subscription // by shard index
	gone bool                  // deregistered
	tags map[string]string     // TagResource's; nil for none
}

// subscription is a SubscribeToShard call's claim on a consumer-shard.
type subscription struct {
	started time.Time
	active  bool
	end     chan struct{} // closed to end the subscription early
}

func newConsumer(st *stream, name string, now time.Time, delay time.Duration) *consumer {
	return &consumer{
		name:    name,
		arn:     st.arn + "/consumer/" + name + ":" + strconv.FormatInt(now.Unix(), 10),
		created: now,
		readyAt: now.Add(delay),
		stream:  st,
		subs:    make(map[int]*subscription),
	}
}

func (c *consumer) status(now time.Time) string {
	if now.Before(c.readyAt) {
		return statusCreating
	}
	return statusActive
}

// consumerJS is Consumer (and, with StreamARN, ConsumerDescription) on the wire.
type consumerJS struct {
	ConsumerName              string    `json:"ConsumerName"`
	ConsumerARN               string    `json:"ConsumerARN"`
	ConsumerStatus            string    `json:"ConsumerStatus"`
	ConsumerCreationTimestamp epochTime `json:"ConsumerCreationTimestamp"`
	StreamARN                 string    `json:"StreamARN,omitempty"`
}

func (c *consumer) describe(now time.Time, withStream bool) consumerJS {
	out := consumerJS{
		ConsumerName:              c.name,
		ConsumerARN:               c.arn,
		ConsumerStatus:            c.status(now),
		ConsumerCreationTimestamp: epochTime(c.created),
	}
	if withStream {
		out.StreamARN = c.stream.arn
	}
	return out
}

// endAll ends the consumer's subscriptions and marks it deregistered.
func (c *consumer) endAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gone = true
	for _, sub := range c.subs {
		if sub.active {
			sub.active = false
			close(sub.end)
		}
	}
}

// consumerRef is how requests name a consumer: by ARN, or by stream ARN
// and name.
type consumerRef struct {
	StreamARN    string `json:"StreamARN"`
	ConsumerName string `json:"ConsumerName"`
	ConsumerARN  string `json:"ConsumerARN"`
}

// findConsumer resolves a consumerRef.
func (s *Server) findConsumer(ref consumerRef) (*consumer, *apiError) {
	var streamArn, name string
	switch {
	case ref.ConsumerARN != "":
		i := strings.LastIndex(ref.ConsumerARN, "/consumer/")
		if i < 0 {
			return nil, errInvalid("ConsumerARN %s is not a valid consumer ARN.", echo(ref.ConsumerARN))
		}
		streamArn = ref.ConsumerARN[:i]
		name, _, _ = strings.Cut(ref.ConsumerARN[i+len("/consumer/"):], ":")
	case ref.StreamARN != "" && ref.ConsumerName != "":
		streamArn, name = ref.StreamARN, ref.ConsumerName
	default:
		return nil, errInvalid("Either ConsumerARN or both StreamARN and ConsumerName must be provided.")
	}
	st, e := s.lookup("", streamArn)
	if e != nil {
		return nil, e
	}
	st.mu.Lock()
	c := st.consumers[name]
	st.mu.Unlock()
	if c == nil || (ref.ConsumerARN != "" && c.arn != ref.ConsumerARN) {
		return nil, errNotFound("Consumer %s under stream %s not found.", echo(name), st.arn)
	}
	return c, nil
}
