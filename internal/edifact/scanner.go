package edifact

import (
	"bytes"
	"errors"
	"io"
)

// readChunk is how much the scanner asks of the source at a time.
const readChunk = 64 << 10

// DefaultMaxSegmentLen bounds a segment when Reader.MaxSegmentLen is zero.
// Real segments are a few hundred bytes; a megabyte leaves room for large
// free-text or binary segments while keeping a hostile input from growing
// the buffer without limit.
const DefaultMaxSegmentLen = 1 << 20

// scanner cuts the input into raw segments. It owns one buffer that holds at
// most one segment plus one read chunk, which is what bounds the reader's
// memory, and it tracks byte offsets and line numbers.
type scanner struct {
	src  io.Reader
	buf  []byte
	pos  int   // next unread byte
	end  int   // end of valid data
	base int64 // input offset of buf[0]
	line int   // line number at buf[pos]
	eof  bool  // src is exhausted
	rerr error // read error other than io.EOF
	max  int   // maximum segment length
}

func newScanner(src io.Reader, max int) *scanner {
	return &scanner{src: src, line: 1, max: max}
}

// newBytesScanner scans data in place, without copying it.
func newBytesScanner(data []byte, max int) *scanner {
	return &scanner{buf: data, end: len(data), eof: true, line: 1, max: max}
}

// offset is the input offset of the next unread byte.
func (s *scanner) offset() int64 { return s.base + int64(s.pos) }

// fill reads more input, compacting or growing the buffer. It returns false
// when nothing more can be read.
func (s *scanner) fill() bool {
	if s.eof {
		return false
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.base += int64(s.pos)
		s.end = n
		s.pos = 0
	}
	if len(s.buf)-s.end < readChunk/2 {
		size := 2 * len(s.buf)
		if size < readChunk {
			size = readChunk
		}
		if limit := s.max + readChunk; size > limit {
			size = limit
		}
		if size > len(s.buf) {
			nb := make([]byte, size)
			copy(nb, s.buf[:s.end])
			s.buf = nb
		}
	}
	if s.end == len(s.buf) {
		return false // full: the caller's length limit will trip
	}
	for tries := 0; tries < 100; tries++ {
		n, err := s.src.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.rerr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.eof = true
	s.rerr = io.ErrNoProgress
	return false
}

// peek returns up to n unread bytes without consuming them; fewer only at
// the end of input.
func (s *scanner) peek(n int) []byte {
	for s.end-s.pos < n && s.fill() {
	}
	if s.end-s.pos < n {
		n = s.end - s.pos
	}
	return s.buf[s.pos : s.pos+n]
}

// advance consumes n bytes, counting line feeds.
func (s *scanner) advance(n int) {
	s.line += bytes.Count(s.buf[s.pos:s.pos+n], []byte{'\n'})
	s.pos += n
}

// skip consumes bytes while keep reports true for them.
func (s *scanner) skip(keep func(byte) bool) {
	for {
		for s.pos < s.end && keep(s.buf[s.pos]) {
			if s.buf[s.pos] == '\n' {
				s.line++
			}
			s.pos++
		}
		if s.pos < s.end || !s.fill() {
			return
		}
	}
}

// rawSegment is one segment as it appears in the input, terminator
// excluded. data aliases the scanner's buffer and is valid until the next
// scanner call.
type rawSegment struct {
	data       []byte
	offset     int64
	line       int
	terminated bool // false for a final segment cut short by the end of input
}

// segment returns the next raw segment: the bytes up to the first segment
// terminator that is not released. It returns io.EOF when the input is
// exhausted, and ErrSegmentTooLong when no terminator appears within the
// length limit.
func (s *scanner) segment(term, release byte) (rawSegment, error) {
	from := s.pos // where the terminator search resumes
	for {
		i := bytes.IndexByte(s.buf[from:s.end], term)
		if i >= 0 {
			i += from
			if release != 0 && released(s.buf[s.pos:i], release) {
				from = i + 1
				continue
			}
			if i-s.pos > s.max {
				return rawSegment{}, ErrSegmentTooLong
			}
			seg := rawSegment{data: s.buf[s.pos:i], offset: s.offset(), line: s.line, terminated: true}
			s.advance(i + 1 - s.pos)
			return seg, nil
		}
		if s.end-s.pos > s.max {
			return rawSegment{}, ErrSegmentTooLong
		}
		searched := s.end - s.pos
		if !s.fill() {
			if s.rerr != nil {
				return rawSegment{}, s.rerr
			}
			if s.pos == s.end {
				return rawSegment{}, io.EOF
			}
			seg := rawSegment{data: s.buf[s.pos:s.end], offset: s.offset(), line: s.line}
			s.advance(s.end - s.pos)
			return seg, nil
		}
		from = s.pos + searched
	}
}

// released reports whether the byte after prefix is escaped: an odd run of
// release characters ends prefix ("??'" terminates, "?'" does not).
func released(prefix []byte, release byte) bool {
	n := 0
	for i := len(prefix) - 1; i >= 0 && prefix[i] == release; i-- {
		n++
	}
	return n%2 == 1
}
