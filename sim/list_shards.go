package sim

// Behavior:
//   - Lists the stream's shards in shard-index order, up to MaxResults
//     (1..10,000, default 1,000), after ExclusiveStartShardId or from the
//     NextToken of an earlier page (which must come without StreamName and
//     StreamARN); NextToken is present while more follow and expires after
//     5 minutes (ExpiredNextTokenException).
//   - ShardFilter: AT_LATEST lists only open shards, AFTER_SHARD_ID those
//     after ShardId, AT_TIMESTAMP those open at Timestamp, FROM_TIMESTAMP
//     those open at or after it (both need Timestamp:
//     InvalidArgumentException); AT_TRIM_HORIZON and FROM_TRIM_HORIZON list
//     every kept shard (every shard here, since shards are never deleted).

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const nextTokenTTL = 5 * time.Minute

type listShardsInput struct {
	streamRef
	NextToken             string     `json:"NextToken"`
	ExclusiveStartShardID string     `json:"ExclusiveStartShardId"`
	MaxResults            *int       `json:"MaxResults"`
	StreamCreationTime    *epochTime `json:"StreamCreationTimestamp"`
	ShardFilter           *struct {
		Type      string     `json:"Type"`
		ShardID   string     `json:"ShardId"`
		Timestamp *epochTime `json:"Timestamp"`
	} `json:"ShardFilter"`
}

func (s *Server) listShards(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	var in listShardsInput
	if e := decodeJSON(body, &in); e != nil {
		return e
	}
	limit := 1000
	if in.MaxResults != nil {
		if limit = *in.MaxResults; limit < 1 || limit > maxShardsPerStream {
			return errValidate("Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10000 and greater than or equal to 1", limit)
		}
	}
	name, arn, after := in.StreamName, in.StreamARN, in.ExclusiveStartShardID
	now := s.now()
	if in.NextToken != "" {
		if name != "" || arn != "" || in.ExclusiveStartShardID != "" {
			return errInvalid("NextToken and StreamName, StreamARN or ExclusiveStartShardId cannot be provided together.")
		}
		var issued int64
		if e := decodeShardToken(in.NextToken, &name, &after, &issued); e != nil {
			return e
		}
		if now.Sub(time.Unix(0, issued)) > nextTokenTTL {
			return newError(errExpiredNextToken, "The NextToken has expired.")
		}
	}
	st, e := s.lookup(name, arn)
	if e != nil {
		return e
	}
	var shards []*shard
	all := st.table.Load().all
	if f := in.ShardFilter; f != nil {
		switch f.Type {
		case "AT_LATEST":
			for _, sh := range all {
				sh.mu.Lock()
				if !sh.closed {
					shards = append(shards, sh)
				}
				sh.mu.Unlock()
			}
			all = shards
		case "AFTER_SHARD_ID":
			if f.ShardID == "" {
				return errInvalid("ShardFilter AFTER_SHARD_ID needs a ShardId.")
			}
			all, _ = pageShardsAfter(all, f.ShardID, len(all))
		case "AT_TIMESTAMP", "FROM_TIMESTAMP":
			if f.Timestamp == nil {
				return errInvalid("ShardFilter %s needs a Timestamp.", f.Type)
			}
			all = shardsOpenAt(all, time.Time(*f.Timestamp).UnixNano(), f.Type == "AT_TIMESTAMP")
		case "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON":
		default:
			return errValidate("Value '%s' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]", echo(f.Type))
		}
	}
	page, more := pageShardsAfter(all, after, limit)
	out := struct {
		Shards    []shardJS `json:"Shards"`
		NextToken string    `json:"NextToken,omitempty"`
	}{Shards: make([]shardJS, 0, len(page))}
	for _, sh := range page {
		out.Shards = append(out.Shards, sh.describe())
	}
	if more {
		out.NextToken = encodeShardToken(st.name, page[len(page)-1].id, now.UnixNano())
	}
	writeJSON(w, out)
	return nil
}

// pageShardsAfter returns up to limit shards of list (in index order) whose
// index is above that of the shard named after (all when after is empty),
// and whether more follow.
func pageShardsAfter(list []*shard, after string, limit int) ([]*shard, bool) {
	start := 0
	if after != "" {
		idx, _ := parseShardID(after)
		for start < len(list) && list[start].idx <= idx {
			start++
		}
	}
	end := min(start+limit, len(list))
	return list[start:end], end < len(list)
}

func encodeShardToken(stream, lastShard string, issued int64) string {
	return base64.StdEncoding.EncodeToString(fmt.Appendf(nil, "%d|%s|%s", issued, lastShard, stream))
}

func decodeShardToken(tok string, stream, lastShard *string, issued *int64) *apiError {
	b, err := base64.StdEncoding.DecodeString(tok)
	parts := strings.SplitN(string(b), "|", 3)
	if err != nil || len(parts) != 3 || parts[2] == "" {
		return errInvalid("Invalid NextToken.")
	}
	n, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		return errInvalid("Invalid NextToken.")
	}
	*issued, *lastShard, *stream = n, parts[1], parts[2]
	return nil
}

// shardsOpenAt returns the shards of list open at ts (unix nanoseconds)
// when at is set, else those open at ts or opened later.
func shardsOpenAt(list []*shard, ts int64, at bool) []*shard {
	var out []*shard
	for _, sh := range list {
		sh.mu.Lock()
		closedBefore := sh.closed && sh.closedAt <= ts
		sh.mu.Unlock()
		if !closedBefore && (!at || sh.opened <= ts) {
			out = append(out, sh)
		}
	}
	return out
}
