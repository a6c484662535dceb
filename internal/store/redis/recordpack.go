package redis

import (
	"fmt"

	"github.com/klauspost/compress/s2"
)

// Record data of packMin bytes or more is stored s2-compressed when that
// is smaller, and the hash's field z says so ("s2"; empty or absent: the
// data as given). An order is about 5 KB of JSON and 2 KB compressed, and
// Redis holds every order: compressed, a write copies, appends to the AOF
// and replicates less than half the bytes, a read sends less than half,
// the AOF rewrites Redis forks as the file grows have less to write, and
// the server needs less memory per order. The scripts never read the data,
// so only Go packs and unpacks it. Records written before carry no z and
// read as they are.
const (
	packMin  = 1024
	packedS2 = "s2"
	// maxPacked bounds the data stored compressed (larger is stored as
	// is), so a corrupt length in a stored value cannot make a read
	// allocate more than this.
	maxPacked = 64 << 20
)

// packData returns data as it is to be stored and the z field that says how.
func packData(data []byte) ([]byte, string) {
	if len(data) < packMin || len(data) > maxPacked {
		return data, ""
	}
	z := s2.Encode(nil, data)
	if len(z) >= len(data) {
		return data, ""
	}
	return z, packedS2
}

// unpackData reads a record's stored data d as its field z describes it.
func unpackData(d, z string) ([]byte, error) {
	switch z {
	case "":
		if d == "" {
			return nil, nil
		}
		return []byte(d), nil
	case packedS2:
		n, err := s2.DecodedLen([]byte(d))
		if err != nil {
			return nil, fmt.Errorf("s2: %w", err)
		}
		if n > maxPacked {
			return nil, fmt.Errorf("s2: decoded length %d over the %d bytes ever compressed", n, maxPacked)
		}
		out, err := s2.Decode(make([]byte, n), []byte(d))
		if err != nil {
			return nil, fmt.Errorf("s2: %w", err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("data stored as %q, which this version does not know", z)
}
