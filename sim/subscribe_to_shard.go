package sim

// Behavior:
//   - Opens an application/vnd.amazon.eventstream response for an ACTIVE
//     consumer (ResourceInUseException otherwise) on one shard, starting as
//     GetShardIterator would (TRIM_HORIZON, LATEST, AT/AFTER_SEQUENCE_NUMBER,
//     AT_TIMESTAMP). The first message is the initial-response event, then
//     SubscribeToShardEvent messages follow at once: one as soon as the call
//     starts, one whenever visible records are available (up to 10,000
//     records and 1 MiB each), and an empty one after a second without
//     records. A record becomes visible Config.PropagationDelay after it
//     arrives, or after the latency profile's fan-out delay drawn for it,
//     never before an earlier record of its shard. Each carries ContinuationSequenceNumber (resume with
//     AFTER_SEQUENCE_NUMBER) and MillisBehindLatest.
//   - When a closed shard has been read to its end, a last event carries
//     ChildShards and no ContinuationSequenceNumber, and the stream ends.
//   - The stream ends after Config.SubscriptionDuration (AWS: 5 minutes),
//     when the consumer is deregistered or the stream deleted, when the
//     client goes away, or when the server shuts down.
//   - With quotas on, events are paced to 2 MiB/s per consumer per shard.
//   - Per consumer and shard: a call within 1 second of the previous one, or
//     within 5 seconds of it while it is still open, is
//     ResourceInUseException; a later call ends the open one and takes over
//     (as AWS does after 5 seconds).

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

const (
	maxEventRecords   = 10000
	maxEventBytes     = 1 << 20
	heartbeatInterval = time.Second
	resubscribeMin    = time.Second
	resubscribeActive = 5 * time.Second
)

type subscribeInput struct {
	ConsumerARN      string            `json:"ConsumerARN"`
	ShardID          string            `json:"ShardId"`
	StartingPosition *startingPosition `json:"StartingPosition"`
}

func (s *Server) subscribeToShard(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in subscribeInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	switch {
	case in.ConsumerARN == "":
		return errValidate("Value null at 'consumerARN' failed to satisfy constraint: Member must not be null")
	case in.ShardID == "":
		return errValidate("Value null at 'shardId' failed to satisfy constraint: Member must not be null")
	case in.StartingPosition == nil:
		return errValidate("Value null at 'startingPosition' failed to satisfy constraint: Member must not be null")
	}
	c, e := s.findConsumer(consumerRef{ConsumerARN: in.ConsumerARN})
	if e != nil {
		return e
	}
	now := s.now()
	if c.status(now) != statusActive {
		return errInUse("Consumer %s is not ACTIVE.", c.arn)
	}
	st := c.stream
	sh, e := st.shardByID(in.ShardID)
	if e != nil {
		return e
	}
	pos, e := s.position(st, sh, *in.StartingPosition)
	if e != nil {
		return e
	}
	sub, e := c.claim(sh.idx, now)
	if e != nil {
		return e
	}
	defer c.release(sh.idx, sub)
	sh.mu.Lock()
	sh.counters.Subscriptions++
	sh.counters.SubscriptionsOpen++
	sh.mu.Unlock()
	defer func() {
		sh.mu.Lock()
		sh.counters.SubscriptionsOpen--
		sh.mu.Unlock()
	}()

	h := w.Header()
	h.Set("Content-Type", contentTypeEventStream)
	w.WriteHeader(http.StatusOK)
	es := &eventSender{w: w, enc: eventstream.NewEncoder()}
	es.flusher, _ = w.(http.Flusher)
	_, es.cbor = w.(*cborWriter)
	if es.send("initial-response", []byte("{}")) != nil {
		return nil
	}
	s.pushEvents(r.Context(), es, st, sh, sub, pos)
	return nil
}

// claim starts a subscription of c to shard idx, applying the
// resubscription rules.
func (c *consumer) claim(idx int, now time.Time) (*subscription, *apiError) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gone {
		return nil, errNotFound("Consumer %s not found.", c.arn)
	}
	if prev := c.subs[idx]; prev != nil {
		age := now.Sub(prev.started)
		if age < resubscribeMin || (prev.active && age < resubscribeActive) {
			return nil, errInUse("Another active subscription exists for consumer %s on shard %s.", c.arn, shardID(idx))
		}
		if prev.active {
			prev.active = false
			close(prev.end)
		}
	}
	sub := &subscription{started: now, active: true, end: make(chan struct{})}
	c.subs[idx] = sub
	return sub, nil
}

// release marks sub as no longer open.
func (c *consumer) release(idx int, sub *subscription) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.subs[idx] == sub {
		sub.active = false
	}
}

const contentTypeEventStream = "application/vnd.amazon.eventstream"

// eventSender writes event stream messages and flushes each.
type eventSender struct {
	w       http.ResponseWriter
	flusher http.Flusher
	enc     *eventstream.Encoder
	cbor    bool // the request was CBOR: payloads are CBOR too
}

// send writes one event whose payload is given in JSON.
func (es *eventSender) send(eventType string, payload []byte) error {
	var msg eventstream.Message
	msg.Headers.Set(":message-type", eventstream.StringValue("event"))
	msg.Headers.Set(":event-type", eventstream.StringValue(eventType))
	ct := "application/json"
	if es.cbor {
		b, err := jsonToCBOR(payload)
		if err != nil {
			return err
		}
		ct, payload = contentTypeCBOR, b
	}
	msg.Headers.Set(":content-type", eventstream.StringValue(ct))
	msg.Payload = payload
	if err := es.enc.Encode(es.w, msg); err != nil {
		return err
	}
	if es.flusher != nil {
		es.flusher.Flush()
	}
	return nil
}

// pushEvents sends SubscribeToShardEvent messages from pos until the
// subscription ends.
func (s *Server) pushEvents(ctx context.Context, es *eventSender, st *stream, sh *shard, sub *subscription, pos uint64) {
	deadline := time.NewTimer(s.cfg.subscriptionDuration())
	defer deadline.Stop()
	pace := newBucket(fanOutBytes, s.now().UnixNano())
	heartbeat := time.NewTimer(heartbeatInterval)
	defer heartbeat.Stop()
	var recs []record
	var payload []byte
	lastSent := time.Time{}
	woken := false // by the shard: records became visible, or it closed
	for {
		select {
		case <-deadline.C:
			return
		case <-ctx.Done():
			return
		case <-s.closing:
			return
		case <-sub.end:
			return
		default:
		}
		if st.deleted.Load() {
			return
		}
		now := s.now()
		ns := now.UnixNano()

		sh.mu.Lock()
		s.trimShard(sh, ns, 0)
		var next uint64
		recs, next, _ = sh.read(recs[:0], pos, visPush, ns, maxEventRecords, maxEventBytes)
		cont := max(next, sh.first) - 1
		visEnd := sh.visibleEnd(visPush, ns)
		var behind int64
		if next < visEnd {
			behind = max(0, (ns-sh.arrivalAt(max(next, sh.first)))/1e6)
		}
		ended := sh.closed && next >= sh.next
		children := sh.children
		var wake <-chan struct{}
		if len(recs) == 0 && !ended {
			wake = sh.waitChan()
			if visEnd < sh.next {
				sh.wakeAt(sh.meta(visEnd).visible(visPush), ns)
			}
			if woken && now.Sub(lastSent) < heartbeatInterval {
				sh.counters.PushWakeupsIdle++
			}
		}
		var bytes int64
		for i := range recs {
			bytes += int64(len(recs[i].key) + len(recs[i].data))
		}
		sh.counters.RecordsRead += int64(len(recs))
		sh.counters.BytesRead += bytes
		sh.mu.Unlock()

		if len(recs) > 0 || ended || now.Sub(lastSent) >= heartbeatInterval {
			if s.quotas && bytes > 0 {
				s.sleep(ctx, time.Duration(pace.waitNanos(s.now().UnixNano())))
				pace.debit(float64(bytes))
			}
			payload = appendShardEvent(payload[:0], sh.idx, recs, cont, behind, ended, children)
			if es.send("SubscribeToShardEvent", payload) != nil || ended {
				return
			}
			pos, lastSent, woken = next, now, false
			continue
		}

		heartbeat.Reset(max(heartbeatInterval-now.Sub(lastSent), time.Millisecond))
		select {
		case <-wake:
			woken = true
		case <-heartbeat.C:
			woken = false
		case <-deadline.C:
			return
		case <-ctx.Done():
		case <-s.closing:
		case <-sub.end:
		}
	}
}

// appendShardEvent appends a SubscribeToShardEvent payload.
func appendShardEvent(b []byte, idx int, recs []record, cont uint64, behind int64, ended bool, children []childShard) []byte {
	b = append(b, `{"Records":[`...)
	for i := range recs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendRecord(b, idx, &recs[i])
	}
	b = append(b, ']')
	if !ended {
		b = append(b, `,"ContinuationSequenceNumber":"`...)
		b = appendSeq(b, idx, cont)
		b = append(b, '"')
	}
	b = append(b, `,"MillisBehindLatest":`...)
	b = strconv.AppendInt(b, behind, 10)
	if ended {
		b = append(b, `,"ChildShards":`...)
		b = appendChildShards(b, children)
	}
	return append(b, '}')
}
