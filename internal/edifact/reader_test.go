package edifact

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReaderDelimitersAndValues(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		delim Delimiters
		una   bool
		tag   string
		want  []Element // elements of the first body segment
	}{
		{
			name:  "no UNA uses the defaults",
			src:   envelope("UNOA:3", 1, "UNH+1+ORDERS:D:96A:UN'BGM+220+PO1+9'UNT+3+1'"),
			delim: DefaultDelimiters(),
			tag:   "BGM",
			want:  []Element{{"220"}, {"PO1"}, {"9"}},
		},
		{
			name:  "UNA with the default characters",
			src:   "UNA:+.? '" + envelope("UNOA:3", 1, "UNH+1+ORDERS:D:96A:UN'NAD+BY+0001::9'UNT+3+1'"),
			delim: DefaultDelimiters(),
			una:   true,
			tag:   "NAD",
			want:  []Element{{"BY"}, {"0001", "", "9"}},
		},
		{
			name: "custom UNA delimiters",
			src: "UNA*|,? ~UNB|UNOA*3|S*14|R*14|240131*1200|77~UNH|1|ORDERS*D*96A*UN~" +
				"NAD|BY|0001**9~UNT|3|1~UNZ|1|77~",
			delim: Delimiters{Component: '*', Element: '|', Decimal: ',', Release: '?', Terminator: '~'},
			una:   true,
			tag:   "NAD",
			want:  []Element{{"BY"}, {"0001", "", "9"}},
		},
		{
			name: "release escapes every delimiter and itself (custom)",
			src: "UNA*|,? ~UNB|UNOA*3|S|R|240131*1200|77~UNH|1|ORDERS*D*96A*UN~" +
				"FTX|AAA|||A?*B?|C????D?~E*F~UNT|3|1~UNZ|1|77~",
			delim: Delimiters{Component: '*', Element: '|', Decimal: ',', Release: '?', Terminator: '~'},
			una:   true,
			tag:   "FTX",
			want:  []Element{{"AAA"}, {""}, {""}, {"A*B|C??D~E", "F"}},
		},
		{
			name:  "release escapes every delimiter and itself (default)",
			src:   envelope("UNOA:3", 1, "UNH+1+ORDERS:D:96A:UN'FTX+AAA+++A?:B?+C??D?'E:F'UNT+3+1'"),
			delim: DefaultDelimiters(),
			tag:   "FTX",
			want:  []Element{{"AAA"}, {""}, {""}, {"A:B+C?D'E", "F"}},
		},
		{
			name:  "released terminator at the very end of a value",
			src:   envelope("UNOA:3", 1, "UNH+1+ORDERS:D:96A:UN'FTX+AAA+++IT?'S??'UNT+3+1'"),
			delim: DefaultDelimiters(),
			tag:   "FTX",
			want:  []Element{{"AAA"}, {""}, {""}, {"IT'S?"}},
		},
		{
			name:  "decimal comma",
			src:   "UNA:+,? '" + envelope("UNOA:3", 1, "UNH+1+ORDERS:D:96A:UN'QTY+21:12,50'UNT+3+1'"),
			delim: Delimiters{Component: ':', Element: '+', Decimal: ',', Release: '?', Terminator: '\''},
			una:   true,
			tag:   "QTY",
			want:  []Element{{"21", "12,50"}},
		},
		{
			name:  "UNOC Latin-1 bytes become UTF-8",
			src:   envelope("UNOC:3", 1, "UNH+1+ORDERS:D:96A:UN'NAD+DP++++Caf\xE9 M\xFCller:Stra\xDFe'UNT+3+1'"),
			delim: DefaultDelimiters(),
			tag:   "NAD",
			want:  []Element{{"DP"}, {""}, {""}, {""}, {"Café Müller", "Straße"}},
		},
		{
			name:  "UNOA tolerates Latin-1 bytes by default",
			src:   envelope("UNOA:3", 1, "UNH+1+ORDERS:D:96A:UN'NAD+DP++++CAF\xC9'UNT+3+1'"),
			delim: DefaultDelimiters(),
			tag:   "NAD",
			want:  []Element{{"DP"}, {""}, {""}, {""}, {"CAFÉ"}},
		},
		{
			name:  "UNOD Latin-2",
			src:   envelope("UNOD:3", 1, "UNH+1+ORDERS:D:96A:UN'NAD+DP++++\xA3\xF3d\xBC'UNT+3+1'"),
			delim: DefaultDelimiters(),
			tag:   "NAD",
			want:  []Element{{"DP"}, {""}, {""}, {""}, {"Łódź"}},
		},
		{
			name:  "UNOE Cyrillic",
			src:   envelope("UNOE:3", 1, "UNH+1+ORDERS:D:96A:UN'NAD+DP++++\xBC\xDE\xE1\xDA\xD2\xD0'UNT+3+1'"),
			delim: DefaultDelimiters(),
			tag:   "NAD",
			want:  []Element{{"DP"}, {""}, {""}, {""}, {"Москва"}},
		},
		{
			name:  "UNOY UTF-8",
			src:   envelope("UNOY:4", 1, "UNH+1+ORDERS:D:96A:UN'NAD+DP++++Zürich 東京'UNT+3+1'"),
			delim: DefaultDelimiters(),
			tag:   "NAD",
			want:  []Element{{"DP"}, {""}, {""}, {""}, {"Zürich 東京"}},
		},
		{
			name:  "UNOW UTF-8",
			src:   envelope("UNOW:4", 1, "UNH+1+ORDERS:D:96A:UN'FTX+AAA+++€ 5'UNT+3+1'"),
			delim: DefaultDelimiters(),
			tag:   "FTX",
			want:  []Element{{"AAA"}, {""}, {""}, {"€ 5"}},
		},
		{
			name:  "UTF-8 BOM and CRLF after terminators",
			src:   "\xEF\xBB\xBF" + lines("UNA:+.? '", "UNB+UNOA:3+S+R+240131:1200+77'", "UNH+1+ORDERS:D:96A:UN'", "BGM+220+PO1'", "UNT+3+1'", "UNZ+1+77'"),
			delim: DefaultDelimiters(),
			una:   true,
			tag:   "BGM",
			want:  []Element{{"220"}, {"PO1"}},
		},
		{
			name:  "trailing whitespace and ^Z after UNZ, final terminator missing",
			src:   strings.TrimSuffix(envelope("UNOA:3", 1, "UNH+1+ORDERS:D:96A:UN'BGM+220'UNT+3+1'"), "'"),
			delim: DefaultDelimiters(),
			tag:   "BGM",
			want:  []Element{{"220"}},
		},
		{
			name:  "syntax level B information separators",
			src:   "UNB\x1DUNOB\x1F3\x1DS\x1DR\x1D240131\x1F1200\x1D77\x1CUNH\x1D1\x1DORDERS\x1FD\x1F96A\x1FUN\x1CBGM\x1D220\x1Da+b'c\x1CUNT\x1D3\x1D1\x1CUNZ\x1D1\x1D77\x1C",
			delim: Delimiters{Component: 0x1F, Element: 0x1D, Decimal: '.', Terminator: 0x1C}, // IS2 repeats only in syntax 4
			tag:   "BGM",
			want:  []Element{{"220"}, {"a+b'c"}},
		},
		{
			name:  "repetition separator is data before syntax 4",
			src:   "UNA:+.?*'" + envelope("UNOA:3", 1, "UNH+1+ORDERS:D:96A:UN'FTX+AAA+++A*B'UNT+3+1'"),
			delim: DefaultDelimiters(),
			una:   true,
			tag:   "FTX",
			want:  []Element{{"AAA"}, {""}, {""}, {"A*B"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ics := parseOK(t, tt.src+"  \r\n\x1A")
			ic := ics[0]
			if ic.Delimiters != tt.delim {
				t.Errorf("delimiters = %+v, want %+v", ic.Delimiters, tt.delim)
			}
			if ic.UNA != tt.una {
				t.Errorf("UNA = %v, want %v", ic.UNA, tt.una)
			}
			m := ic.AllMessages()[0]
			seg := m.Body()[0]
			if seg.Tag != tt.tag {
				t.Fatalf("tag = %q, want %q", seg.Tag, tt.tag)
			}
			if !reflect.DeepEqual(seg.Elements, tt.want) {
				t.Errorf("elements = %q, want %q", seg.Elements, tt.want)
			}
			if seg.Pos.Index != 2 {
				t.Errorf("Index = %d, want 2", seg.Pos.Index)
			}
		})
	}
}

func TestReaderSyntax4Repetition(t *testing.T) {
	src := "UNA:+.?*'" + envelope("UNOY:4", 1, "UNH+1+ORDERS:D:96A:UN'PTY+A:1*B:2*C+X'UNT+3+1'")
	seg := oneMessage(t, src).Body()[0]
	if got := seg.Occurrences(0); !reflect.DeepEqual(got, []Element{{"A", "1"}, {"B", "2"}, {"C"}}) {
		t.Errorf("occurrences = %q", got)
	}
	if seg.Value(1) != "X" || len(seg.Elements) != 2 {
		t.Errorf("elements = %q", seg.Elements)
	}
}

func TestReaderPositions(t *testing.T) {
	src := lines("UNA:+.? '", "UNB+UNOA:3+S+R+240131:1200+77'", "UNH+1+ORDERS:D:96A:UN'", "BGM+220'", "DTM+137:20240131:102'", "UNT+4+1'", "UNZ+1+77'")
	m := oneMessage(t, src)
	want := []Position{
		{Offset: 43, Line: 3, Index: 1},
		{Offset: 67, Line: 4, Index: 2},
		{Offset: 77, Line: 5, Index: 3},
		{Offset: 100, Line: 6, Index: 4},
	}
	for i, s := range m.Segments {
		if s.Pos != want[i] {
			t.Errorf("segment %d (%s) at %+v, want %+v", i, s.Tag, s.Pos, want[i])
		}
		if !strings.HasPrefix(src[s.Pos.Offset:], s.Tag) {
			t.Errorf("offset %d does not point at %s", s.Pos.Offset, s.Tag)
		}
	}
}

func TestReaderEvents(t *testing.T) {
	src := "UNB+UNOA:3+S+R+240131:1200+5'" +
		"UNG+ORDERS+APPS+APPR+240131:1200+G1+UN+D:96A'" +
		"UNH+1+ORDERS:D:96A:UN'BGM+220'UNT+3+1'" +
		"UNE+1+G1'UNZ+1+5'"
	r := NewReader(iotest.OneByteReader(strings.NewReader(src)))
	var got []string
	for {
		ev, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		tag := "-"
		if ev.Segment != nil {
			tag = ev.Segment.Tag
		}
		got = append(got, ev.Kind.String()+":"+tag)
		if ev.Kind == BodySegment && (ev.Message.Header.Ref != "1" || ev.Group.Header.Ref != "G1" || ev.Interchange.Header.ControlRef != "5") {
			t.Errorf("body segment event carries the wrong envelopes")
		}
	}
	want := []string{"InterchangeStart:UNB", "GroupStart:UNG", "MessageStart:UNH", "BodySegment:BGM",
		"MessageEnd:UNT", "GroupEnd:UNE", "InterchangeEnd:UNZ"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events = %v, want %v", got, want)
	}
}

func TestReaderGroups(t *testing.T) {
	src := "UNB+UNOA:3+S+R+240131:1200+5'" +
		"UNG+ORDERS+APPS:ZZ+APPR:ZZ+240131:1200+G1+UN+D:96A'" +
		"UNH+1+ORDERS:D:96A:UN'BGM+220'UNT+3+1'UNH+2+ORDERS:D:96A:UN'BGM+220'UNT+3+2'" +
		"UNE+2+G1'" +
		"UNG+INVOIC+APPS+APPR+240131:1200+G2+UN+D:96A'" +
		"UNH+3+INVOIC:D:96A:UN'BGM+380'UNT+3+3'" +
		"UNE+1+G2'UNZ+2+5'"
	ic := parseOK(t, src)[0]
	if len(ic.Groups) != 2 || ic.GroupCount != 2 || ic.MessageCount != 0 {
		t.Fatalf("groups = %d (counted %d), bare messages %d", len(ic.Groups), ic.GroupCount, ic.MessageCount)
	}
	g := ic.Groups[0]
	if g.Header.ID != "ORDERS" || g.Header.Sender != (Party{ID: "APPS", Qualifier: "ZZ"}) || g.Header.Version != "D" || g.Header.Release != "96A" {
		t.Errorf("UNG header = %+v", g.Header)
	}
	if len(g.Messages) != 2 || g.Messages[1].Group != g || ic.Groups[1].Messages[0].Header.Type != "INVOIC" {
		t.Errorf("group messages wrong")
	}
	if refs := len(ic.AllMessages()); refs != 3 {
		t.Errorf("AllMessages = %d, want 3", refs)
	}
}

func TestReaderMultipleInterchanges(t *testing.T) {
	src := envelope("UNOA:3", 1, "UNH+1+ORDERS:D:96A:UN'BGM+220'UNT+3+1'") + "\n" +
		"UNA*|.? ~UNB|UNOA*3|S|R|240131*1200|78~UNH|1|ORDERS*D*96A*UN~BGM|A+B'C~UNT|3|1~UNZ|1|78~\n" +
		envelope("UNOA:3", 1, "UNH+1+ORDERS:D:96A:UN'BGM+X?+Y'UNT+3+1'")
	ics := parseOK(t, src)
	if len(ics) != 3 {
		t.Fatalf("got %d interchanges", len(ics))
	}
	got := []string{
		ics[0].Messages[0].Body()[0].Value(0),
		ics[1].Messages[0].Body()[0].Value(0),
		ics[2].Messages[0].Body()[0].Value(0),
	}
	if want := []string{"220", "A+B'C", "X+Y"}; !reflect.DeepEqual(got, want) {
		t.Errorf("values = %q, want %q", got, want)
	}
}

func TestNextMessageAndDiscard(t *testing.T) {
	src := envelope("UNOA:3", 2, "UNH+1+ORDERS:D:96A:UN'BGM+220'UNT+3+1'", "UNH+2+ORDERS:D:96A:UN'BGM+221'DTM+137:20240131:102'UNT+4+2'")
	r := NewReader(strings.NewReader(src))
	var refs []string
	for {
		m, err := r.NextMessage()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, m.Header.Ref+":"+m.First("BGM").Value(0))
		if m.Interchange.Header.ControlRef != "77" || len(m.Segments) != m.SegmentCount {
			t.Errorf("message %s: interchange %q, %d segments kept of %d", m.Header.Ref, m.Interchange.Header.ControlRef, len(m.Segments), m.SegmentCount)
		}
	}
	if !reflect.DeepEqual(refs, []string{"1:220", "2:221"}) {
		t.Errorf("messages = %v", refs)
	}

	r = NewReader(strings.NewReader(src))
	r.DiscardSegments = true
	ics, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	m := ics[0].Messages[1]
	if len(m.Segments) != 0 || m.SegmentCount != 4 || m.Header.Ref != "2" {
		t.Errorf("discarding: %d segments kept, %d counted", len(m.Segments), m.SegmentCount)
	}
}

func TestReaderStopsOnFatalInput(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		max      int
		sentinel error
		code     ErrorCode
		text     string
	}{
		{"not EDIFACT", "ISA*00*", 0, ErrNotEDIFACT, CodeMissing, `line 1: expected UNA or UNB: "ISA*00*"`},
		{"empty after UNA", "UNA:+.? '", 0, ErrNotEDIFACT, CodeMissing, "line 1: UNB missing after UNA"},
		{"UNA with duplicate delimiters", "UNA++.? 'UNB+UNOA:3'", 0, nil, CodeInvalidServiceChar, "line 1 (UNA): component separator and element separator are both '+'"},
		{"unknown syntax", "UNB+UNOX:3+S+R+240131:1200+9'UNH+1+ORDERS:D:96A:UN'", 0, ErrUnknownSyntax, CodeSyntaxNotSupported,
			`line 1, interchange 9 (UNB) element 1 component 1: unknown syntax identifier "UNOX"`},
		{"unsupported syntax 4 encoding", "UNB+UNOY:4::5+S+R+20240131:1200+9'", 0, ErrUnknownSyntax, CodeSyntaxNotSupported,
			`line 1, interchange 9 (UNB) element 1 component 4: unknown syntax identifier: character encoding "5" (S001/0133)`},
		{"segment too long", "UNB+UNOA:3+S+R+240131:1200+9'UNH+1+ORDERS:D:96A:UN'FTX+" + strings.Repeat("x", 200), 64, ErrSegmentTooLong, CodeUnspecified,
			`line 1, interchange 9 message 1: no segment terminator '\'' within 64 bytes`},
		{"junk after UNZ", envelope("UNOA:3", 1, "UNH+1+ORDERS:D:96A:UN'UNT+2+1'") + "\r\nGARBAGE", 0, ErrNotEDIFACT, CodeMissing,
			`line 2: unexpected data after UNZ: "GARBAGE"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.src))
			r.MaxSegmentLen = tt.max
			var err error
			for err == nil {
				_, err = r.Next()
			}
			if err == io.EOF {
				t.Fatal("read to EOF, want an error")
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not a *SyntaxError", err, err)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("error %v does not wrap %v", err, tt.sentinel)
			}
			if se.Code != tt.code {
				t.Errorf("code = %d, want %d", se.Code, tt.code)
			}
			if err.Error() != tt.text {
				t.Errorf("error text\n got %s\nwant %s", err, tt.text)
			}
			if _, again := r.Next(); again != err {
				t.Errorf("error is not sticky: %v", again)
			}
		})
	}
}

func TestParseKeepsTreeOnFatalError(t *testing.T) {
	ics, err := Parse([]byte("UNB+UNOZ:3+S:14+R:14+240131:1200+9'UNH+1+ORDERS:D:96A:UN'"))
	if !errors.Is(err, ErrUnknownSyntax) {
		t.Fatalf("err = %v", err)
	}
	if len(ics) != 1 || ics[0].Header.Sender.ID != "S" || len(ics[0].Errors) != 1 {
		t.Fatalf("tree = %+v", ics)
	}
	if ics[0].Errors[0].ErrorCode() != CodeSyntaxNotSupported {
		t.Errorf("recorded %v", ics[0].Errors[0])
	}
}

func TestReaderReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	r := NewReader(io.MultiReader(strings.NewReader("UNB+UNOA:3+S+R+240131:1200+9'UNH+1"), iotest.ErrReader(boom)))
	var err error
	for err == nil {
		_, err = r.Next()
	}
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the read error", err)
	}
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in   string
		want string
		err  bool
	}{
		{"13.000", "13.000", false},
		{"12,50", "12.50", false},
		{"-75", "-75", false},
		{"-0,5", "-0.5", false},
		{"121212121212.121", "121212121212.121", false},
		{"1,234.5", "", true},
		{"1.2.3", "", true},
		{"1e3", "", true},
		{"", "", true},
		{" 1", "", true},
	}
	for _, tt := range tests {
		d, err := ParseDecimal(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseDecimal(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if err == nil && d.String() != tt.want {
			t.Errorf("ParseDecimal(%q) = %s, want %s", tt.in, d, tt.want)
		}
	}
	d, _ := ParseDecimal("12.50")
	if got := FormatDecimal(d, ','); got != "12,50" {
		t.Errorf("FormatDecimal = %q", got)
	}
	if got := FormatDecimal(d, '.'); got != "12.50" {
		t.Errorf("FormatDecimal = %q", got)
	}
}

func TestParseUNA(t *testing.T) {
	tests := []struct {
		in   string
		want Delimiters
		err  string
	}{
		{"UNA:+.? '", DefaultDelimiters(), ""},
		{"UNA*|,? ~", Delimiters{Component: '*', Element: '|', Decimal: ',', Release: '?', Terminator: '~'}, ""},
		{"UNA:+.?*'", Delimiters{Component: ':', Element: '+', Decimal: '.', Release: '?', Repetition: '*', Terminator: '\''}, ""},
		{"UNA:+.  '", Delimiters{Component: ':', Element: '+', Decimal: '.', Terminator: '\''}, ""},
		{"UNA:+.? \n", Delimiters{Component: ':', Element: '+', Decimal: '.', Release: '?', Terminator: '\n'}, ""},
		{"UNA::.? '", Delimiters{}, "component separator and element separator are both ':'"},
		{"UNA:+:? '", Delimiters{}, "decimal mark and component separator are both ':'"},
		{"UNA:+x? '", Delimiters{}, "decimal mark must be '.' or ','"},
		{"UNA:+.? ", Delimiters{}, "UNA must be 9 bytes"},
	}
	for _, tt := range tests {
		d, err := ParseUNA([]byte(tt.in))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseUNA(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || d != tt.want {
			t.Errorf("ParseUNA(%q) = %+v, %v; want %+v", tt.in, d, err, tt.want)
		}
		if got := d.UNA(); got != tt.in {
			t.Errorf("UNA() = %q, want %q", got, tt.in)
		}
	}
}

func TestPreparedTime(t *testing.T) {
	h := InterchangeHeader{Date: "981101", Time: "1200"}
	got, err := h.Prepared()
	if err != nil || got.Year() != 1998 || got.Hour() != 12 {
		t.Errorf("Prepared = %v, %v", got, err)
	}
	h = InterchangeHeader{Date: "20240131", Time: "0905"}
	if got, err = h.Prepared(); err != nil || got.Day() != 31 || got.Minute() != 5 {
		t.Errorf("Prepared = %v, %v", got, err)
	}
	h = InterchangeHeader{SyntaxVersion: "4"}
	h.SetPrepared(got)
	if h.Date != "20240131" || h.Time != "0905" {
		t.Errorf("SetPrepared syntax 4 = %s:%s", h.Date, h.Time)
	}
	h.SyntaxVersion = "3"
	h.SetPrepared(got)
	if h.Date != "240131" {
		t.Errorf("SetPrepared syntax 3 = %s", h.Date)
	}
	if _, err := (InterchangeHeader{Date: "2401", Time: "1200"}).Prepared(); err == nil {
		t.Error("short date accepted")
	}
}

func TestReadAllReportsFatalErrorOutsideAnInterchange(t *testing.T) {
	src := envelope("UNOA:3", 2, "UNH+1+ORDERS:D:96A:UN'UNT+2+1'") + "UNA::.? 'UNB+UNOA:3'"
	ics, err := Parse([]byte(src))
	var count *CountError
	if !errors.As(err, &count) || count.Field != "UNZ01" {
		t.Errorf("err = %v, want the UNZ01 problem", err)
	}
	var se *SyntaxError
	if !errors.As(err, &se) || se.Code != CodeInvalidServiceChar {
		t.Errorf("err = %v, want the UNA problem too", err)
	}
	if len(ics) != 1 {
		t.Errorf("%d interchanges", len(ics))
	}
}

func TestUNAStartsANewInterchange(t *testing.T) {
	src := "UNB+UNOA:3+S+R+240131:1200+1'UNH+1+ORDERS:D:96A:UN'UNT+2+1'" +
		"UNA*|.? ~UNB|UNOA*3|S|R|240131*1200|2~UNH|1|ORDERS*D*96A*UN~UNT|2|1~UNZ|1|2~"
	ics, err := Parse([]byte(src))
	if len(ics) != 2 || ics[1].Header.ControlRef != "2" || ics[1].Messages[0].Err() != nil {
		t.Fatalf("interchanges = %d, err = %v", len(ics), err)
	}
	want := "line 1, interchange 1 (UNZ): UNZ missing before UNA"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

func TestLocationString(t *testing.T) {
	tests := []struct {
		loc  Location
		want string
	}{
		{Location{Line: 3, Tag: "UNA"}, "line 3 (UNA)"},
		{Location{Offset: 17}, "offset 17"},
		{Location{Line: 2, Interchange: "9", Group: "G", Message: "M1", Segment: 4, Tag: "NAD", Element: 2, Component: 3}, "line 2, interchange 9 group G message M1 segment 4 (NAD) element 2 component 3"},
		{Location{Line: 1, Interchange: "9", Tag: "\x00B"}, `line 1, interchange 9 ("\x00B")`},
	}
	for _, tt := range tests {
		if got := tt.loc.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestReuseSegmentsReadsTheSameValues(t *testing.T) {
	data := genInterchange(50)
	collect := func(reuse bool) ([]string, string) {
		r := NewReader(bytes.NewReader(data))
		r.ReuseSegments = reuse
		var out []string
		var last *Message
		for {
			ev, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if ev.Segment != nil {
				out = append(out, ev.Segment.Clone().String())
			}
			if ev.Kind == MessageEnd {
				last = ev.Message
			}
		}
		return out, last.Trailer.String()
	}
	fresh, freshTrailer := collect(false)
	reused, reusedTrailer := collect(true)
	if !reflect.DeepEqual(fresh, reused) || len(fresh) != 50*24+2 {
		t.Errorf("reuse changed what was read (%d vs %d segments)", len(fresh), len(reused))
	}
	if freshTrailer != "UNT+24+50'" || reusedTrailer != freshTrailer {
		t.Errorf("kept trailer %q / %q: a reused segment leaked into the tree", freshTrailer, reusedTrailer)
	}
}
