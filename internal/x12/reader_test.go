package x12

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// segmentsOf lists every segment of a parsed interchange in input order,
// envelopes included.
func segmentsOf(ic *Interchange) []*Segment {
	out := []*Segment{ic.ISA}
	for _, g := range ic.Groups {
		out = append(out, g.GS)
		for _, s := range g.Sets {
			out = append(out, s.Segments...)
		}
		if g.GE != nil {
			out = append(out, g.GE)
		}
	}
	if ic.IEA != nil {
		out = append(out, ic.IEA)
	}
	return out
}

func TestSyntheticVariants(t *testing.T) {
	for _, s := range synthetic() {
		t.Run(s.name, func(t *testing.T) {
			f, err := Parse(s.data)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(f.Interchanges) != len(s.ics) {
				t.Fatalf("%d interchanges, want %d", len(f.Interchanges), len(s.ics))
			}
			for i, ic := range f.Interchanges {
				if ic.Delimiters != s.delims[i] {
					t.Errorf("interchange %d delimiters %v, want %v", i, ic.Delimiters, s.delims[i])
				}
				segs := segmentsOf(ic)
				if len(segs) != len(s.ics[i]) {
					t.Fatalf("interchange %d: %d segments, want %d", i, len(segs), len(s.ics[i]))
				}
				for k, seg := range segs {
					if got := canonicalText(seg); got != s.ics[i][k] {
						t.Errorf("segment %d = %q, want %q", k+1, got, s.ics[i][k])
					}
					if seg.Pos.InInterchange != k+1 {
						t.Errorf("segment %d (%s) InInterchange = %d", k+1, seg.ID, seg.Pos.InInterchange)
					}
				}
				set := ic.Groups[0].Sets[0]
				if set.SegmentCount != 8 || !set.Terminated || !set.Accepted() {
					t.Errorf("set: count %d terminated %v errors %v", set.SegmentCount, set.Terminated, set.Errors)
				}
				ref := set.Segments[2]
				if ref.ID != "REF" || ref.Component(4, 1) != "ZZ" || ref.Component(4, 2) != "ABC" || ref.Element(2) != "DEPT 7" {
					t.Errorf("REF = %q: REF04-1 %q REF04-2 %q", ref.String(), ref.Component(4, 1), ref.Component(4, 2))
				}
				if ic.Delimiters.Repetition != 0 {
					if got := ref.RepetitionComponent(4, 2, 2); got != "DEF" {
						t.Errorf("REF04 repetition 2 component 2 = %q, want DEF", got)
					}
					if got := len(ref.Repetitions(4)); got != 2 {
						t.Errorf("REF04 has %d repetitions, want 2", got)
					}
				}
				if n1 := set.Segments[3]; n1.Element(2) != "JOHN DOE & SONS" {
					t.Errorf("N102 = %q", n1.Element(2))
				}
				if !ic.Groups[0].Header.Date.Equal(time.Date(2024, 1, 31, 12, 0, 0, 0, time.UTC)) {
					t.Errorf("GS date = %v", ic.Groups[0].Header.Date)
				}
			}
		})
	}
}

// TestLinesAndOffsets checks positions on a file with one segment per
// line, with CRLF, and with a BOM.
func TestLinesAndOffsets(t *testing.T) {
	lines := template850("000000905", "00401", "004010")
	for _, tc := range []struct {
		name   string
		prefix string
		after  string
	}{{"lf", "", "\n"}, {"crlf", "", "\r\n"}, {"bom", "\xEF\xBB\xBF", "\n"}} {
		t.Run(tc.name, func(t *testing.T) {
			data := append([]byte(tc.prefix), render(lines, d('*', ':', 0, '~'), tc.after)...)
			r := NewReader(bytes.NewReader(data))
			offset := int64(len(tc.prefix))
			for i := 0; ; i++ {
				seg, err := r.Next()
				if err == io.EOF {
					if i != len(lines) {
						t.Fatalf("%d segments, want %d", i, len(lines))
					}
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if seg.Pos.Line != i+1 || seg.Pos.Offset != offset {
					t.Errorf("%s at line %d offset %d, want %d, %d", seg.ID, seg.Pos.Line, seg.Pos.Offset, i+1, offset)
				}
				offset += int64(len(lines[i]) + 1 + len(tc.after))
			}
		})
	}
}

func TestWrappedLines(t *testing.T) {
	data := wrap(render(template850("000000905", "00401", "004010"), d('*', ':', 0, '~'), ""), 80, "\n")
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	// The PID segment starts on the fourth 80-column line.
	pid := f.Interchanges[0].Groups[0].Sets[0].Segments[5]
	if pid.ID != "PID" || pid.Pos.Line != bytes.Count(data[:pid.Pos.Offset], []byte("\n"))+1 {
		t.Errorf("PID at line %d offset %d", pid.Pos.Line, pid.Pos.Offset)
	}
}

// TestStreamingGranularities reads the same two-interchange file by
// segment, by set and by interchange.
func TestStreamingGranularities(t *testing.T) {
	var two sample
	for _, s := range synthetic() {
		if s.name == "two-interchanges" {
			two = s
		}
	}
	r := NewReader(bytes.NewReader(two.data))
	var ids []string
	for {
		seg, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, seg.ID)
	}
	if len(ids) != 24 || ids[12] != "ISA" || ids[23] != "IEA" {
		t.Errorf("segments %v", ids)
	}

	r = NewReader(bytes.NewReader(two.data))
	var controls []string
	var prev *Set
	for {
		s, err := r.NextSet()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if prev != nil && prev.Segments != nil {
			t.Error("NextSet kept the previous set's segments")
		}
		if len(s.Segments) != 8 || s.Segments[0].ID != "ST" || s.Segments[7].ID != "SE" {
			t.Errorf("set %s has %d segments", s.Header.Control, len(s.Segments))
		}
		controls = append(controls, s.Interchange.Header.Control+"/"+s.Header.Control)
		prev = s
	}
	if want := []string{"000000001/0001", "000000002/0001"}; !reflect.DeepEqual(controls, want) {
		t.Errorf("sets %v, want %v", controls, want)
	}

	r = NewReader(bytes.NewReader(two.data))
	var ics []*Interchange
	for {
		ic, err := r.NextInterchange()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ics = append(ics, ic)
	}
	if len(ics) != 2 || ics[1].Header.Version != "00501" || ics[1].Groups[0].Sets[0].Segments != nil || ics[0].IEA == nil {
		t.Fatalf("interchanges %+v", ics)
	}
	if ics[1].Delimiters.Segment != '\n' {
		t.Errorf("second interchange terminator %q", ics[1].Delimiters.Segment)
	}
}

func TestWithoutSummaries(t *testing.T) {
	data := render(template850("000000905", "00401", "004010"), d('*', ':', 0, '~'), "\n")
	r := NewReader(bytes.NewReader(data), WithoutSummaries())
	ic, err := r.NextInterchange()
	if err != nil {
		t.Fatal(err)
	}
	if len(ic.Groups) != 0 || ic.GroupCount != 1 || ic.IEA == nil || len(ic.AllErrors()) != 0 {
		t.Errorf("interchange %+v", ic)
	}
	if _, err := BuildAck(ic, AckParams{InterchangeControl: "1", GroupControl: 1, Date: time.Now()}); err == nil {
		t.Error("BuildAck without summaries succeeded")
	}

	// Counts are still checked: on the set, and on its group.
	lines := edit(10, "SE*7*0001")
	lines[10] = "GE*2*1"
	r = NewReader(bytes.NewReader(joinStd(lines)), WithoutSummaries())
	s, err := r.NextSet()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.NextSet(); err != io.EOF {
		t.Fatalf("second NextSet: %v", err)
	}
	if len(s.Errors) != 1 || s.Errors[0].Code != CodeSetCountMismatch || len(s.Group.Errors) != 1 || s.Group.Errors[0].Code != CodeGroupCountMismatch {
		t.Errorf("set errors %v, group errors %v", s.Errors, s.Group.Errors)
	}
}

func TestFatalErrors(t *testing.T) {
	good := string(joinStd(template850("000000905", "00401", "004010")))
	long := strings.Replace(good, "BLUE WIDGET", strings.Repeat("X", 300), 1)
	for _, tc := range []struct {
		name string
		data string
		opts []Option
		want string
	}{
		{"short ISA06", strings.Replace(good, "SENDER         *", "SENDER        *", 1), nil,
			`line 1, segment (ISA): ISA is not 106 characters: ISA06 should be 15 characters, found the element separator '*' at ISA character 50`},
		{"long ISA02", strings.Replace(good, "*00*          *", "*00*           *", 1), nil,
			`line 1, segment (ISA): ISA is not 106 characters: ISA02 should be 10 characters, found ' ' where the element separator '*' belongs (ISA character 18)`},
		{"truncated ISA", good[:50], nil, `line 1, segment (ISA): ISA is truncated: the input ends after 50 of its 106 bytes`},
		{"no ISA", "HELLO WORLD~", nil, `line 1: the input does not start with an ISA segment: found "HELLO WORLD~"`},
		{"garbage after IEA", good + "\nGARBAGE*1~", nil,
			`line 14: expected an ISA segment or the end of the input after IEA: found "GARBAGE*1~"`},
		{"alphanumeric terminator", strings.Replace(good, "*T*:~", "*T*:A", 1), nil,
			`line 1, segment (ISA): unusable delimiters: segment terminator 'A' is a letter, digit or space`},
		{"segment too long", long, []Option{WithMaxSegmentSize(200)}, `line 8, interchange 000000905 group 1 set 0001 segment (PID): segment is longer than the 200-byte limit`},
		{"too many elements", good, []Option{WithMaxElements(7)}, `line 2, interchange 000000905 segment (GS): segment has 8 elements, more than the limit of 7`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tc.data), tc.opts...)
			var err error
			for err == nil {
				_, err = r.Next()
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			if se.Error() != tc.want {
				t.Errorf("error\n got %s\nwant %s", se.Error(), tc.want)
			}
			if _, again := r.Next(); again != err {
				t.Errorf("error is not sticky: %v", again)
			}
		})
	}
}

func TestEBCDICText(t *testing.T) {
	lines := template850("000000905", "00401", "004010")
	lines[5] = "N1*ST*JOSÉ" // É is one byte in code page 037
	latin1 := bytes.ReplaceAll(render(lines, d('*', ':', 0, '~'), "\x85"), []byte("É"), []byte{0xC9})
	f, err := Parse(toEBCDIC(latin1))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Interchanges[0].Groups[0].Sets[0].Segments[3].Element(2); got != "JOSÉ" {
		t.Errorf("N102 = %q, want JOSÉ in UTF-8", got)
	}
}

func TestEmptyInput(t *testing.T) {
	for _, in := range []string{"", "\n\n  ", "\xEF\xBB\xBF"} {
		if _, err := NewReader(strings.NewReader(in)).Next(); err != io.EOF {
			t.Errorf("Next(%q) = %v, want io.EOF", in, err)
		}
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q) succeeded", in)
		}
	}
}

func TestSegmentAccessors(t *testing.T) {
	f, err := Parse(render(template850("000000906", "00501", "005010"), d('*', ':', '^', '~'), ""))
	if err != nil {
		t.Fatal(err)
	}
	ref := f.Interchanges[0].Groups[0].Sets[0].Segments[2]
	tests := []struct {
		got, want any
	}{
		{ref.Len(), 4},
		{ref.Element(0), ""},
		{ref.Element(3), ""},
		{ref.Element(9), ""},
		{ref.Elements(), []string{"DP", "DEPT 7", "", "ZZ:ABC^YY:DEF"}},
		{ref.Repetitions(4), []string{"ZZ:ABC", "YY:DEF"}},
		{ref.Repetitions(3), []string(nil)},
		{ref.Components(4), []string{"ZZ", "ABC"}},
		{ref.Component(4, 3), ""},
		{ref.Component(2, 1), "DEPT 7"},
		{ref.RepetitionComponent(4, 2, 1), "YY"},
		{ref.RepetitionComponent(4, 3, 1), ""},
		{ref.Value(4), Value{{"ZZ", "ABC"}, {"YY", "DEF"}}},
		{ref.Value(3), Value(nil)},
		{f.Interchanges[0].ISA.Element(16), ":"},
		{f.Interchanges[0].ISA.Component(11, 1), "^"},
		{f.Interchanges[0].ISA.Repetitions(11), []string{"^"}},
	}
	for i, tc := range tests {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("case %d: got %#v, want %#v", i, tc.got, tc.want)
		}
	}
	po1 := f.Interchanges[0].Groups[0].Sets[0].Segments[4]
	if q, err := po1.Decimal(4); err != nil || q.String() != "19.99" {
		t.Errorf("PO104 = %v, %v", q, err)
	}
	if n, err := po1.Int(2); err != nil || n != 2 {
		t.Errorf("PO102 = %v, %v", n, err)
	}
	if _, err := po1.Int(3); err == nil || !strings.Contains(err.Error(), "PO103") {
		t.Errorf("PO103 as int: %v", err)
	}
	c := ref.Clone()
	if c.String() != ref.String() || c.Component(4, 2) != "ABC" || c.ID != "REF" {
		t.Errorf("clone %q", c.String())
	}
}

// TestHasControlByte checks the word-at-a-time scan against the obvious
// loop, on every byte value at every position of a word and beyond.
func TestHasControlByte(t *testing.T) {
	naive := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 || c == 0x7F {
				return true
			}
		}
		return false
	}
	base := []byte("ABCDEFGHIJKLMNOPQRSTU")
	for n := 0; n <= len(base); n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := append([]byte(nil), base[:n]...)
				b[pos] = byte(c)
				if got, want := hasControlByte(b), naive(b); got != want {
					t.Fatalf("hasControlByte(%q) = %v, want %v", b, got, want)
				}
			}
		}
	}
}
