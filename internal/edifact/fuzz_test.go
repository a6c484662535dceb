package edifact

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReader feeds arbitrary bytes to the reader and checks that it never
// panics, keeps its memory bounded by MaxSegmentLen, reports positions that
// point into the input, delivers valid UTF-8, and that every segment it
// reads is written back by the Writer to the same values.
func FuzzReader(f *testing.F) {
	seeds := []string{
		envelope("UNOA:3", 1, "UNH+1+ORDERS:D:96A:UN'BGM+220+PO?+1'UNT+3+1'"),
		"UNA*|,? ~UNB|UNOC*3|S|R|240131*1200|77~UNH|1|ORDERS*D*96A*UN~FTX|AAA|||A?*B?|C????D?~E~UNT|3|1~UNZ|1|77~",
		"UNA:+.?*'" + envelope("UNOY:4", 1, "UNH+1+ORDERS:D:96A:UN'PTY+A:1*B:2+X'UNT+3+1'"),
		"\xEF\xBB\xBF" + lines("UNB+UNOC:3+S+R+240131:1200+77'", "UNG+ORDERS+A+B+240131:1200+G1+UN+D:96A'", "UNH+1+ORDERS:D:96A:UN'", "NAD+DP++++Caf\xE9'", "UNT+3+1'", "UNE+1+G1'", "UNZ+1+77'"),
		"UNB\x1DUNOB\x1F3\x1DS\x1DR\x1D240131\x1F1200\x1D77\x1CUNH\x1D1\x1DORDERS\x1FD\x1F96A\x1FUN\x1CUNT\x1D2\x1D1\x1CUNZ\x1D1\x1D77\x1C",
		"UNB+UNOA:3+S+R+240131:1200+77'UNH+1+ORDERS:D:96A:UN'BGM+220?",
		"UNB+UNOY:4+S+R+20240131:1200+77'UNH+1+CONTRL:D:3:UN'UCI+1+A+B+4+29+UNZ'UCM+1+X:D:96A:UN+4'UCS+2+13'UCD+12+1:2'UNT+6+1'UNZ+1+77'",
		string(genInterchange(2)),
		"UNB+UNOC+S+R+20240131:1200+77++++++3'UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNZ+2+77'",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	if dir := os.Getenv("DROPGATE_CONFORMANCE_DIR"); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "edi", "edifact_*.edi"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const max = 4096
		r := NewReader(bytes.NewReader(data))
		r.MaxSegmentLen = max
		ics, err := r.ReadAll()
		if err != nil && len(ics) == 0 && !isReaderError(err) {
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
		if r.sc != nil && len(r.sc.buf) > max+readChunk {
			t.Fatalf("buffer grew to %d bytes", len(r.sc.buf))
		}
		for _, ic := range ics {
			checkInterchange(t, ic, data)
			if c, err := BuildContrl(ic, contrlOpts); err == nil {
				var buf bytes.Buffer
				if err := c.Encode(&buf, WriterOptions{}); err == nil {
					if _, err := Parse(buf.Bytes()); err != nil {
						t.Fatalf("generated CONTRL does not read back cleanly: %v\n%q", err, buf.Bytes())
					}
				}
			}
		}
		strict := NewBytesReader(data)
		strict.Strict = true
		sics, _ := strict.ReadAll()
		for _, ic := range sics {
			if w := ic.AllWarnings(); len(w) > 0 {
				t.Fatalf("a strict reader tolerated %v", w)
			}
		}
	})
}

func isReaderError(err error) bool {
	var e Error
	return errors.As(err, &e)
}

// checkInterchange verifies the invariants of one interchange read from
// data.
func checkInterchange(t *testing.T, ic *Interchange, data []byte) {
	t.Helper()
	for _, e := range append(allErrors([]*Interchange{ic}), ic.AllWarnings()...) {
		loc := e.Location()
		if loc.Line < 1 || loc.Offset < 0 || loc.Offset > int64(len(data)) {
			t.Fatalf("error outside the input: %v (offset %d, %d bytes)", e, loc.Offset, len(data))
		}
	}
	last := int64(-1)
	for _, m := range ic.AllMessages() {
		if len(m.Segments) != m.SegmentCount {
			t.Fatalf("message %q: %d segments kept, %d counted", m.Header.Ref, len(m.Segments), m.SegmentCount)
		}
		for i, s := range m.Segments {
			if s.Pos.Index != i+1 {
				t.Fatalf("message %q segment %d has index %d", m.Header.Ref, i+1, s.Pos.Index)
			}
			if s.Pos.Offset <= last || s.Pos.Offset >= int64(len(data)) || s.Pos.Line < 1 {
				t.Fatalf("segment %s at %+v (previous offset %d, %d bytes)", s.Tag, s.Pos, last, len(data))
			}
			last = s.Pos.Offset
			checkUTF8(t, s)
			checkRewrite(t, ic.Delimiters, s)
		}
	}
}

func checkUTF8(t *testing.T, s *Segment) {
	t.Helper()
	ok := utf8.ValidString(s.Tag)
	for _, e := range s.Elements {
		for _, c := range e {
			ok = ok && utf8.ValidString(c)
		}
	}
	if !ok {
		t.Fatalf("segment %q holds invalid UTF-8", s.String())
	}
}

// checkRewrite writes s with the interchange's delimiters (in UTF-8, which
// can carry every value the reader produces) and splits it again: the
// values must survive unchanged.
func checkRewrite(t *testing.T, d Delimiters, s *Segment) {
	t.Helper()
	if d.Release == 0 || !validTag(s.Tag) || d.Validate() != nil {
		return // without a release character, values holding delimiters cannot be written
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, WriterOptions{Delimiters: d})
	w.cs, _ = lookupCharset("UNOY")
	if err := w.segment(s.Tag, s.Elements, s.Repeats); err != nil {
		if strings.Contains(err.Error(), "contains a delimiter") {
			return
		}
		t.Fatalf("rewriting %q: %v", s.String(), err)
	}
	w.Flush()
	out := buf.Bytes()
	if len(out) == 0 || out[len(out)-1] != d.Terminator {
		t.Fatalf("rewritten segment %q does not end with the terminator", out)
	}
	sp := splitter{cls: d.classes(), cs: w.cs}
	back := sp.split(out[:len(out)-1])
	if back.Tag != s.Tag || !reflect.DeepEqual(normalize(back), normalize(s)) {
		t.Fatalf("rewrite changed the values:\n  read  %q %v\n  wrote %q\n  back  %q %v", s.Elements, s.Repeats, out, back.Elements, back.Repeats)
	}
}

// normalize drops what the writer omits by design: trailing empty
// components and elements.
func normalize(s *Segment) [][]Element {
	trim := func(e Element) Element {
		n := len(e)
		for n > 0 && e[n-1] == "" {
			n--
		}
		return append(Element{}, e[:n]...)
	}
	var out [][]Element
	for i, e := range s.Elements {
		occ := []Element{trim(e)}
		for _, r := range s.Repeats[i] {
			occ = append(occ, trim(r))
		}
		out = append(out, occ)
	}
	for len(out) > 0 {
		lastOcc := out[len(out)-1]
		if len(lastOcc) == 1 && len(lastOcc[0]) == 0 {
			out = out[:len(out)-1]
			continue
		}
		break
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
