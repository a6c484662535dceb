package edifact

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

var testPrepared = time.Date(2024, 1, 31, 12, 5, 0, 0, time.UTC)

func header(syntax, version string) InterchangeHeader {
	h := InterchangeHeader{
		Syntax: syntax, SyntaxVersion: version,
		Sender:     Party{ID: "5412345000013", Qualifier: "14"},
		Recipient:  Party{ID: "8798765432106", Qualifier: "14"},
		ControlRef: "1042",
	}
	h.SetPrepared(testPrepared)
	return h
}

var orders = MessageHeader{Ref: "1", Type: "ORDERS", Version: "D", Release: "96A", Agency: "UN", Association: "EAN008"}

// writeOne writes one interchange with one ORDERS message whose body is
// segs, and returns the output.
func writeOne(t *testing.T, opts WriterOptions, h InterchangeHeader, segs ...*Segment) (string, error) {
	t.Helper()
	var buf bytes.Buffer
	w := NewWriter(&buf, opts)
	if err := w.BeginInterchange(h); err != nil {
		return "", err
	}
	if err := w.BeginMessage(orders); err != nil {
		return "", err
	}
	for _, s := range segs {
		if err := w.Write(s); err != nil {
			return "", err
		}
	}
	if err := w.EndMessage(); err != nil {
		return "", err
	}
	err := w.EndInterchange()
	return buf.String(), err
}

func seg(tag string, elements ...Element) *Segment { return &Segment{Tag: tag, Elements: elements} }

func TestWriterOutput(t *testing.T) {
	got, err := writeOne(t, WriterOptions{UNA: true, LineEnding: "\r\n"}, header("UNOC", "3"),
		seg("BGM", Element{"220"}, Element{"PO-1042"}, Element{"9"}),
		seg("NAD", Element{"BY"}, Element{"5412345000013", "", "9"}, Element{""}, Element{"", ""}),
		seg("FTX", Element{"AAA"}, nil, nil, Element{"Größe 10+2: 'Bitte?' ", ""}),
	)
	if err != nil {
		t.Fatal(err)
	}
	want := lines(
		"UNA:+.? '",
		"UNB+UNOC:3+5412345000013:14+8798765432106:14+240131:1205+1042'",
		"UNH+1+ORDERS:D:96A:UN:EAN008'",
		"BGM+220+PO-1042+9'",
		"NAD+BY+5412345000013::9'",
		"FTX+AAA+++Gr\xF6\xDFe 10?+2?: ?'Bitte???' '",
		"UNT+5+1'",
		"UNZ+1+1042'",
	)
	if got != want {
		t.Errorf("output\n got %q\nwant %q", got, want)
	}
}

func TestWriterDelimitersForceUNA(t *testing.T) {
	d := Delimiters{Component: '*', Element: '|', Decimal: ',', Release: '!', Terminator: '~'}
	got, err := writeOne(t, WriterOptions{Delimiters: d}, header("UNOA", "3"), seg("QTY", Element{"21", "12,5"}), seg("FTX", Element{"AAA"}, nil, nil, Element{"A|B*C~D!E"}))
	if err != nil {
		t.Fatal(err)
	}
	want := "UNA*|,! ~UNB|UNOA*3|5412345000013*14|8798765432106*14|240131*1205|1042~UNH|1|ORDERS*D*96A*UN*EAN008~" +
		"QTY|21*12,5~FTX|AAA|||A!|B!*C!~D!!E~UNT|4|1~UNZ|1|1042~"
	if got != want {
		t.Errorf("output\n got %q\nwant %q", got, want)
	}
}

func TestWriterCharsets(t *testing.T) {
	tests := []struct {
		name   string
		syntax string
		policy CharsetPolicy
		in     string
		want   string // the raw FTX value as written, or the error substring
		err    bool
	}{
		{"UNOA upper case passes", "UNOA", Reject, "ACME LTD.", "ACME LTD.", false},
		{"UNOA rejects lower case", "UNOA", Reject, "Acme", "'c' cannot be represented in UNOA", true},
		{"UNOA transliterates", "UNOA", Transliterate, "Müller-Straße 5", "MULLER-STRASSE 5", false},
		{"UNOA transliterates the unrepresentable to ?", "UNOA", Transliterate, "A@B", "A??B", false},
		{"UNOB keeps lower case, drops accents", "UNOB", Transliterate, "Crème brûlée", "Creme brulee", false},
		{"UNOB rejects accents", "UNOB", Reject, "é", "'é' cannot be represented in UNOB", true},
		{"UNOC encodes Latin-1", "UNOC", Reject, "Café", "Caf\xE9", false},
		{"UNOC rejects CJK", "UNOC", Reject, "東京", "'東' cannot be represented in UNOC", true},
		{"UNOC transliterates Polish", "UNOC", Transliterate, "Łódź", "L\xF3dz", false},
		{"UNOD encodes Latin-2", "UNOD", Reject, "Łódź", "\xA3\xF3d\xBC", false},
		{"UNOY writes UTF-8", "UNOY", Reject, "東京 €", "東京 €", false},
		{"invalid UTF-8 is refused", "UNOY", Transliterate, "a\xFFb", "invalid UTF-8", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			version := "3"
			if tt.syntax == "UNOY" {
				version = "4"
			}
			out, err := writeOne(t, WriterOptions{Policy: tt.policy}, header(tt.syntax, version), seg("FTX", Element{"AAA"}, nil, nil, Element{tt.in}))
			if tt.err {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("error = %v, want %q", err, tt.want)
				}
				if !strings.Contains(err.Error(), "FTX element 4 component 1") {
					t.Errorf("error %q does not locate the value", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, "FTX+AAA+++"+tt.want+"'") {
				t.Errorf("output %q does not contain FTX value %q", out, tt.want)
			}
		})
	}
}

func TestWriterMisuse(t *testing.T) {
	good := header("UNOA", "3")
	tests := []struct {
		name string
		run  func(w *Writer) error
		want string
	}{
		{"no control reference", func(w *Writer) error {
			h := good
			h.ControlRef = ""
			return w.BeginInterchange(h)
		}, "control reference is required"},
		{"unknown syntax", func(w *Writer) error {
			h := good
			h.Syntax = "UNOX"
			return w.BeginInterchange(h)
		}, `unknown syntax identifier "UNOX"`},
		{"bad date", func(w *Writer) error {
			h := good
			h.Date = "2024-01-31"
			return w.BeginInterchange(h)
		}, "date/time"},
		{"segment outside a message", func(w *Writer) error {
			w.BeginInterchange(good)
			return w.WriteSegment("BGM", Element{"220"})
		}, "BGM: no message is open"},
		{"service segment by hand", func(w *Writer) error {
			w.BeginInterchange(good)
			w.BeginMessage(orders)
			return w.WriteSegment("UNT", Element{"2"}, Element{"1"})
		}, "UNT is written by the Writer itself"},
		{"bad tag", func(w *Writer) error {
			w.BeginInterchange(good)
			w.BeginMessage(orders)
			return w.WriteSegment("bg", Element{"220"})
		}, `invalid segment tag "bg"`},
		{"duplicate message reference", func(w *Writer) error {
			w.BeginInterchange(good)
			w.BeginMessage(orders)
			w.EndMessage()
			return w.BeginMessage(orders)
		}, `message reference "1" is already used`},
		{"message while a message is open", func(w *Writer) error {
			w.BeginInterchange(good)
			w.BeginMessage(orders)
			return w.EndInterchange()
		}, "a group or message is still open"},
		{"group after bare messages", func(w *Writer) error {
			w.BeginInterchange(good)
			w.BeginMessage(orders)
			w.EndMessage()
			return w.BeginGroup(GroupHeader{Ref: "G1"})
		}, "already has messages outside groups"},
		{"repetition without separator", func(w *Writer) error {
			w.BeginInterchange(good)
			w.BeginMessage(orders)
			return w.Write(&Segment{Tag: "PTY", Elements: []Element{{"A"}}, Repeats: map[int][]Element{0: {{"B"}}}})
		}, "repetition separator"},
		{"tag holding a delimiter", func(w *Writer) error {
			w.BeginInterchange(good)
			w.BeginMessage(orders)
			return w.WriteSegment("QTY", Element{"21"})
		}, "tag QTY contains a delimiter"},
		{"errors are sticky", func(w *Writer) error {
			w.BeginMessage(orders)
			return w.BeginInterchange(good)
		}, "BeginMessage: no interchange is open"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := WriterOptions{}
			if strings.HasPrefix(tt.name, "tag holding") {
				opts.Delimiters = Delimiters{Component: 'Q', Element: '+', Decimal: '.', Release: '?', Terminator: '\''}
			}
			err := tt.run(NewWriter(&bytes.Buffer{}, opts))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
	if err := NewWriter(&bytes.Buffer{}, WriterOptions{LineEnding: "\t"}).Flush(); err == nil {
		t.Error("tab line ending accepted")
	}
	if err := NewWriter(&bytes.Buffer{}, WriterOptions{Delimiters: Delimiters{Component: ':', Element: ':', Decimal: '.', Terminator: '\''}}).Flush(); err == nil {
		t.Error("ambiguous delimiters accepted")
	}
}

func TestWriterGroups(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf, WriterOptions{})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(w.BeginInterchange(header("UNOA", "3")))
	for g, refs := range [][]string{{"1", "2"}, {"3"}} {
		gh := GroupHeader{ID: "ORDERS", Sender: Party{ID: "APP1"}, Recipient: Party{ID: "APP2"}, Date: "240131", Time: "1205", Ref: "G" + refs[0], Agency: "UN", Version: "D", Release: "96A"}
		must(w.BeginGroup(gh))
		for _, ref := range refs {
			h := orders
			h.Ref = ref
			must(w.BeginMessage(h))
			must(w.WriteSegment("BGM", Element{"220"}, Element{"PO" + ref}))
			must(w.EndMessage())
		}
		must(w.EndGroup())
		_ = g
	}
	must(w.EndInterchange())
	ic := parseOK(t, buf.String())[0]
	if len(ic.Groups) != 2 || ic.Trailer.Value(0) != "2" || ic.Groups[0].Trailer.Value(0) != "2" || ic.Groups[1].Trailer.Value(1) != "G3" {
		t.Errorf("groups written wrong:\n%s", buf.String())
	}
}

// TestRoundTrip writes tricky values and reads them back unchanged.
func TestRoundTrip(t *testing.T) {
	tricky := []Element{
		{"plain"},
		{"A+B", "C:D", "E'F", "G?H"},
		{"??", "?", "'", "+:'?"},
		{"ends with release?"},
		{"", "", "middle empties", "", "x"},
		{"12,50", "-0.5"},
	}
	tests := []struct {
		name   string
		syntax string
		d      Delimiters
		extra  Element
	}{
		{"defaults UNOA", "UNOA", Delimiters{}, Element{"UPPER ONLY"}},
		{"defaults UNOC", "UNOC", Delimiters{}, Element{"Ærøskøbing ½ «»", "newline\r\ninside"}},
		{"custom delimiters", "UNOB", Delimiters{Component: '*', Element: '|', Decimal: ',', Release: '!', Terminator: '~'}, Element{"a|b*c~d!e", "!!"}},
		{"letters as delimiters", "UNOB", Delimiters{Component: 'q', Element: 'w', Decimal: '.', Release: 'j', Terminator: 'k'}, Element{"quick jerk", "wow"}},
		{"UNOY", "UNOY", Delimiters{}, Element{"東京 ☃ 🚚", "\r\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			version := "3"
			if tt.syntax == "UNOY" {
				version = "4"
			}
			body := tricky
			if tt.syntax == "UNOA" {
				body = []Element{{"A+B", "C:D", "E'F", "G?H"}, {"??", "?", "'", "+:'?"}}
			}
			body = append(append([]Element(nil), body...), tt.extra)
			out, err := writeOne(t, WriterOptions{Delimiters: tt.d, LineEnding: "\n"}, header(tt.syntax, version), seg("FTX", body...))
			if err != nil {
				t.Fatal(err)
			}
			m := oneMessage(t, out)
			got := m.Body()[0]
			want := trimmed(body)
			if !reflect.DeepEqual(got.Elements, want) {
				t.Errorf("read back\n got %q\nwant %q\nfrom %q", got.Elements, want, out)
			}
			if m.Interchange.Header.ControlRef != "1042" || m.Trailer.Value(0) != "3" {
				t.Errorf("envelope: ref %q, UNT01 %q", m.Interchange.Header.ControlRef, m.Trailer.Value(0))
			}
		})
	}
}

// trimmed drops trailing empty components, as the writer does.
func trimmed(els []Element) []Element {
	out := make([]Element, len(els))
	for i, e := range els {
		n := len(e)
		for n > 0 && e[n-1] == "" {
			n--
		}
		out[i] = e[:n]
		if n == 0 {
			out[i] = Element{""}
		}
	}
	return out
}

func TestRoundTripRepetition(t *testing.T) {
	d := Delimiters{Component: ':', Element: '+', Decimal: '.', Release: '?', Repetition: '*', Terminator: '\''}
	in := &Segment{Tag: "PTY", Elements: []Element{{"A", "1"}, {"X*Y"}}, Repeats: map[int][]Element{0: {{"B", "2"}, {"C"}}}}
	out, err := writeOne(t, WriterOptions{Delimiters: d}, header("UNOY", "4"), in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "PTY+A:1*B:2*C+X?*Y'") {
		t.Errorf("output %q", out)
	}
	got := oneMessage(t, out).Body()[0]
	if !reflect.DeepEqual(got.Elements, in.Elements) || !reflect.DeepEqual(got.Repeats, in.Repeats) {
		t.Errorf("read back %q %v", got.Elements, got.Repeats)
	}
}
