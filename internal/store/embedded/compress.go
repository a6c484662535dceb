package embedded

import (
	"errors"
	"fmt"

	"github.com/klauspost/compress/s2"
)

// compressMin is the smallest record data or blob stored compressed.
// Below it s2 saves a few hundred bytes at most, and small values share
// their leaf with many others, so compressing them would not shrink the
// pages a commit writes by much.
const compressMin = 1024

// maxCompressed bounds the data stored compressed (larger is stored as
// is), so a corrupt length in a stored value cannot make a read allocate
// more than this.
const maxCompressed = 64 << 20

// decompress decodes an s2 block written by s2.Encode into a new slice.
func decompress(z []byte) ([]byte, error) {
	n, err := s2.DecodedLen(z)
	if err != nil {
		return nil, fmt.Errorf("s2: %w", err)
	}
	if n > maxCompressed {
		return nil, fmt.Errorf("s2: decoded length %d over the %d bytes ever compressed", n, maxCompressed)
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
