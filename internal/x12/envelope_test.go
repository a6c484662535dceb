package x12

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// edit returns the 850 template (one segment per line, ISA on line 1)
// with line n (1-based) replaced by repl; an empty repl deletes the line,
// and several lines may be given to insert.
func edit(n int, repl ...string) []string {
	lines := template850("000000905", "00401", "004010")
	out := append([]string{}, lines[:n-1]...)
	out = append(out, repl...)
	return append(out, lines[n:]...)
}

func TestEnvelopeErrors(t *testing.T) {
	type wantErr struct {
		level Level
		code  Code
		msg   string
		el    int
	}
	tests := []struct {
		name  string
		lines []string
		want  []wantErr
	}{
		{"SE01 count", edit(10, "SE*7*0001"), []wantErr{{LevelSet, CodeSetCountMismatch,
			"line 10, interchange 000000905 group 1 set 0001 segment 8 (SE): SE01=7 but the set has 8 segments", 1}}},
		{"SE01 not a number", edit(10, "SE*X*0001"), []wantErr{{LevelSet, CodeSetCountMismatch,
			`line 10, interchange 000000905 group 1 set 0001 segment 8 (SE): SE01 "X" is not a number (the set has 8 segments)`, 1}}},
		{"SE02 control", edit(10, "SE*8*0002"), []wantErr{{LevelSet, CodeSetControlMismatch,
			`line 10, interchange 000000905 group 1 set 0001 segment 8 (SE): SE02 "0002" does not match ST02 "0001"`, 2}}},
		{"GE01 count", edit(11, "GE*2*1"), []wantErr{{LevelGroup, CodeGroupCountMismatch,
			"line 11, interchange 000000905 group 1 segment 11 (GE): GE01=2 but the group has 1 set", 1}}},
		{"GE02 control", edit(11, "GE*1*7"), []wantErr{{LevelGroup, CodeGroupControlMismatch,
			`line 11, interchange 000000905 group 1 segment 11 (GE): GE02 "7" does not match GS06 "1"`, 2}}},
		{"IEA01 count", edit(12, "IEA*2*000000905"), []wantErr{{LevelInterchange, CodeInterchangeCountMismatch,
			"line 12, interchange 000000905 segment 12 (IEA): IEA01=2 but the interchange has 1 group", 1}}},
		{"IEA02 control", edit(12, "IEA*1*000000906"), []wantErr{{LevelInterchange, CodeInterchangeControlMismatch,
			`line 12, interchange 000000905 segment 12 (IEA): IEA02 "000000906" does not match ISA13 "000000905"`, 2}}},
		{"missing SE", edit(10), []wantErr{{LevelSet, CodeSetTrailerMissing,
			"line 10, interchange 000000905 group 1 set 0001: transaction set 850 has no SE trailer before GE", 0}}},
		{"missing GE", edit(11), []wantErr{{LevelGroup, CodeGroupTrailerMissing,
			"line 11, interchange 000000905 group 1: functional group has no GE trailer before IEA", 0}}},
		{"missing IEA", edit(12), []wantErr{{LevelInterchange, CodeInterchangeEndOfFile,
			"line 12, interchange 000000905: interchange has no IEA trailer before the end of the input", 0}}},
		{"missing SE GE IEA", edit(10, nil...)[:9], []wantErr{
			{LevelSet, CodeSetTrailerMissing, "line 10, interchange 000000905 group 1 set 0001: transaction set 850 has no SE trailer before the end of the input", 0},
			{LevelGroup, CodeGroupTrailerMissing, "line 10, interchange 000000905 group 1: functional group has no GE trailer before the end of the input", 0},
			{LevelInterchange, CodeInterchangeEndOfFile, "line 10, interchange 000000905: interchange has no IEA trailer before the end of the input", 0},
		}},
		{"segment between sets", edit(11, "N1*ST*STRAY", "GE*1*1"), []wantErr{{LevelInterchange, CodeInterchangeStructure,
			"line 11, interchange 000000905 group 1 segment 11 (N1): segment N1 outside a transaction set", 0}}},
		{"segment between groups", edit(12, "N1*ST*STRAY", "IEA*1*000000905"), []wantErr{{LevelInterchange, CodeInterchangeStructure,
			"line 12, interchange 000000905 segment 12 (N1): segment N1 outside a functional group", 0}}},
		{"SE outside a set", edit(11, "SE*2*0009", "GE*1*1"), []wantErr{{LevelInterchange, CodeInterchangeStructure,
			"line 11, interchange 000000905 group 1 segment 11 (SE): segment SE outside a transaction set", 0}}},
		{"ST outside a group", edit(12, "ST*850*0002", "SE*2*0002", "IEA*1*000000905"), []wantErr{{LevelInterchange, CodeInterchangeStructure,
			"line 12, interchange 000000905 set 0002 segment 1 (ST): ST outside a functional group", 0}}},
		{"bad segment tag", edit(6, "n1*ST*X"), []wantErr{{LevelSegment, CodeSegmentUnrecognized,
			`line 6, interchange 000000905 group 1 set 0001 segment 4 (n1): segment tag "n1" is not two or three upper-case letters and digits`, 0}}},
		{"control character", edit(6, "N1*ST*JOHN\x01DOE"), []wantErr{{LevelElement, CodeElementInvalidCharacter,
			`line 6, interchange 000000905 group 1 set 0001 segment 4 (N1): N102 has the control character '\x01' at position 5`, 2}}},
		{"bad ST01", edit(3, "ST*85*0001"), []wantErr{{LevelSet, CodeSetIDInvalid,
			`line 3, interchange 000000905 group 1 set 0001 segment 1 (ST): ST01 "85" is not a three-digit transaction set identifier`, 1}}},
		{"bad ST02", edit(3, "ST*850*01"), []wantErr{
			{LevelSet, CodeSetControlInvalid, `line 3, interchange 000000905 group 1 set 01 segment 1 (ST): ST02 "01" is not a control number of 4 to 9 characters`, 2},
			{LevelSet, CodeSetControlMismatch, `line 10, interchange 000000905 group 1 set 01 segment 8 (SE): SE02 "0001" does not match ST02 "01"`, 2},
		}},
		{"bad GS06", edit(2, "GS*PO*SENDER*RECEIVER*20240131*1200*A1*X*004010"), []wantErr{
			{LevelGroup, CodeGroupControlInvalid, `line 2, interchange 000000905 group A1 segment 2 (GS): GS06 "A1" is not a control number of 1 to 9 digits`, 6},
			{LevelGroup, CodeGroupControlMismatch, `line 11, interchange 000000905 group A1 segment 11 (GE): GE02 "1" does not match GS06 "A1"`, 2},
		}},
		{"bad ISA fields", edit(1, strings.Replace(template850("000000905", "00401", "004010")[0], "240131*1200", "241331*2500", 1)), []wantErr{
			{LevelInterchange, CodeInterchangeDate, `line 1, interchange 000000905 segment 1 (ISA): ISA09 "241331" is not a YYMMDD date`, 9},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse(joinStd(tc.lines))
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Parse error %v is not an ErrorList", err)
			}
			if len(list) != len(tc.want) {
				t.Fatalf("%d errors, want %d:\n%v", len(list), len(tc.want), list.Unwrap())
			}
			for i, w := range tc.want {
				e := list[i]
				if e.Error() != w.msg || e.Level != w.level || e.Code != w.code || e.Element != w.el {
					t.Errorf("error %d\n got %s [%s %s element %d]\nwant %s [%s %s element %d]",
						i, e.Error(), e.Level, e.Code, e.Element, w.msg, w.level, w.code, w.el)
				}
			}
			if len(f.Interchanges) != 1 {
				t.Errorf("%d interchanges: the tree must survive validation errors", len(f.Interchanges))
			}
			if !slices.Equal(f.AllErrors(), list) {
				t.Error("File.AllErrors differs from the returned list")
			}
		})
	}
}

// TestErrorMessageExample pins the format the package documents.
func TestErrorMessageExample(t *testing.T) {
	e := &SyntaxError{Line: 7, Interchange: "000000905", Group: "1", Set: "0001", SegmentIndex: 5, SegmentID: "SE",
		Msg: "SE01=4 but the set has 5 segments"}
	if want := "line 7, interchange 000000905 group 1 set 0001 segment 5 (SE): SE01=4 but the set has 5 segments"; e.Error() != want {
		t.Errorf("got %q", e.Error())
	}
	if got := (&SyntaxError{Msg: "x"}).Error(); got != "x" {
		t.Errorf("bare error %q", got)
	}
	list := ErrorList{e, e}
	if !strings.HasSuffix(list.Error(), "(and 1 more errors)") {
		t.Errorf("list %q", list.Error())
	}
	var se *SyntaxError
	if !errors.As(error(list), &se) || se != e {
		t.Error("errors.As does not reach into an ErrorList")
	}
}

// TestCallerErrors adds content errors to a parsed set, as a mapping
// layer would before building a 997.
func TestCallerErrors(t *testing.T) {
	f, err := Parse(joinStd(template850("000000905", "00401", "004010")))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Interchanges[0].Groups[0].Sets[0]
	po1 := s.Segments[4]
	e := s.ElementErrorf(po1, 3, CodeElementInvalidCode, "PO103 %q is not a unit we know", po1.Element(3))
	e.ElementRef = "355"
	s.Errorf(s.Segments[1], CodeSegmentMandatoryMissing, "no DTM").Loop = "PO1"
	if s.Accepted() || len(s.Errors) != 2 {
		t.Fatalf("errors %v", s.Errors)
	}
	if want := `line 7, interchange 000000905 group 1 set 0001 segment 5 (PO1): PO103 "EA" is not a unit we know`; e.Error() != want || e.Value != "EA" {
		t.Errorf("got %q value %q", e.Error(), e.Value)
	}
}

// TestMissingIEAThenISA: an interchange cut short by the next ISA is
// closed with an error, and the next one is read with its own delimiters.
func TestMissingIEAThenISA(t *testing.T) {
	first := template850("000000001", "00401", "004010")
	second := template850("000000002", "00501", "005010")
	data := append(render(first[:11], d('*', ':', 0, '~'), "\n"), render(second, d('|', '>', '^', '\''), "")...)
	f, err := Parse(data)
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 1 {
		t.Fatalf("errors %v", err)
	}
	if want := "line 12, interchange 000000001: interchange has no IEA trailer before the next ISA"; list[0].Error() != want {
		t.Errorf("got %q", list[0].Error())
	}
	if len(f.Interchanges) != 2 || f.Interchanges[1].Delimiters != d('|', '>', '^', '\'') || f.Interchanges[1].IEA == nil {
		t.Fatalf("interchanges %+v", f.Interchanges)
	}
	if n := len(f.Interchanges[1].Groups[0].Sets[0].Segments); n != 8 {
		t.Errorf("second interchange set has %d segments", n)
	}
}
