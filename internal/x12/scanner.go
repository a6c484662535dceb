package x12

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// scanner cuts the input into segments. It knows the byte-level rules —
// byte order mark, EBCDIC, the fixed-width ISA, line breaks that are not
// delimiters, padding between interchanges — and nothing about envelopes
// beyond "an IEA ends the delimiters' validity".
type scanner struct {
	br       *bufio.Reader
	maxSeg   int
	maxElems int

	started bool
	ebcdic  bool
	// open is true between an ISA and its IEA, while d is valid.
	open bool
	// wrapped is set once line breaks were found inside an ISA: the
	// file is hard-wrapped, so a line break never terminates anything.
	wrapped bool
	d       Delimiters
	// class classifies bytes of segment data for the current delimiters.
	class [256]byteClass

	offset int64
	line   int
	lastCR bool

	buf   []byte // the segment being assembled
	utf   []byte // its UTF-8 form, for EBCDIC input
	arena arena
}

type byteClass uint8

const (
	classData byteClass = iota
	// classElement is the element separator.
	classElement
	// classControl is a control character that is not a delimiter.
	classControl
	// classBreak is a line break that is not a delimiter: dropped inside
	// segments, skipped between them.
	classBreak
)

const bufSize = 64 << 10

func newScanner(r io.Reader, maxSeg, maxElems int) *scanner {
	return &scanner{br: bufio.NewReaderSize(r, bufSize), maxSeg: maxSeg, maxElems: maxElems, line: 1}
}

// next returns the next segment, or io.EOF after the last one.
func (s *scanner) next() (*Segment, error) {
	if !s.started {
		if err := s.start(); err != nil {
			return nil, err
		}
	}
	for {
		if !s.open {
			if err := s.skipPadding(); err != nil {
				return nil, err
			}
			return s.readISA()
		}
		if seg, ok, err := s.fast(); ok {
			if seg == nil && err == nil {
				continue
			}
			return seg, err
		}
		if err := s.skipBetween(); err != nil {
			if err == io.EOF {
				return nil, io.EOF
			}
			return nil, err
		}
		if s.atISA() {
			return s.readISA()
		}
		seg, err := s.readSegment()
		if seg == nil && err == nil {
			continue // an empty segment ("~~")
		}
		return seg, err
	}
}

// fast reads a segment that lies whole in the read buffer, the common
// case, with one Peek and one Discard and no copy before build. It
// reports false, having consumed nothing, when the general path must
// decide: the buffer is empty or ends inside the segment, or the segment
// starts with "I" and so may be the next ISA.
func (s *scanner) fast() (*Segment, bool, error) {
	n := s.br.Buffered()
	if n == 0 {
		return nil, false, nil
	}
	b, _ := s.br.Peek(n)
	i := 0
	for i < len(b) && s.skippable(b[i]) {
		i++
	}
	rest := b[i:]
	if len(rest) == 0 || rest[0] == 'I' {
		return nil, false, nil
	}
	k := bytes.IndexByte(rest, s.d.Segment)
	if k < 0 {
		return nil, false, nil
	}
	body := rest[:k]
	if !s.ebcdic && bytes.IndexByte(body, '\n') < 0 && bytes.IndexByte(body, '\r') < 0 {
		s.account(b[:i])
		pos := Position{Offset: s.offset, Line: s.line}
		if len(body) > 0 {
			s.lastCR = false
		}
		if len(body) > s.maxSeg {
			return nil, true, s.fatal(pos, idOf(body, s.d.Element), fmt.Sprintf("segment is longer than the %d-byte limit", s.maxSeg))
		}
		seg, err := s.build(pos, body)
		s.account(rest[k : k+1])
		s.offset += int64(len(body))
		_, _ = s.br.Discard(i + k + 1)
		return seg, true, err
	}
	return nil, false, nil
}

// start drops a UTF-8 byte order mark and switches to transcoding when the
// input begins with "ISA" in EBCDIC.
func (s *scanner) start() error {
	s.started = true
	b, err := s.br.Peek(3)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return err
	}
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		s.discard(3)
	case bytes.Equal(b, ebcdicISA[:]):
		s.ebcdic = true
		s.br = bufio.NewReaderSize(ebcdicReader{s.br}, bufSize)
	}
	return nil
}

func (s *scanner) isBreak(c byte) bool {
	return c == '\n' || c == '\r' || (s.ebcdic && c == nel)
}

// account advances the offset and line counters over consumed bytes. A
// line ends at LF, CR, CRLF (once), or EBCDIC NL.
func (s *scanner) account(b []byte) {
	s.offset += int64(len(b))
	if len(b) == 0 {
		return
	}
	if len(b) > 16 && !s.ebcdic && bytes.IndexByte(b, '\r') < 0 {
		n := bytes.Count(b, []byte{'\n'})
		if s.lastCR && b[0] == '\n' {
			n--
		}
		s.line += n
		s.lastCR = false
		return
	}
	for _, c := range b {
		switch {
		case c == '\r':
			s.line++
		case c == '\n':
			if !s.lastCR {
				s.line++
			}
		case s.ebcdic && c == nel:
			s.line++
		}
		s.lastCR = c == '\r'
	}
}

func (s *scanner) discard(n int) {
	b, _ := s.br.Peek(n)
	s.account(b)
	_, _ = s.br.Discard(len(b))
}

func (s *scanner) readByte() (byte, error) {
	c, err := s.br.ReadByte()
	if err == nil {
		s.account([]byte{c})
	}
	return c, err
}

// skipPadding skips what may sit between interchanges: whitespace, NULs,
// ^Z, and the byte order mark of a concatenated file.
func (s *scanner) skipPadding() error {
	for {
		b, err := s.br.Peek(1)
		if len(b) == 0 {
			return err
		}
		c := b[0]
		switch {
		case c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == 0 || c == 0x1A || s.isBreak(c):
			s.discard(1)
		case c == 0xEF:
			if bom, _ := s.br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
				s.discard(3)
				continue
			}
			return nil
		default:
			return nil
		}
	}
}

// skipBetween skips line breaks and blanks before a segment inside an
// interchange: CR LF after terminators, and the space or NUL padding of
// fixed-length records. None of them can begin a segment tag.
func (s *scanner) skipBetween() error {
	for {
		if b, err := s.br.Peek(1); len(b) == 0 {
			return err
		}
		b, _ := s.br.Peek(s.br.Buffered())
		n := 0
		for n < len(b) && s.skippable(b[n]) {
			n++
		}
		s.account(b[:n])
		_, _ = s.br.Discard(n)
		if n < len(b) {
			return nil
		}
	}
}

func (s *scanner) skippable(c byte) bool {
	if s.class[c] == classBreak {
		return true
	}
	return (c == ' ' || c == '\t' || c == 0) && !s.d.isDelimiter(c)
}

// atISA reports whether the input continues with an ISA header, allowing
// for line breaks of a hard-wrapped file inside "ISA".
func (s *scanner) atISA() bool {
	b, _ := s.br.Peek(16)
	want := "ISA"
	for _, c := range b {
		if s.class[c] == classBreak || (s.wrapped && s.isBreak(c)) {
			continue
		}
		if want == "" {
			return !isAlnum(c) && c != ' '
		}
		if c != want[0] {
			return false
		}
		want = want[1:]
	}
	return false
}

func (s *scanner) setDelimiters(d Delimiters) {
	s.d, s.open = d, true
	for c := range s.class {
		b := byte(c)
		switch {
		case b == d.Element:
			s.class[c] = classElement
		case d.isDelimiter(b):
			s.class[c] = classData
		case s.isBreak(b):
			s.class[c] = classBreak
		case b < 0x20 || b == 0x7F:
			s.class[c] = classControl
		default:
			s.class[c] = classData
		}
	}
}

// readSegment reads up to the terminator. It returns nil, nil for an empty
// segment.
func (s *scanner) readSegment() (*Segment, error) {
	pos := Position{Offset: s.offset, Line: s.line}
	s.buf = s.buf[:0]
	for {
		chunk, err := s.br.ReadSlice(s.d.Segment)
		s.account(chunk)
		body := chunk
		if err == nil {
			body = chunk[:len(chunk)-1]
		}
		s.appendData(body)
		if len(s.buf) > s.maxSeg {
			return nil, s.fatal(pos, idOf(s.buf, s.d.Element), fmt.Sprintf("segment is longer than the %d-byte limit", s.maxSeg))
		}
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == io.EOF {
			// The last segment may lack its terminator; accept it.
			if len(s.buf) == 0 {
				return nil, io.EOF
			}
			break
		}
		return nil, err
	}
	return s.build(pos, s.buf)
}

// appendData adds b to the segment, dropping line breaks that are not
// delimiters (hard wraps, or CR LF after the terminator).
func (s *scanner) appendData(b []byte) {
	if bytes.IndexByte(b, '\n') < 0 && bytes.IndexByte(b, '\r') < 0 && (!s.ebcdic || bytes.IndexByte(b, nel) < 0) {
		s.buf = append(s.buf, b...)
		return
	}
	for _, c := range b {
		if s.class[c] != classBreak {
			s.buf = append(s.buf, c)
		}
	}
}

// build makes a Segment of b, which it copies.
func (s *scanner) build(pos Position, b []byte) (*Segment, error) {
	if len(b) == 0 {
		return nil, nil
	}
	control := false
	if s.ebcdic {
		// C1 controls exist only in the ISO 8859-1 form; look for them
		// before the UTF-8 conversion hides them in two-byte sequences.
		for _, c := range b {
			if c >= 0x80 && c < 0xA0 && !s.d.isDelimiter(c) {
				control = true
				break
			}
		}
		if s.d.Element < 0x80 && s.d.Component < 0x80 && s.d.Repetition < 0x80 && s.d.Segment < 0x80 {
			// (A delimiter above 0x7F could collide with a UTF-8
			// continuation byte; such rare input stays ISO 8859-1.)
			s.utf = latin1ToUTF8(s.utf[:0], b, s.d)
			b = s.utf
		}
	}
	if !control && hasControlByte(b) {
		for _, c := range b {
			if s.class[c] == classControl {
				control = true
				break
			}
		}
	}
	// The element boundaries go straight into the arena's block; append
	// moves them to a fresh slice if the block runs out.
	ends := s.arena.spare()
	e := s.d.Element
	for i, c := range b {
		if c == e {
			ends = append(ends, int32(i))
		}
	}
	ends = append(ends, int32(len(b)))
	if len(ends)-1 > s.maxElems {
		return nil, s.fatal(pos, idOf(b, s.d.Element), fmt.Sprintf("segment has %d elements, more than the limit of %d", len(ends)-1, s.maxElems))
	}
	seg := s.arena.segment()
	seg.raw = s.arena.string(b)
	seg.ID = seg.raw[:ends[0]]
	seg.ends = s.arena.commit(ends)
	seg.d = s.d
	seg.Pos = pos
	if control {
		seg.flags |= flagControl
	}
	if seg.ID == "IEA" {
		s.open = false
	}
	return seg, nil
}

// hasControlByte reports, eight bytes at a time, whether b holds a byte
// below 0x20 or equal to 0x7F. It is exact; the caller then asks the
// class table, since some of those bytes may be delimiters.
func hasControlByte(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		del := x ^ (0x7F * ones)
		// (v - n·ones) & ^v & highs is non-zero iff a byte of v is below n.
		if ((x-0x20*ones)&^x|(del-ones)&^del)&highs != 0 {
			return true
		}
	}
	for ; i < len(b); i++ {
		if b[i] < 0x20 || b[i] == 0x7F {
			return true
		}
	}
	return false
}

// idOf returns the segment tag at the start of b, for error messages.
func idOf(b []byte, elem byte) string {
	if i := bytes.IndexByte(b, elem); i >= 0 {
		b = b[:i]
	}
	if len(b) > 3 {
		b = b[:3]
	}
	return string(b)
}

func (s *scanner) fatal(pos Position, id, msg string) *SyntaxError {
	return &SyntaxError{Offset: pos.Offset, Line: pos.Line, SegmentID: id, Level: LevelInterchange, Msg: msg}
}
