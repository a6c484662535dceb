package x12

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

var testDate = time.Date(2024, 1, 31, 9, 5, 0, 0, time.UTC)

func testISA(control, version string) InterchangeHeader {
	return InterchangeHeader{
		SenderQualifier: "ZZ", SenderID: "DROPGATE", ReceiverQualifier: "01", ReceiverID: "123456789",
		Date: testDate, Version: version, Control: control, AckRequested: true, Usage: UsageTest,
	}
}

func testGS(control, version string) GroupHeader {
	return GroupHeader{FunctionalID: "PO", Sender: "DROPGATE", Receiver: "123456789", Date: testDate, Control: control, Version: version}
}

// seg is a segment to write and what reading it back must give.
type seg struct {
	id   string
	vals []Value
}

func writeAll(t *testing.T, dl Delimiters, version string, sets [][]seg, opts ...WriterOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, dl, opts...)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.BeginInterchange(testISA("42", version)))
	must(w.BeginGroup(testGS("7", "00"+version[:4]+"0")))
	for i, set := range sets {
		must(w.BeginSet(SetHeader{ID: "850", Control: string(rune('1' + i))}))
		for _, s := range set {
			must(w.WriteValues(s.id, s.vals...))
		}
		must(w.EndSet())
	}
	must(w.EndGroup())
	must(w.EndInterchange())
	must(w.Close())
	return buf.Bytes()
}

func TestWriterRoundTrip(t *testing.T) {
	sets := [][]seg{
		{
			{"BEG", []Value{Simple("00"), Simple("SA"), Simple("PO-1001"), nil, Simple("20240131")}},
			{"REF", []Value{Simple("ZZ"), Simple("A REF"), nil, Composite("ZZ", "ABC")}},
			{"N1", []Value{Simple("ST"), Simple("JOSÉ & SONS")}},
			{"PO1", []Value{Simple("1"), Simple("2"), Simple("EA"), Simple("19.99"), nil, Simple("VP"), Simple("SKU-1")}},
		},
		{
			{"REF", []Value{Simple("ZZ"), nil, nil, Repeated([]string{"ZZ", "ABC"}, []string{"YY", "DEF"})}},
			{"CTT", []Value{Simple("1")}},
		},
	}
	for _, tc := range []struct {
		name    string
		d       Delimiters
		version string
		opts    []WriterOption
	}{
		{"standard", DefaultDelimiters(), "00501", nil},
		{"newline", DefaultDelimiters(), "00501", []WriterOption{WithNewline("\r\n")}},
		{"pipe", d('|', '>', '{', '~'), "00501", []WriterOption{WithNewline("\n")}},
		{"lf terminator", d('*', ':', '^', '\n'), "00501", nil},
		{"control characters", d(0x1D, 0x1F, 0x7F, 0x15), "00501", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := writeAll(t, tc.d, tc.version, sets, tc.opts...)
			f, err := Parse(data)
			if err != nil {
				t.Fatalf("Parse: %v\n%q", err, data)
			}
			ic := f.Interchanges[0]
			if ic.Delimiters != tc.d || ic.Header.Control != "000000042" || ic.Groups[0].Header.Control != "7" {
				t.Errorf("delimiters %v control %s", ic.Delimiters, ic.Header.Control)
			}
			got := ic.Groups[0].Sets
			if len(got) != len(sets) {
				t.Fatalf("%d sets", len(got))
			}
			for i, set := range sets {
				body := got[i].Segments[1 : len(got[i].Segments)-1]
				if len(body) != len(set) {
					t.Fatalf("set %d: %d segments", i, len(body))
				}
				for k, want := range set {
					s := body[k]
					if s.ID != want.id || s.Len() != len(want.vals) {
						t.Errorf("%s: %d elements, want %s with %d", s.ID, s.Len(), want.id, len(want.vals))
						continue
					}
					for n, v := range want.vals {
						if !reflect.DeepEqual(s.Value(n+1), v) {
							t.Errorf("%s: got %#v, want %#v", elementName(s.ID, n+1), s.Value(n+1), v)
						}
					}
				}
			}
		})
	}
}

func TestWriterEnvelope(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, DefaultDelimiters(), WithNewline("\n"))
	if err != nil {
		t.Fatal(err)
	}
	_ = w.BeginInterchange(testISA("42", "00401"))
	_ = w.BeginGroup(testGS("7", "004010"))
	_ = w.BeginSet(SetHeader{ID: "850", Control: "12"})
	_ = w.WriteSegment("N1", "ST", "", "", "")
	_ = w.WriteValues("REF", Simple("ZZ"), Composite("A", "", ""), Composite("", ""))
	_ = w.EndSet()
	_ = w.EndGroup()
	if err := w.EndInterchange(); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"ISA*00*          *00*          *ZZ*DROPGATE       *01*123456789      *240131*0905*U*00401*000000042*1*T*:~",
		"GS*PO*DROPGATE*123456789*20240131*0905*7*X*004010~",
		"ST*850*0012~",
		"N1*ST~",
		"REF*ZZ*A~",
		"SE*4*0012~",
		"GE*1*7~",
		"IEA*1*000000042~",
		"",
	}, "\n")
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	if isa := strings.SplitN(buf.String(), "\n", 2)[0]; len(isa) != 106 {
		t.Errorf("ISA is %d bytes", len(isa))
	}
}

func TestWriterDataPolicy(t *testing.T) {
	const dirty = "A*B~C:D^E\nF\x01G"
	for _, tc := range []struct {
		name string
		opts []WriterOption
		in   string
		want string
		err  string
	}{
		{"replace", nil, dirty, "A B C D E F G", ""},
		{"replacement", []WriterOption{WithReplacement('_')}, dirty, "A_B_C_D_E_F_G", ""},
		{"utf8 kept", nil, "JOSÉ", "JOSÉ", ""},
		{"invalid utf8", nil, "A\xffB", "A B", ""},
		{"C1 control", nil, "A\u0085B", "A B", ""},
		{"extended", []WriterOption{WithCharset(CharsetExtended)}, "josé", "jos ", ""},
		{"basic", []WriterOption{WithCharset(CharsetBasic)}, "Ab#1", "A  1", ""},
		{"reject element separator", []WriterOption{WithDataPolicy(RejectInvalid)}, "A*B", "",
			`x12: write segment 2 (N1) N102: value contains the element separator '*'`},
		{"reject control", []WriterOption{WithDataPolicy(RejectInvalid)}, "A\tB", "",
			`x12: write segment 2 (N1) N102: value contains the control character '\t'`},
		{"reject charset", []WriterOption{WithDataPolicy(RejectInvalid), WithCharset(CharsetBasic)}, "a", "",
			`x12: write segment 2 (N1) N102: the character 'a' is outside the allowed character set`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(&buf, DefaultDelimiters(), tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			_ = w.BeginInterchange(testISA("1", "00501"))
			_ = w.BeginGroup(testGS("1", "005010"))
			_ = w.BeginSet(SetHeader{ID: "850", Control: "1"})
			err = w.WriteSegment("N1", "ST", tc.in)
			if tc.err != "" {
				var ve *ValueError
				if !errors.As(err, &ve) || err.Error() != tc.err || ve.Element != 2 || ve.Value != tc.in {
					t.Fatalf("error %v, want %s", err, tc.err)
				}
				if again := w.EndSet(); again != err {
					t.Error("error is not sticky")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_ = w.EndSet()
			_ = w.EndGroup()
			_ = w.EndInterchange()
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			f, err := Parse(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Interchanges[0].Groups[0].Sets[0].Segments[1].Element(2); got != tc.want {
				t.Errorf("N102 = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWriterMisuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    Delimiters
		opts []WriterOption
		run  func(w *Writer) error
		want string
	}{
		{"alphanumeric delimiter", d('A', ':', 0, '~'), nil, nil, "element separator 'A' must be ASCII and not a letter"},
		{"space delimiter", d('*', ' ', 0, '~'), nil, nil, "component separator ' ' must be ASCII"},
		{"duplicate delimiters", d('*', '*', 0, '~'), nil, nil, "element and component separators are both '*'"},
		{"missing terminator", d('*', ':', 0, 0), nil, nil, "segment separator is not set"},
		{"newline with LF terminator", d('*', ':', 0, '\n'), []WriterOption{WithNewline("\n")}, nil, "no newline may follow"},
		{"bad newline", DefaultDelimiters(), []WriterOption{WithNewline(" ")}, nil, "must be"},
		{"replacement is a delimiter", DefaultDelimiters(), []WriterOption{WithReplacement('*')}, nil, "replacement character"},
		{"segment outside a set", DefaultDelimiters(), nil, func(w *Writer) error { return w.WriteSegment("N1", "ST") }, "no transaction set is open"},
		{"envelope through WriteSegment", DefaultDelimiters(), nil, func(w *Writer) error {
			_ = w.BeginInterchange(testISA("1", "00401"))
			_ = w.BeginGroup(testGS("1", "004010"))
			_ = w.BeginSet(SetHeader{ID: "850", Control: "1"})
			return w.WriteSegment("SE", "2", "0001")
		}, "envelope segments are written by"},
		{"no date", DefaultDelimiters(), nil, func(w *Writer) error {
			h := testISA("1", "00401")
			h.Date = time.Time{}
			return w.BeginInterchange(h)
		}, "ISA09: the interchange date is required"},
		{"long control", DefaultDelimiters(), nil, func(w *Writer) error { return w.BeginInterchange(testISA("1234567890", "00401")) }, "ISA13: control number"},
		{"long sender", DefaultDelimiters(), nil, func(w *Writer) error {
			h := testISA("1", "00401")
			h.SenderID = "A-VERY-LONG-SENDER-ID"
			return w.BeginInterchange(h)
		}, "ISA06:"},
		{"no usage", DefaultDelimiters(), nil, func(w *Writer) error {
			h := testISA("1", "00401")
			h.Usage = ""
			return w.BeginInterchange(h)
		}, "ISA15: usage indicator"},
		{"00501 without repetition separator", d('*', ':', 0, '~'), nil, func(w *Writer) error { return w.BeginInterchange(testISA("1", "00501")) }, "needs a repetition separator"},
		{"repetition in 00401", DefaultDelimiters(), nil, func(w *Writer) error {
			_ = w.BeginInterchange(testISA("1", "00401"))
			_ = w.BeginGroup(testGS("1", "004010"))
			_ = w.BeginSet(SetHeader{ID: "850", Control: "1"})
			return w.WriteValues("REF", Repeated([]string{"A"}, []string{"B"}))
		}, "version 00401 has no repetition separator"},
		{"group control not digits", DefaultDelimiters(), nil, func(w *Writer) error {
			_ = w.BeginInterchange(testISA("1", "00401"))
			return w.BeginGroup(testGS("X1", "004010"))
		}, "GS06: control number"},
		{"unclosed interchange", DefaultDelimiters(), nil, func(w *Writer) error {
			_ = w.BeginInterchange(testISA("1", "00401"))
			return w.Close()
		}, "the interchange was not ended"},
		{"end group with open set", DefaultDelimiters(), nil, func(w *Writer) error {
			_ = w.BeginInterchange(testISA("1", "00401"))
			_ = w.BeginGroup(testGS("1", "004010"))
			_ = w.BeginSet(SetHeader{ID: "850", Control: "1"})
			return w.EndGroup()
		}, "a set in it is"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := NewWriter(&bytes.Buffer{}, tc.d, tc.opts...)
			if err == nil && tc.run != nil {
				err = tc.run(w)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}
