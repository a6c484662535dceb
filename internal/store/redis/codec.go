package redis

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/jsonplain"
)

// maxErrors bounds the attempt errors a job keeps (newest win), so a job
// throttled for hours does not grow without limit.
const maxErrors = 100

// maxErrorLen bounds one recorded error: a platform that echoes a large
// response body into an error should not make every job hash huge.
const maxErrorLen = 8 << 10

// errorEntry encodes one attempt's error as the scripts store it; "" for
// a nil error (nothing is recorded).
func errorEntry(attempt int, at time.Time, err error) (string, error) {
	if err == nil {
		return "", nil
	}
	msg := err.Error()
	if len(msg) > maxErrorLen {
		cut := maxErrorLen
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	b, jerr := json.Marshal(store.AttemptError{Attempt: attempt, At: at.UTC(), Error: msg})
	if jerr != nil {
		return "", jerr
	}
	return string(b), nil
}

// encodeMap writes a job's meta or a record's index (the whole map, empty
// values included) as encoding/json does (keys sorted), by hand when every
// key and value is plain (jsonplain): it runs on every enqueue and record
// write, and a stored index is compared byte for byte with a new encoding
// of it. A nil or empty map is "".
func encodeMap(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "", nil
	}
	if jsonplain.Map(m) {
		return string(jsonplain.AppendMap(make([]byte, 0, 64), m)), nil
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// appendFields appends the field-value pairs of kv (strings or []byte)
// whose value is not empty: a job hash stores only what a job has, and
// decodeJob and the scripts read a missing field as empty.
func appendFields(args []any, kv ...any) []any {
	for i := 0; i+1 < len(kv); i += 2 {
		switch v := kv[i+1].(type) {
		case string:
			if v == "" {
				continue
			}
		case []byte:
			if len(v) == 0 {
				continue
			}
		}
		args = append(args, kv[i], kv[i+1])
	}
	return args
}

// decodeJob builds a job from a flat HGETALL reply (field, value, …), in
// either layout: fixed data packed in one field (packed.go) or, for jobs
// enqueued before that, one field each.
func decodeJob(queue string, flat []any) (*store.Job, error) {
	if len(flat)%2 != 0 {
		return nil, fmt.Errorf("job hash: odd reply length %d", len(flat))
	}
	j := &store.Job{Queue: queue}
	var meta, errs, packed string
	for i := 0; i < len(flat); i += 2 {
		k, _ := flat[i].(string)
		v, _ := flat[i+1].(string)
		switch k {
		case fieldPacked:
			packed = v
		case "id":
			j.ID = v
		case "kind":
			j.Kind = v
		case "payload":
			if v != "" {
				j.Payload = []byte(v)
			}
		case "meta":
			meta = v
		case "created":
			j.CreatedAt = fromMicros(v)
		case "group":
			j.Group = v
		case "key":
			j.Key = v
		case "ukey":
			j.UniqueKey = v
		case "uttl":
			j.UniqueTTL = time.Duration(atoi(v))
		case "max":
			j.MaxAttempts = int(atoi(v))
		case "attempt":
			j.Attempt = int(atoi(v))
		case "runat":
			j.RunAt = fromMicros(v)
		case "dead":
			j.DeadAt = fromMicros(v)
		case "lease":
			j.Lease = v
		case "until":
			j.LeaseUntil = fromMicros(v)
		case "errors":
			errs = v
		}
	}
	if packed != "" {
		m, err := unpackJob(packed, j)
		if err != nil {
			return nil, fmt.Errorf("job hash: %w", err)
		}
		meta = m
	}
	if j.ID == "" {
		return nil, fmt.Errorf("job hash without id: %w", store.ErrNotFound)
	}
	if meta != "" {
		if err := json.Unmarshal([]byte(meta), &j.Meta); err != nil {
			return nil, fmt.Errorf("job %s: meta: %w", j.ID, err)
		}
	}
	if errs != "" {
		if err := json.Unmarshal([]byte(errs), &j.Errors); err != nil {
			return nil, fmt.Errorf("job %s: errors: %w", j.ID, err)
		}
	}
	return j, nil
}

// fromMicros reads an instant written by micros; "" is the zero time.
func fromMicros(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMicro(n).UTC()
}

func atoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// strs converts a reply list of strings.
func strs(list []any) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
