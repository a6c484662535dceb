// Package ids makes dropgate's identifiers: compact, URL-safe base62 strings.
// Identifiers of things that must be created once (orders, purchase orders)
// are derived deterministically from their natural key, so a job that runs
// twice derives the same id and its effect happens once.
package ids

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"strings"

	"github.com/jxskiss/base62"
)

// Derive returns a stable base62 id of n characters (n ≤ 43) for the given
// natural-key parts. Parts are joined with a separator that cannot occur
// in them ambiguously (length-prefixed).
func Derive(n int, parts ...string) string {
	h := sha256.New()
	var lb [8]byte
	for _, p := range parts {
		binary.BigEndian.PutUint64(lb[:], uint64(len(p)))
		h.Write(lb[:])
		h.Write([]byte(p))
	}
	s := base62.EncodeToString(h.Sum(nil))
	if n > len(s) {
		n = len(s)
	}
	return s[:n]
}

// New returns a random 22-character base62 id (128 bits of entropy),
// prefixed when prefix is not empty ("job_...").
func New(prefix string) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("ids: crypto/rand failed: " + err.Error()) // the OS is broken; nothing sensible to do
	}
	s := base62.EncodeToString(b[:])
	if len(s) > 22 {
		s = s[:22]
	}
	if prefix == "" {
		return s
	}
	return prefix + "_" + s
}

// Upper returns an upper-case alphanumeric code of n characters derived
// from parts, for partners whose systems reject lower case (many EDI
// translators treat PO numbers case-insensitively).
func Upper(n int, parts ...string) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ" // no I, O: read aloud on phones
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	v := binary.BigEndian.Uint64(sum[:8])
	out := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = alphabet[v%uint64(len(alphabet))]
		v /= uint64(len(alphabet))
		if v == 0 {
			v = binary.BigEndian.Uint64(sum[8:16]) ^ uint64(i)
		}
	}
	return string(out)
}
