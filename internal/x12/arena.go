package x12

import "unsafe"

// arena hands out the storage of segments in blocks, so that reading a
// segment costs a copy of its bytes and no allocation of its own: a
// reader that allocated a string, an offsets slice and a struct per
// segment would spend most of its time in the allocator.
//
// Strings are views (unsafe.String) of a byte block that is only ever
// appended to: bytes once handed out are never written again, which is
// the condition unsafe.String requires. A block stays alive while any
// segment made from it does; Segment.Clone detaches one.
type arena struct {
	bytes []byte
	ints  []int32
	segs  []Segment
}

const (
	arenaBytes = 16 << 10
	arenaInts  = 2 << 10
	arenaSegs  = 128
)

// string copies b into the current block and returns it as a string.
func (a *arena) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > arenaBytes/4 {
		// Large segments get their own allocation rather than wasting
		// most of a block.
		return string(b)
	}
	if cap(a.bytes)-len(a.bytes) < len(b) {
		a.bytes = make([]byte, 0, arenaBytes)
	}
	start := len(a.bytes)
	a.bytes = append(a.bytes, b...)
	return unsafe.String(&a.bytes[start], len(b))
}

// spare returns the unused part of the current int32 block, empty, for
// the caller to append to and then commit.
func (a *arena) spare() []int32 {
	if cap(a.ints)-len(a.ints) < 64 {
		a.ints = make([]int32, 0, arenaInts)
	}
	return a.ints[len(a.ints):len(a.ints)]
}

// commit takes v, obtained by appending to spare, into the block. When
// the append outgrew the block, v is its own allocation and the block is
// left as it was. The result's capacity is its length, so that a caller
// appending to it cannot overwrite a neighbour.
func (a *arena) commit(v []int32) []int32 {
	free := a.ints[len(a.ints):cap(a.ints)]
	if len(v) > 0 && len(free) >= len(v) && &free[0] == &v[0] {
		a.ints = a.ints[:len(a.ints)+len(v)]
	}
	return v[:len(v):len(v)]
}

// segment returns a zeroed Segment from the current block.
func (a *arena) segment() *Segment {
	if len(a.segs) == cap(a.segs) {
		a.segs = make([]Segment, 0, arenaSegs)
	}
	a.segs = a.segs[:len(a.segs)+1]
	return &a.segs[len(a.segs)-1]
}
