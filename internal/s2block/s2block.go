// Package s2block packs the stores' large values (record data, blobs) as
// s2 blocks (github.com/klauspost/compress/s2) when that makes them
// smaller, and reads them back with a bound on what a corrupt length can
// make a read allocate. The embedded store and the Redis store share it,
// so both decide the same way what is worth compressing.
package s2block

import (
	"errors"
	"fmt"
	"sync"

	"github.com/klauspost/compress/s2"
)

// Min is the smallest value packed. Below it s2 saves a few hundred bytes
// at most.
const Min = 1024

// Max bounds the values packed (larger are stored as they are), so a
// corrupt length in a stored block cannot make Unpack allocate more.
const Max = 64 << 20

// scratch holds s2's worst-case output while a value is packed.
var scratch sync.Pool

// Pack returns data as an s2 block and true when data is Min to Max bytes
// and the block is smaller; otherwise data itself and false. The block is
// a new slice of its own size.
func Pack(data []byte) ([]byte, bool) {
	if len(data) < Min || len(data) > Max {
		return data, false
	}
	need := s2.MaxEncodedLen(len(data))
	var buf []byte
	if p, ok := scratch.Get().(*[]byte); ok && cap(*p) >= need {
		buf = (*p)[:need]
		defer scratch.Put(p)
	} else {
		if ok {
			scratch.Put(p)
		}
		buf = make([]byte, need)
		defer scratch.Put(&buf)
	}
	z := s2.Encode(buf, data)
	if len(z) >= len(data) {
		return data, false
	}
	return append([]byte(nil), z...), true
}

// Unpack decodes a block Pack wrote into a new slice.
func Unpack(z []byte) ([]byte, error) {
	n, err := s2.DecodedLen(z)
	if err != nil {
		return nil, fmt.Errorf("s2: %w", err)
	}
	if n > Max {
		return nil, fmt.Errorf("s2: decoded length %d over the %d bytes ever compressed", n, Max)
	}
	if n == 0 {
		return nil, errors.New("s2: empty")
	}
	out, err := s2.Decode(make([]byte, n), z)
	if err != nil {
		return nil, fmt.Errorf("s2: %w", err)
	}
	return out, nil
}
