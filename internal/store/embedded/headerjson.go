package embedded

import (
	"encoding/json"
	"strconv"

	"github.com/dropgate/dropgate/internal/jsonplain"
)

// encodeHeader is json.Marshal(h), byte for byte. Every Enqueue encodes
// one header, and encoding/json's reflection (a Meta map above all: each
// key and value is copied through reflect) was a tenth of an enqueue's
// allocations. The common case is appended by hand; a header with
// attempt errors or with text that JSON escapes takes encoding/json.
// TestEncodeHeaderMatchesJSON holds the two to the same bytes.
func encodeHeader(h *header) ([]byte, error) {
	if b, ok := appendHeader(make([]byte, 0, headerSize(h)), h); ok {
		return b, nil
	}
	// A copy declared here is the only one that reaches the heap, so the
	// callers' headers stay on their stacks.
	c := *h
	return json.Marshal(&c)
}

// headerSize is about what appendHeader writes for h, a little over, so
// the buffer is allocated once: a webhook's header, with its metadata,
// outgrew a fixed 256 bytes and was copied on every Enqueue.
func headerSize(h *header) int {
	n := 224 + len(h.ID) + len(h.Queue) + len(h.Kind) + len(h.Group) + len(h.Key) + len(h.UniqueKey) + len(h.Status)
	for k, v := range h.Meta {
		n += len(k) + len(v) + 6
	}
	return n
}

// appendHeader appends h as encoding/json would, in field order with the
// same omitempty rules, and reports false when it cannot.
func appendHeader(b []byte, h *header) ([]byte, bool) {
	if len(h.Errors) > 0 || !jsonplain.String(h.ID) || !jsonplain.String(h.Queue) || !jsonplain.String(h.Kind) ||
		!jsonplain.String(h.Group) || !jsonplain.String(h.Key) || !jsonplain.String(h.UniqueKey) || !jsonplain.String(h.Status) {
		return b, false
	}
	if !jsonplain.Map(h.Meta) {
		return b, false
	}
	b = appendStr(b, `{"id":`, h.ID)
	b = appendStr(b, `,"q":`, h.Queue)
	if h.Kind != "" {
		b = appendStr(b, `,"k":`, h.Kind)
	}
	if len(h.Meta) > 0 {
		b = jsonplain.AppendMap(append(b, `,"m":`...), h.Meta)
	}
	if h.Group != "" {
		b = appendStr(b, `,"g":`, h.Group)
	}
	if h.Key != "" {
		b = appendStr(b, `,"rk":`, h.Key)
	}
	if h.UniqueKey != "" {
		b = appendStr(b, `,"u":`, h.UniqueKey)
	}
	if h.UniqueTTL != 0 {
		b = strconv.AppendInt(append(b, `,"ut":`...), int64(h.UniqueTTL), 10)
	}
	if h.UniqueExp != 0 {
		b = strconv.AppendInt(append(b, `,"ux":`...), h.UniqueExp, 10)
	}
	b = strconv.AppendInt(append(b, `,"max":`...), int64(h.MaxAttempts), 10)
	if h.Seq != 0 {
		b = strconv.AppendUint(append(b, `,"seq":`...), h.Seq, 10)
	}
	b = appendStr(b, `,"st":`, h.Status)
	if h.Attempt != 0 {
		b = strconv.AppendInt(append(b, `,"a":`...), int64(h.Attempt), 10)
	}
	b = strconv.AppendInt(append(b, `,"run":`...), h.RunAt, 10)
	b = strconv.AppendInt(append(b, `,"c":`...), h.CreatedAt, 10)
	if h.DeadAt != 0 {
		b = strconv.AppendInt(append(b, `,"d":`...), h.DeadAt, 10)
	}
	return append(b, '}'), true
}

// appendStr appends prefix and s quoted; s is jsonplain.String.
func appendStr(b []byte, prefix, s string) []byte {
	b = append(append(b, prefix...), '"')
	return append(append(b, s...), '"')
}
