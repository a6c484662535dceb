package edifact

import (
	"reflect"
	"strings"
	"testing"
)

// withoutOffset zeroes the byte offset so expectations can be written by
// line; TestReaderPositions checks offsets.
func withoutOffset(e Error) Error {
	switch e := e.(type) {
	case *SyntaxError:
		c := *e
		c.Loc.Offset = 0
		c.Err = nil
		return &c
	case *CountError:
		c := *e
		c.Loc.Offset = 0
		return &c
	case *ReferenceError:
		c := *e
		c.Loc.Offset = 0
		return &c
	}
	return e
}

func TestEnvelopeErrors(t *testing.T) {
	const unb = "UNB+UNOA:3+S+R+240131:1200+77'"
	ordersMsg := func(ref string) string { return "UNH+" + ref + "+ORDERS:D:96A:UN'BGM+220'UNT+3+" + ref + "'" }
	tests := []struct {
		name   string
		src    string
		strict bool
		want   []Error
		text   string // Error() of the first problem, when given
	}{
		{
			name: "UNT01 count",
			src: lines("UNB+UNOA:3+S+R+240131:1200+12345'", "UNH+1+ORDERS:D:96A:UN'", "UNT+2+1'",
				"UNH+2+ORDERS:D:96A:UN'", "BGM+220+PO2'", "DTM+137:20240131:102'", "NAD+BY+1::9'", "NAD+SU+2::9'",
				"LIN+1++4000862141404:SRS'", "QTY+21:2'", "UNS+S'", "UNT+8+2'", "UNZ+2+12345'"),
			want: []Error{&CountError{
				Loc:   Location{Line: 12, Interchange: "12345", Message: "2", Segment: 9, Tag: "UNT", Element: 1},
				Field: "UNT01", Declared: "8", Actual: 9, Unit: "segments",
			}},
			text: "line 12, interchange 12345 message 2 segment 9 (UNT): UNT01=8 but the message has 9 segments",
		},
		{
			name: "UNT01 not a number",
			src:  unb + "UNH+1+ORDERS:D:96A:UN'UNT+X+1'UNZ+1+77'",
			want: []Error{&CountError{
				Loc:   Location{Line: 1, Interchange: "77", Message: "1", Segment: 2, Tag: "UNT", Element: 1},
				Field: "UNT01", Declared: "X", Actual: 2, Unit: "segments",
			}},
		},
		{
			name: "UNT02 reference",
			src:  unb + "UNH+1+ORDERS:D:96A:UN'BGM+220'UNT+3+9'UNZ+1+77'",
			want: []Error{&ReferenceError{
				Loc:   Location{Line: 1, Interchange: "77", Message: "1", Segment: 3, Tag: "UNT", Element: 2},
				Field: "UNT02", Got: "9", HeaderField: "UNH01", Want: "1",
			}},
			text: "line 1, interchange 77 message 1 segment 3 (UNT): UNT02=9 but UNH01=1",
		},
		{
			name: "UNZ01 count of messages",
			src:  unb + ordersMsg("1") + "UNZ+2+77'",
			want: []Error{&CountError{
				Loc:   Location{Line: 1, Interchange: "77", Tag: "UNZ", Element: 1},
				Field: "UNZ01", Declared: "2", Actual: 1, Unit: "messages",
			}},
			text: "line 1, interchange 77 (UNZ): UNZ01=2 but the interchange has 1 messages",
		},
		{
			name: "UNZ02 reference",
			src:  unb + ordersMsg("1") + "UNZ+1+78'",
			want: []Error{&ReferenceError{
				Loc:   Location{Line: 1, Interchange: "77", Tag: "UNZ", Element: 2},
				Field: "UNZ02", Got: "78", HeaderField: "UNB05", Want: "77",
			}},
		},
		{
			name: "UNZ01 counts groups when there are groups",
			src:  unb + "UNG+ORDERS+A+B+240131:1200+G1+UN+D:96A'" + ordersMsg("1") + ordersMsg("2") + "UNE+2+G1'UNZ+2+77'",
			want: []Error{&CountError{
				Loc:   Location{Line: 1, Interchange: "77", Tag: "UNZ", Element: 1},
				Field: "UNZ01", Declared: "2", Actual: 1, Unit: "groups",
			}},
		},
		{
			name: "UNE01 and UNE02",
			src:  unb + "UNG+ORDERS+A+B+240131:1200+G1+UN+D:96A'" + ordersMsg("1") + "UNE+2+G2'UNZ+1+77'",
			want: []Error{
				&CountError{
					Loc:   Location{Line: 1, Interchange: "77", Group: "G1", Tag: "UNE", Element: 1},
					Field: "UNE01", Declared: "2", Actual: 1, Unit: "messages",
				},
				&ReferenceError{
					Loc:   Location{Line: 1, Interchange: "77", Group: "G1", Tag: "UNE", Element: 2},
					Field: "UNE02", Got: "G2", HeaderField: "UNG05", Want: "G1",
				},
			},
			text: "line 1, interchange 77 group G1 (UNE): UNE01=2 but the group has 1 messages",
		},
		{
			name: "UNT missing before the next UNH",
			src:  lines(unb, "UNH+1+ORDERS:D:96A:UN'", "BGM+220'", "UNH+2+ORDERS:D:96A:UN'", "UNT+2+2'", "UNZ+2+77'"),
			want: []Error{&SyntaxError{
				Loc:  Location{Line: 4, Interchange: "77", Message: "1", Segment: 3, Tag: "UNT"},
				Code: CodeMissing, Msg: "UNT missing before UNH",
			}},
			text: "line 4, interchange 77 message 1 segment 3 (UNT): UNT missing before UNH",
		},
		{
			name: "UNT and UNZ missing at the end of the input",
			src:  lines(unb, "UNH+1+ORDERS:D:96A:UN'", "BGM+220'"),
			want: []Error{
				&SyntaxError{Loc: Location{Line: 4, Interchange: "77", Message: "1", Segment: 3, Tag: "UNT"}, Code: CodeMissing, Msg: "UNT missing at the end of the input"},
				&SyntaxError{Loc: Location{Line: 4, Interchange: "77", Tag: "UNZ"}, Code: CodeMissing, Msg: "UNZ missing at the end of the input"},
			},
		},
		{
			name: "UNE missing before UNZ",
			src:  unb + "UNG+ORDERS+A+B+240131:1200+G1+UN+D:96A'" + ordersMsg("1") + "UNZ+1+77'",
			want: []Error{&SyntaxError{Loc: Location{Line: 1, Interchange: "77", Group: "G1", Tag: "UNE"}, Code: CodeMissing, Msg: "UNE missing before UNZ"}},
		},
		{
			name: "UNZ missing before the next UNB",
			src:  unb + ordersMsg("1") + "UNB+UNOA:3+S+R+240131:1200+78'" + ordersMsg("1") + "UNZ+1+78'",
			want: []Error{&SyntaxError{Loc: Location{Line: 1, Interchange: "77", Tag: "UNZ"}, Code: CodeMissing, Msg: "UNZ missing before UNB"}},
		},
		{
			name: "segment outside a message",
			src:  lines(unb, "BGM+220'", ordersMsg("1"), "UNZ+1+77'"),
			want: []Error{&SyntaxError{Loc: Location{Line: 2, Interchange: "77", Tag: "BGM"}, Code: CodeInvalidOccurrence, Msg: "segment BGM outside a message"}},
		},
		{
			name: "UNT outside a message",
			src:  unb + ordersMsg("1") + "UNT+2+1'UNZ+1+77'",
			want: []Error{&SyntaxError{Loc: Location{Line: 1, Interchange: "77", Tag: "UNT"}, Code: CodeInvalidOccurrence, Msg: "UNT outside a message"}},
		},
		{
			name: "groups and bare messages mixed",
			src:  unb + ordersMsg("1") + "UNG+ORDERS+A+B+240131:1200+G1+UN+D:96A'" + ordersMsg("2") + "UNE+1+G1'UNZ+1+77'",
			want: []Error{
				&SyntaxError{Loc: Location{Line: 1, Interchange: "77", Tag: "UNG"}, Code: CodeGroupsAndMessagesMixed, Msg: "UNG after messages outside groups"},
			},
		},
		{
			name: "empty interchange",
			src:  unb + "UNZ+0+77'",
			want: []Error{&SyntaxError{Loc: Location{Line: 1, Interchange: "77", Tag: "UNZ"}, Code: CodeLowerLevelEmpty, Msg: "the interchange has no messages"}},
		},
		{
			name: "UNH without message identifier",
			src:  unb + "UNH+1+ORDERS:D'UNT+2+1'UNZ+1+77'",
			want: []Error{
				&SyntaxError{Loc: Location{Line: 1, Interchange: "77", Message: "1", Segment: 1, Tag: "UNH", Element: 2, Component: 3}, Code: CodeMissing, Msg: "UNH02 (message release number) is missing"},
				&SyntaxError{Loc: Location{Line: 1, Interchange: "77", Message: "1", Segment: 1, Tag: "UNH", Element: 2, Component: 4}, Code: CodeMissing, Msg: "UNH02 (controlling agency) is missing"},
			},
		},
		{
			name: "UNB without control reference",
			src:  "UNB+UNOA:3+S+R+240131:1200'" + ordersMsg("1") + "UNZ+1'",
			want: []Error{&SyntaxError{Loc: Location{Line: 1, Tag: "UNB", Element: 5}, Code: CodeMissing, Msg: "UNB05 (interchange control reference) is missing"}},
		},
		{
			name:   "UNOA repertoire when strict",
			src:    unb + "UNH+1+ORDERS:D:96A:UN'NAD+BY+1::9++Smith:jr@x'UNT+3+1'UNZ+1+77'",
			strict: true,
			want: []Error{
				&SyntaxError{Loc: Location{Line: 1, Interchange: "77", Message: "1", Segment: 2, Tag: "NAD", Element: 4, Component: 1}, Code: CodeInvalidCharacter, Msg: `character 'm' is not in the UNOA repertoire`},
				&SyntaxError{Loc: Location{Line: 1, Interchange: "77", Message: "1", Segment: 2, Tag: "NAD", Element: 4, Component: 2}, Code: CodeInvalidCharacter, Msg: `character 'j' is not in the UNOA repertoire`},
			},
		},
		{
			name: "UNOA repertoire is tolerated by default",
			src:  unb + "UNH+1+ORDERS:D:96A:UN'NAD+BY+1::9++Smith:jr@x'UNT+3+1'UNZ+1+77'",
		},
		{
			name: "invalid UTF-8 in UNOY",
			src:  "UNB+UNOY:4+S+R+20240131:1200+77'UNH+1+ORDERS:D:96A:UN'FTX+AAA+++ok:bad\xFF'UNT+3+1'UNZ+1+77'",
			want: []Error{&SyntaxError{Loc: Location{Line: 1, Interchange: "77", Message: "1", Segment: 2, Tag: "FTX", Element: 4, Component: 2}, Code: CodeInvalidCharacter, Msg: "invalid UTF-8 in a UNOY interchange"}},
		},
		{
			name: "invalid segment tag",
			src:  unb + "UNH+1+ORDERS:D:96A:UN'bgm+220'UNT+3+1'UNZ+1+77'",
			want: []Error{&SyntaxError{Loc: Location{Line: 1, Interchange: "77", Message: "1", Segment: 2, Tag: "bgm"}, Code: CodeInvalidValue, Msg: `invalid segment tag "bgm"`}},
		},
		{
			name: "unterminated segment at the end of the input",
			src:  unb + "UNH+1+ORDERS:D:96A:UN'BGM+220",
			want: []Error{
				&SyntaxError{Loc: Location{Line: 1, Interchange: "77", Message: "1", Segment: 2, Tag: "BGM"}, Code: CodeMissing, Msg: "segment terminator missing at the end of the input"},
				&SyntaxError{Loc: Location{Line: 1, Interchange: "77", Message: "1", Segment: 3, Tag: "UNT"}, Code: CodeMissing, Msg: "UNT missing at the end of the input"},
				&SyntaxError{Loc: Location{Line: 1, Interchange: "77", Tag: "UNZ"}, Code: CodeMissing, Msg: "UNZ missing at the end of the input"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.src))
			r.StrictCharset = tt.strict
			ics, err := r.ReadAll()
			if (err != nil) != (len(tt.want) > 0) {
				t.Fatalf("ReadAll error = %v, want problems %d", err, len(tt.want))
			}
			got := allErrors(ics)
			for i := range got {
				got[i] = withoutOffset(got[i])
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:")
				for _, e := range got {
					t.Errorf("  got  %#v", e)
				}
				for _, e := range tt.want {
					t.Errorf("  want %#v", e)
				}
			}
			if tt.text != "" && len(got) > 0 && got[0].Error() != tt.text {
				t.Errorf("text\n got %s\nwant %s", got[0].Error(), tt.text)
			}
		})
	}
}

func TestMessageErrorsStayWithTheirMessage(t *testing.T) {
	src := envelope("UNOA:3", 3,
		"UNH+1+ORDERS:D:96A:UN'BGM+220'UNT+3+1'",
		"UNH+2+ORDERS:D:96A:UN'BGM+220'UNT+4+2'",
		"UNH+3+ORDERS:D:96A:UN'BGM+220'UNT+3+3'")
	ics, err := Parse([]byte(src))
	if err == nil {
		t.Fatal("no error for the bad UNT01")
	}
	msgs := ics[0].Messages
	if msgs[0].Err() != nil || msgs[2].Err() != nil || len(ics[0].Errors) != 0 {
		t.Errorf("clean messages or envelope carry errors: %v / %v / %v", msgs[0].Err(), msgs[2].Err(), ics[0].Errors)
	}
	if len(msgs[1].Errors) != 1 || msgs[1].Errors[0].ErrorCode() != CodeCountMismatch {
		t.Errorf("message 2 errors = %v", msgs[1].Errors)
	}
}

func TestMaxErrorsBoundsTheList(t *testing.T) {
	body := "UNH+1+ORDERS:D:96A:UN'" + strings.Repeat("bad'", 500) + "UNT+502+1'"
	r := NewReader(strings.NewReader(envelope("UNOA:3", 1, body)))
	r.MaxErrors = 10
	ics, _ := r.ReadAll()
	if n := len(ics[0].Messages[0].Errors); n != 10 {
		t.Errorf("kept %d errors, want 10", n)
	}
}
