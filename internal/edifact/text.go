package edifact

import "unsafe"

// Segment values are views into 16 KiB text blocks rather than one string
// allocation each: with the chunks of split.go this makes reading allocate
// per block, not per segment.
//
// The unsafe.String contract is that the bytes never change while a string
// views them. A block is append-only: the splitter writes a segment's text
// into the free tail of the block, turns exactly those bytes into the
// segment's string, and then commits them; committed bytes are never
// written again, and a full block is dropped, never recycled. A string
// keeps its block alive, so keeping one value keeps at most 16 KiB.

const textBlockLen = 16 << 10

// maxExpansion is the most UTF-8 bytes one input byte can become: a
// single-byte ISO 8859 character is at most U+FFFF, three bytes in UTF-8.
const maxExpansion = 3

// textBuffer hands out the space the splitter writes a segment's text into.
type textBuffer struct {
	block   []byte // len = committed bytes, cap = the block
	big     []byte // scratch for segments too large for a block
	inBlock bool   // the text being written is in block
}

// start returns an empty slice with room for the text of a raw segment of n
// bytes, so appends never reallocate.
func (t *textBuffer) start(n int) []byte {
	need := n * maxExpansion
	if need > textBlockLen/2 {
		t.inBlock = false
		if cap(t.big) < need {
			t.big = make([]byte, 0, need)
		}
		return t.big[:0]
	}
	if cap(t.block)-len(t.block) < need {
		t.block = make([]byte, 0, textBlockLen)
	}
	t.inBlock = true
	return t.block[len(t.block):len(t.block)]
}

// finish returns the text written into out (from start) as a string and
// commits it.
func (t *textBuffer) finish(out []byte) string {
	if len(out) == 0 {
		return ""
	}
	free := t.block[len(t.block):cap(t.block)]
	if !t.inBlock || len(free) == 0 || unsafe.SliceData(out) != unsafe.SliceData(free) {
		return string(out) // large segment, or the reservation was not enough
	}
	t.block = t.block[:len(t.block)+len(out)]
	return unsafe.String(unsafe.SliceData(out), len(out))
}
