package sim

// Behavior:
//   - Registers an enhanced fan-out consumer on the stream named by
//     StreamARN. It is CREATING for Config.CreateDelay, then ACTIVE; its ARN
//     is <streamARN>/consumer/<name>:<creation epoch seconds>.
//   - A taken name is ResourceInUseException; more than 20 consumers per
//     stream, or more than 5 CREATING at once, is LimitExceededException.

import "net/http"

const (
	maxConsumers         = 20
	maxCreatingConsumers = 5
)

type registerConsumerInput struct {
	StreamARN    string `json:"StreamARN"`
	ConsumerName string `json:"ConsumerName"`
}

func (s *Server) registerStreamConsumer(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in registerConsumerInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	if in.StreamARN == "" {
		return errValidate("Value null at 'streamARN' failed to satisfy constraint: Member must not be null")
	}
	if e := checkStreamName(in.ConsumerName); e != nil {
		return errValidate("Value '%s' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length between 1 and 128", echo(in.ConsumerName))
	}
	st, e := s.lookup("", in.StreamARN)
	if e != nil {
		return e
	}
	now := s.now()
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.consumers[in.ConsumerName]; ok {
		return errInUse("Consumer %s under stream %s already exists.", in.ConsumerName, st.arn)
	}
	creating := 0
	for _, c := range st.consumers {
		if c.status(now) == statusCreating {
			creating++
		}
	}
	if len(st.consumers) >= maxConsumers || creating >= maxCreatingConsumers {
		return newError(errLimitExceeded, "Stream %s has reached the limit of %d consumers (%d at once in CREATING).", st.arn, maxConsumers, maxCreatingConsumers)
	}
	c := newConsumer(st, in.ConsumerName, now, s.cfg.CreateDelay)
	st.consumers[c.name] = c
	writeJSON(w, struct {
		Consumer consumerJS `json:"Consumer"`
	}{c.describe(now, false)})
	return nil
}
