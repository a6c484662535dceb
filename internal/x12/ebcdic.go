package x12

import (
	"io"
	"unicode/utf8"
)

// EBCDIC: mainframe partners (and some VANs) still send interchanges in
// IBM code page 037. The reader recognises one by its first bytes, the
// EBCDIC letters "ISA", and transcodes it byte for byte to ISO 8859-1
// before parsing. Code page 037 and ISO 8859-1 have the same 256
// characters, so the mapping is a bijection: delimiters stay single,
// distinct bytes and byte offsets stay those of the original file. Data
// bytes above 0x7F are then turned into UTF-8 segment by segment, so that
// element strings are valid Go text.
//
// EBCDIC's own line end, NL (0x15), becomes U+0085 (NEL) in ISO 8859-1;
// the reader treats it as a line break, as it does CR and LF.

// ebcdicISA is "ISA" in code page 037.
var ebcdicISA = [3]byte{0xC9, 0xE2, 0xC1}

// nel is EBCDIC NL after transcoding.
const nel = 0x85

// cp037 maps a code page 037 byte to the ISO 8859-1 byte of the same
// character (generated from the IBM-037 mapping table).
var cp037 = [256]byte{
	0x00, 0x01, 0x02, 0x03, 0x9C, 0x09, 0x86, 0x7F, 0x97, 0x8D, 0x8E, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, // 0x00–0x0F
	0x10, 0x11, 0x12, 0x13, 0x9D, 0x85, 0x08, 0x87, 0x18, 0x19, 0x92, 0x8F, 0x1C, 0x1D, 0x1E, 0x1F, // 0x10–0x1F
	0x80, 0x81, 0x82, 0x83, 0x84, 0x0A, 0x17, 0x1B, 0x88, 0x89, 0x8A, 0x8B, 0x8C, 0x05, 0x06, 0x07, // 0x20–0x2F
	0x90, 0x91, 0x16, 0x93, 0x94, 0x95, 0x96, 0x04, 0x98, 0x99, 0x9A, 0x9B, 0x14, 0x15, 0x9E, 0x1A, // 0x30–0x3F
	0x20, 0xA0, 0xE2, 0xE4, 0xE0, 0xE1, 0xE3, 0xE5, 0xE7, 0xF1, 0xA2, 0x2E, 0x3C, 0x28, 0x2B, 0x7C, // 0x40–0x4F
	0x26, 0xE9, 0xEA, 0xEB, 0xE8, 0xED, 0xEE, 0xEF, 0xEC, 0xDF, 0x21, 0x24, 0x2A, 0x29, 0x3B, 0xAC, // 0x50–0x5F
	0x2D, 0x2F, 0xC2, 0xC4, 0xC0, 0xC1, 0xC3, 0xC5, 0xC7, 0xD1, 0xA6, 0x2C, 0x25, 0x5F, 0x3E, 0x3F, // 0x60–0x6F
	0xF8, 0xC9, 0xCA, 0xCB, 0xC8, 0xCD, 0xCE, 0xCF, 0xCC, 0x60, 0x3A, 0x23, 0x40, 0x27, 0x3D, 0x22, // 0x70–0x7F
	0xD8, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0xAB, 0xBB, 0xF0, 0xFD, 0xFE, 0xB1, // 0x80–0x8F
	0xB0, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70, 0x71, 0x72, 0xAA, 0xBA, 0xE6, 0xB8, 0xC6, 0xA4, // 0x90–0x9F
	0xB5, 0x7E, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0xA1, 0xBF, 0xD0, 0xDD, 0xDE, 0xAE, // 0xA0–0xAF
	0x5E, 0xA3, 0xA5, 0xB7, 0xA9, 0xA7, 0xB6, 0xBC, 0xBD, 0xBE, 0x5B, 0x5D, 0xAF, 0xA8, 0xB4, 0xD7, // 0xB0–0xBF
	0x7B, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0xAD, 0xF4, 0xF6, 0xF2, 0xF3, 0xF5, // 0xC0–0xCF
	0x7D, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F, 0x50, 0x51, 0x52, 0xB9, 0xFB, 0xFC, 0xF9, 0xFA, 0xFF, // 0xD0–0xDF
	0x5C, 0xF7, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0xB2, 0xD4, 0xD6, 0xD2, 0xD3, 0xD5, // 0xE0–0xEF
	0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0xB3, 0xDB, 0xDC, 0xD9, 0xDA, 0x9F, // 0xF0–0xFF
}

// ebcdicReader transcodes code page 037 to ISO 8859-1 as it reads.
type ebcdicReader struct{ r io.Reader }

// Read transcodes what the underlying reader returns, in place.
func (e ebcdicReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	for i, b := range p[:n] {
		p[i] = cp037[b]
	}
	return n, err
}

// latin1ToUTF8 appends b to dst, encoding bytes above 0x7F as UTF-8
// except the delimiters, which must stay single bytes.
func latin1ToUTF8(dst, b []byte, d Delimiters) []byte {
	for _, c := range b {
		if c < utf8.RuneSelf || d.isDelimiter(c) {
			dst = append(dst, c)
			continue
		}
		dst = utf8.AppendRune(dst, rune(c))
	}
	return dst
}

// toCP037 maps an ISO 8859-1 byte back to code page 037, the inverse of
// cp037 (read-only after initialisation).
var toCP037 = func() (inv [256]byte) {
	for e, a := range cp037 {
		inv[a] = byte(e)
	}
	return inv
}()

// ebcdicNL is EBCDIC NL, the line end of EBCDIC text.
const ebcdicNL = 0x15

// ackEncoding is how BuildAck puts an acknowledgement on the wire in the
// inbound interchange's form. The Writer only takes ASCII delimiters, so a
// delimiter above 0x7F (EBCDIC NL read as U+0085, say) is written as a
// free control character and mapped back afterwards; with values limited
// to printable ASCII, a control character in the output can only be a
// delimiter. EBCDIC input is answered in EBCDIC.
type ackEncoding struct {
	real, writer Delimiters
	ebcdic       bool
	standIns     bool
	newline      string
}

func newAckEncoding(d Delimiters, ebcdic bool, newline string) ackEncoding {
	enc := ackEncoding{real: d, writer: d, ebcdic: ebcdic}
	free := []byte{0x1C, 0x1D, 0x1E, 0x1F, 0x1A, 0x19, 0x18, 0x17}
	next := func() byte {
		for len(free) > 0 {
			c := free[0]
			free = free[1:]
			if !d.isDelimiter(c) {
				return c
			}
		}
		return 0 // unreachable: four delimiters cannot use eight bytes
	}
	for _, b := range []*byte{&enc.writer.Element, &enc.writer.Component, &enc.writer.Repetition, &enc.writer.Segment} {
		if *b >= 0x80 {
			*b = next()
			enc.standIns = true
		}
	}
	if newline != "" && !isLineBreak(d.Segment) && !d.isDelimiter('\n') && !d.isDelimiter('\r') {
		enc.newline = newline
	}
	return enc
}

func isLineBreak(c byte) bool { return c == '\n' || c == '\r' || c == nel }

// options are the Writer's: printable ASCII values when the output is
// re-encoded, and the newline unless EBCDIC, where encode writes NL.
func (enc ackEncoding) options() []WriterOption {
	var opts []WriterOption
	if enc.standIns || enc.ebcdic {
		opts = append(opts, WithCharset(CharsetExtended))
	}
	if enc.newline != "" && !enc.ebcdic {
		opts = append(opts, WithNewline(enc.newline))
	}
	return opts
}

// encode turns what the Writer wrote into the acknowledgement's bytes.
func (enc ackEncoding) encode(b []byte) []byte {
	if !enc.standIns && !enc.ebcdic {
		return b
	}
	var back [256]byte
	for i := range back {
		back[i] = byte(i)
	}
	w, r := enc.writer, enc.real
	back[w.Element], back[w.Component], back[w.Segment] = r.Element, r.Component, r.Segment
	if w.Repetition != 0 {
		back[w.Repetition] = r.Repetition
	}
	out := make([]byte, 0, len(b)+len(b)/32)
	for _, c := range b {
		c = back[c]
		if !enc.ebcdic {
			out = append(out, c)
			continue
		}
		out = append(out, toCP037[c])
		if c == r.Segment && enc.newline != "" {
			out = append(out, ebcdicNL)
		}
	}
	return out
}
