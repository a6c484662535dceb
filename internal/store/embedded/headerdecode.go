package embedded

import (
	"encoding/json"
	"math"
	"strconv"
)

// decodeHeader reads a job header. Headers are read inside the commit
// loop on every lease and completion, where encoding/json's reflection
// was the largest piece of the loop's own CPU after bbolt, so the form
// appendHeader writes (no spaces, plain strings, integers, no errors
// list) is read by hand. Anything else, or anything it is unsure of, goes
// to encoding/json, whose result the hand reader matches field for field
// (FuzzDecodeHeader).
func decodeHeader(v []byte, h *header) error {
	if decodeHeaderPlain(v, h) {
		return nil
	}
	*h = header{}
	return json.Unmarshal(v, h)
}

// decodeHeaderPlain fills h from v and reports true, or reports false
// (h then holds partial values) when v is not in appendHeader's form.
func decodeHeaderPlain(v []byte, h *header) bool {
	*h = header{}
	r := plainReader{b: v}
	if !r.byte('{') {
		return false
	}
	if r.byte('}') {
		return r.end()
	}
	var seen uint32
	for {
		key, ok := r.raw()
		if !ok || !r.byte(':') {
			return false
		}
		bit, ok := headerKeys[string(key)]
		if !ok || seen&bit != 0 {
			return false // unknown (encoding/json folds case) or repeated
		}
		seen |= bit
		if !r.field(bit, h) {
			return false
		}
		if r.byte(',') {
			continue
		}
		return r.byte('}') && r.end()
	}
}

// The header's JSON keys, each a bit of the reader's "seen" set.
const (
	hkID uint32 = 1 << iota
	hkQueue
	hkKind
	hkMeta
	hkGroup
	hkKey
	hkUnique
	hkUniqueTTL
	hkUniqueExp
	hkMax
	hkSeq
	hkStatus
	hkAttempt
	hkRun
	hkCreated
	hkDead
)

var headerKeys = map[string]uint32{
	"id": hkID, "q": hkQueue, "k": hkKind, "m": hkMeta, "g": hkGroup, "rk": hkKey, "u": hkUnique,
	"ut": hkUniqueTTL, "ux": hkUniqueExp, "max": hkMax, "seq": hkSeq, "st": hkStatus, "a": hkAttempt,
	"run": hkRun, "c": hkCreated, "d": hkDead,
}

type plainReader struct {
	b []byte
	i int
}

func (r *plainReader) end() bool { return r.i == len(r.b) }

func (r *plainReader) byte(c byte) bool {
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// raw reads a quoted string of printable ASCII without escapes (the
// bytes encoding/json would decode to themselves) and returns its bytes.
func (r *plainReader) raw() ([]byte, bool) {
	if !r.byte('"') {
		return nil, false
	}
	start := r.i
	for r.i < len(r.b) {
		c := r.b[r.i]
		if c == '"' {
			r.i++
			return r.b[start : r.i-1], true
		}
		if c < 0x20 || c > 0x7e || c == '\\' {
			return nil, false
		}
		r.i++
	}
	return nil, false
}

func (r *plainReader) str() (string, bool) {
	b, ok := r.raw()
	return string(b), ok
}

// num reads a JSON integer (an optional minus, then 0 or digits not
// starting with 0) as its sign and magnitude; ok is false for anything
// else, a fraction or exponent included, and for magnitudes past uint64.
func (r *plainReader) num() (neg bool, n uint64, ok bool) {
	neg = r.byte('-')
	digits := r.i
	for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
		d := uint64(r.b[r.i] - '0')
		if n > (math.MaxUint64-d)/10 {
			return false, 0, false
		}
		n = n*10 + d
		r.i++
	}
	if r.i == digits || r.b[digits] == '0' && r.i-digits > 1 {
		return false, 0, false
	}
	if r.i < len(r.b) && (r.b[r.i] == '.' || r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		return false, 0, false // encoding/json's to judge
	}
	return neg, n, true
}

// signed reads an integer that fits in bits bits, as encoding/json
// would into an int of that size.
func (r *plainReader) signed(bits int) (int64, bool) {
	neg, n, ok := r.num()
	if !ok {
		return 0, false
	}
	limit := uint64(1) << (bits - 1) // |min|; max is limit-1
	if neg {
		if n > limit {
			return 0, false
		}
		return int64(-n), true // -limit wraps to the minimum, as intended
	}
	if n >= limit {
		return 0, false
	}
	return int64(n), true
}

func (r *plainReader) int64() (int64, bool) { return r.signed(64) }

func (r *plainReader) int() (int, bool) {
	n, ok := r.signed(strconv.IntSize)
	return int(n), ok
}

func (r *plainReader) field(key uint32, h *header) bool {
	strs := [...]struct {
		key uint32
		p   *string
	}{{hkID, &h.ID}, {hkQueue, &h.Queue}, {hkKind, &h.Kind}, {hkGroup, &h.Group}, {hkKey, &h.Key}, {hkUnique, &h.UniqueKey}, {hkStatus, &h.Status}}
	for _, f := range strs {
		if f.key == key {
			var ok bool
			*f.p, ok = r.str()
			return ok
		}
	}
	ints := [...]struct {
		key uint32
		p   *int64
	}{{hkUniqueTTL, (*int64)(&h.UniqueTTL)}, {hkUniqueExp, &h.UniqueExp}, {hkRun, &h.RunAt}, {hkCreated, &h.CreatedAt}, {hkDead, &h.DeadAt}}
	for _, f := range ints {
		if f.key == key {
			var ok bool
			*f.p, ok = r.int64()
			return ok
		}
	}
	var ok bool
	switch key {
	case hkMeta:
		h.Meta, ok = r.meta()
	case hkMax:
		h.MaxAttempts, ok = r.int()
	case hkAttempt:
		h.Attempt, ok = r.int()
	case hkSeq:
		var neg bool
		neg, h.Seq, ok = r.num()
		ok = ok && !neg
	}
	return ok
}

// meta reads an object of plain strings; a key given twice keeps its
// last value, as encoding/json does.
func (r *plainReader) meta() (map[string]string, bool) {
	if !r.byte('{') {
		return nil, false
	}
	m := make(map[string]string, 2)
	if r.byte('}') {
		return m, true
	}
	for {
		k, ok := r.str()
		if !ok || !r.byte(':') {
			return nil, false
		}
		v, ok := r.str()
		if !ok {
			return nil, false
		}
		m[k] = v
		if r.byte(',') {
			continue
		}
		return m, r.byte('}')
	}
}
