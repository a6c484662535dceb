package edifact

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// readTolerant reads src with or without Strict and builds its CONTRL.
func readTolerant(t *testing.T, src string, strict bool) (*Interchange, error, *Contrl) {
	t.Helper()
	r := NewBytesReader([]byte(src))
	r.Strict = strict
	ics, err := r.ReadAll()
	if len(ics) != 1 {
		t.Fatalf("%d interchanges (%v)", len(ics), err)
	}
	c, cerr := BuildContrl(ics[0], contrlOpts)
	if cerr != nil {
		t.Fatalf("BuildContrl: %v", cerr)
	}
	return ics[0], err, c
}

const ordersMsg = "UNH+1+ORDERS:D:96A:UN'BGM+220+PO-1'UNT+3+1'"

// TestUNBWithoutSyntaxVersion: a UNB without S001/0002 is read, with a
// warning, as the version its other elements imply; the CONTRL
// acknowledges it (7) and names the missing element. Strict rejects it.
func TestUNBWithoutSyntaxVersion(t *testing.T) {
	for _, tc := range []struct {
		name, date, version, reason string
	}{
		{"six-digit date", "240131", "3", "syntax version 3"},
		{"eight-digit date", "20240131", "4", "syntax version 4 (the date has eight digits)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "UNB+UNOC+SENDER:14+RECIPIENT:14+" + tc.date + ":1200+77'" + ordersMsg + "UNZ+1+77'"
			ic, err, c := readTolerant(t, src, false)
			if err != nil {
				t.Fatalf("tolerated UNB: %v", err)
			}
			want := "line 1, interchange 77 (UNB) element 1 component 2: UNB01 (syntax version) is missing; read as " + tc.reason
			if len(ic.Warnings) != 1 || ic.Warnings[0].Error() != want || ic.Warnings[0].ErrorCode() != CodeMissing {
				t.Fatalf("warnings %v, want %s", ic.Warnings, want)
			}
			if ic.Header.SyntaxVersion != tc.version || len(ic.AllWarnings()) != 1 {
				t.Errorf("syntax version %q, all warnings %v", ic.Header.SyntaxVersion, ic.AllWarnings())
			}
			if got := bodyStrings(c); !reflect.DeepEqual(got, []string{"UCI+77+SENDER:14+RECIPIENT:14+7+13+UNB+1:2'", "UCM+1+ORDERS:D:96A:UN+7'"}) {
				t.Errorf("CONTRL %v", got)
			}
			if c.Interchange.SyntaxVersion != tc.version {
				t.Errorf("CONTRL syntax version %q", c.Interchange.SyntaxVersion)
			}

			ic, err, c = readTolerant(t, src, true)
			if err == nil || len(ic.Warnings) != 0 || !strings.Contains(err.Error(), "UNB01 (syntax version) is missing") {
				t.Fatalf("strict: err %v, warnings %v", err, ic.Warnings)
			}
			if got := bodyStrings(c)[0]; got != "UCI+77+SENDER:14+RECIPIENT:14+4+13+UNB+1:2'" {
				t.Errorf("strict CONTRL %s", got)
			}
		})
	}
}

// TestRepeatedMessageRef: two messages numbered 1 in one interchange are
// both accepted, the second with a warning reported on its UCM (26,
// duplicate detected); strict rejects the second.
func TestRepeatedMessageRef(t *testing.T) {
	src := envelope("UNOC:3", 2, ordersMsg, ordersMsg)
	ic, err, c := readTolerant(t, src, false)
	if err != nil {
		t.Fatalf("tolerated: %v", err)
	}
	msgs := ic.AllMessages()
	if len(msgs) != 2 || len(msgs[0].Warnings) != 0 || len(msgs[1].Warnings) != 1 || msgs[1].Err() != nil {
		t.Fatalf("messages %+v", msgs)
	}
	if want := `line 1, interchange 77 message 1 segment 1 (UNH) element 1: UNH01 "1" is used by an earlier message of the interchange`; msgs[1].Warnings[0].Error() != want {
		t.Errorf("warning %s\nwant    %s", msgs[1].Warnings[0], want)
	}
	want := []string{"UCI+77+SENDER:14+RECIPIENT:14+7'", "UCM+1+ORDERS:D:96A:UN+7'", "UCM+1+ORDERS:D:96A:UN+7+26+UNH+1'"}
	if got := bodyStrings(c); !reflect.DeepEqual(got, want) {
		t.Errorf("CONTRL %v", got)
	}
	ic, err, c = readTolerant(t, src, true)
	if err == nil || ic.AllMessages()[1].Err() == nil {
		t.Fatalf("strict: %v", err)
	}
	if got := bodyStrings(c)[2]; got != "UCM+1+ORDERS:D:96A:UN+4+26+UNH+1'" {
		t.Errorf("strict UCM %s", got)
	}
	// The streaming reader keeps nothing that grows with the input, so it
	// does not check.
	r := NewReader(strings.NewReader(src))
	for {
		m, err := r.NextMessage()
		if err != nil {
			break
		}
		if len(m.Warnings)+len(m.Errors) > 0 {
			t.Errorf("NextMessage recorded %v %v", m.Warnings, m.Errors)
		}
	}
}

// TestContrlTestIndicator: the CONTRL of a test interchange is marked 1,
// never a copy of the inbound indicator; echo requests and unknown values
// are rejected.
func TestContrlTestIndicator(t *testing.T) {
	for _, tc := range []struct {
		in, out, uci string
	}{
		{"", "", "UCI+77+SENDER:14+RECIPIENT:14+7'"},
		{"1", "1", "UCI+77+SENDER:14+RECIPIENT:14+7'"},
		{"2", "1", "UCI+77+SENDER:14+RECIPIENT:14+7'"},
		{"5", "1", "UCI+77+SENDER:14+RECIPIENT:14+7'"},
		{"3", "1", "UCI+77+SENDER:14+RECIPIENT:14+4+25+UNB+11'"},
		{"4", "1", "UCI+77+SENDER:14+RECIPIENT:14+4+25+UNB+11'"},
		{"0", "1", "UCI+77+SENDER:14+RECIPIENT:14+4+12+UNB+11'"},
	} {
		src := "UNB+UNOC:3+SENDER:14+RECIPIENT:14+240131:1200+77++++++" + tc.in + "'" + ordersMsg + "UNZ+1+77'"
		_, _, c := readTolerant(t, src, false)
		if c.Interchange.Test != tc.out || bodyStrings(c)[0] != tc.uci {
			t.Errorf("UNB11 %q: CONTRL UNB11 %q, %s; want %q, %s", tc.in, c.Interchange.Test, bodyStrings(c)[0], tc.out, tc.uci)
		}
		var buf bytes.Buffer
		if err := c.Encode(&buf, WriterOptions{}); err != nil {
			t.Fatal(err)
		}
		back := parseOK(t, buf.String())
		if back[0].Header.Test != tc.out {
			t.Errorf("UNB11 %q: encoded CONTRL %s", tc.in, buf.String())
		}
	}
	h := InterchangeHeader{Test: "2"}
	if !h.IsTest() || !h.SyntaxOnly() || (InterchangeHeader{}).IsTest() {
		t.Error("IsTest/SyntaxOnly")
	}
}

// TestWarningsAreNotErrors: ReadAll's error and Err leave warnings out.
func TestWarningsAreNotErrors(t *testing.T) {
	src := "UNB+UNOC+SENDER:14+RECIPIENT:14+240131:1200+77'" + ordersMsg + ordersMsg + "UNZ+2+77'"
	ics, err := Parse([]byte(src))
	if err != nil || ics[0].Err() != nil {
		t.Fatalf("Parse: %v", err)
	}
	if w := ics[0].AllWarnings(); len(w) != 2 || w[0].Location().Tag != "UNB" || w[1].Location().Tag != "UNH" {
		t.Errorf("warnings %v", w)
	}
	var se *SyntaxError
	if !errors.As(ics[0].AllWarnings()[1], &se) || se.Code != CodeDuplicate {
		t.Errorf("warning %v", ics[0].AllWarnings()[1])
	}
}
