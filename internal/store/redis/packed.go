package redis

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// A job's fixed data — what the scripts never read: id, kind, payload,
// meta, created — is stored as one hash field, fieldPacked, in this binary
// form, so enqueueing writes one field instead of five and a lease reads
// it back as one string. The fields the scripts do read (runat, max,
// group, key, ukey, uttl) and the ones that change (state, attempt,
// lease, until, errors, …) stay fields of their own.
//
//	byte 0   packedV1
//	then     uvarint length + bytes: id, kind, payload, meta (JSON, "" for none)
//	then     varint created (µs since 1970)
//
// Jobs written before this layout (one field each, see decodeJob) are
// still read, so a rolling upgrade with jobs in flight loses none.
const (
	fieldPacked = "d"
	packedV1    = 1
)

var errPacked = errors.New("packed job data: truncated or of an unknown version")

// packJob encodes j's fixed data; meta is j.Meta already encoded.
func packJob(j *store.Job, meta string) []byte {
	n := 1 + 4*binary.MaxVarintLen32 + binary.MaxVarintLen64 +
		len(j.ID) + len(j.Kind) + len(j.Payload) + len(meta)
	b := make([]byte, 0, n)
	b = append(b, packedV1)
	b = appendBytes(b, j.ID)
	b = appendBytes(b, j.Kind)
	b = appendBytes(b, j.Payload)
	b = appendBytes(b, meta)
	b = binary.AppendVarint(b, j.CreatedAt.UnixMicro())
	return b
}

func appendBytes[T string | []byte](b []byte, v T) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// unpackJob fills j's fixed data from p and returns its meta JSON.
func unpackJob(p string, j *store.Job) (meta string, err error) {
	if len(p) == 0 || p[0] != packedV1 {
		return "", errPacked
	}
	r := packedReader{s: p[1:]}
	j.ID = r.str()
	j.Kind = r.str()
	if pl := r.str(); pl != "" {
		j.Payload = []byte(pl)
	}
	meta = r.str()
	created, n := binary.Varint([]byte(r.s))
	if r.bad || n <= 0 {
		return "", errPacked
	}
	j.CreatedAt = time.UnixMicro(created).UTC()
	return meta, nil
}

// packedReader reads length-prefixed strings, noting a short input.
type packedReader struct {
	s   string
	bad bool
}

func (r *packedReader) str() string {
	if r.bad {
		return ""
	}
	l, n := uvarintString(r.s)
	if n <= 0 || uint64(len(r.s)-n) < l {
		r.bad = true
		return ""
	}
	v := r.s[n : n+int(l)]
	r.s = r.s[n+int(l):]
	return v
}

// uvarintString is binary.Uvarint on a string, without copying it.
func uvarintString(s string) (uint64, int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		c := s[i]
		if c < 0x80 {
			return x | uint64(c)<<shift, i + 1
		}
		x |= uint64(c&0x7f) << shift
		shift += 7
	}
	return 0, 0
}
