package redis

import (
	"fmt"

	"github.com/dropgate/dropgate/internal/s2block"
)

// Record data of s2block.Min bytes or more is stored s2-compressed when
// that is smaller, and the hash's field z says so ("s2"; empty or absent:
// the data as given). An order is about 5 KB of JSON and 2 KB compressed, and
// Redis holds every order: compressed, a write copies, appends to the AOF
// and replicates less than half the bytes, a read sends less than half,
// the AOF rewrites Redis forks as the file grows have less to write, and
// the server needs less memory per order. The scripts never read the data,
// so only Go packs and unpacks it. Records written before carry no z and
// read as they are.

// packedS2 is the z field of data stored as an s2 block.
const packedS2 = "s2"

// packData returns data as it is to be stored and the z field that says how.
func packData(data []byte) ([]byte, string) {
	if b, packed := s2block.Pack(data); packed {
		return b, packedS2
	}
	return data, ""
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
		return s2block.Unpack([]byte(d))
	}
	return nil, fmt.Errorf("data stored as %q, which this version does not know", z)
}
