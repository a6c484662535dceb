package x12

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// repeatedST02 is an interchange of two 850s both numbered 0001, as
// partners that number every set 0001 send them.
func repeatedST02() []byte {
	return joinStd(edit(11, "ST*850*0001", "BEG*00*SA*PO-1002**20240131", "SE*3*0001", "GE*2*1"))
}

// TestRepeatedST02Tolerated: the second set is accepted with a warning,
// and the 997 says so with AK5 E (accepted, but errors were noted) and
// code 23; the group is AK9 E.
func TestRepeatedST02Tolerated(t *testing.T) {
	f, err := Parse(repeatedST02())
	if err != nil {
		t.Fatalf("a repeated ST02 must not be an error: %v", err)
	}
	sets := f.Interchanges[0].Groups[0].Sets
	if len(sets) != 2 || !sets[0].Accepted() || !sets[1].Accepted() || len(sets[0].Warnings) != 0 {
		t.Fatalf("sets %+v", sets)
	}
	warns := f.AllWarnings()
	want := `line 11, interchange 000000905 group 1 set 0001 segment 1 (ST): ST02 "0001" is used by an earlier set of the group`
	if len(warns) != 1 || warns[0].Error() != want || warns[0].Code != CodeSetControlNotUnique || warns[0].Element != 2 {
		t.Fatalf("warnings %v, want one: %s", warns, want)
	}
	ack, err := BuildAck(f.Interchanges[0], AckParams{InterchangeControl: "9", GroupControl: 9, Date: ackDate, Newline: "\n"})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(splitSegments(ack.Data)[3:9], "|")
	if want := "AK1*PO*1|AK2*850*0001|AK5*A|AK2*850*0001|AK5*E*23|AK9*E*2*2*2"; got != want {
		t.Errorf("997 body\n got %s\nwant %s", got, want)
	}
	checkAckParses(t, ack.Data, &FunctionalAck{
		Kind: "997", GroupID: "PO", GroupControl: "1",
		Sets:   []SetAck{{ID: "850", Control: "0001", Status: "A"}, {ID: "850", Control: "0001", Status: "E", Codes: []string{"23"}}},
		Status: "E", Included: 2, Received: 2, Accepted: 2,
	})
}

// TestRepeatedST02Strict: WithStrict rejects the second set (AK5 R 23),
// as the standard has it.
func TestRepeatedST02Strict(t *testing.T) {
	f, err := Parse(repeatedST02(), WithStrict())
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 1 || list[0].Code != CodeSetControlNotUnique {
		t.Fatalf("strict Parse error %v, want the repeated ST02", err)
	}
	if sets := f.Interchanges[0].Groups[0].Sets; !sets[0].Accepted() || sets[1].Accepted() || len(f.AllWarnings()) != 0 {
		t.Fatalf("strict: first set accepted %v, second %v, warnings %v", sets[0].Accepted(), sets[1].Accepted(), f.AllWarnings())
	}
	ack, err := BuildAck(f.Interchanges[0], AckParams{InterchangeControl: "9", GroupControl: 9, Date: ackDate, Newline: "\n"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(splitSegments(ack.Data)[7:9], "|"); got != "AK5*R*23|AK9*P*2*2*1" {
		t.Errorf("997 %s", got)
	}
}

// TestAck999Version: a 999 carries the implementation guide of the 999
// itself in GS08 and ST03, and the acknowledged group's version in AK103
// and (without ST03) AK203.
func TestAck999Version(t *testing.T) {
	f, err := Parse(joinStd(template850("000000906", "00501", "005010")))
	if err != nil {
		t.Fatal(err)
	}
	ack, err := BuildAck(f.Interchanges[0], AckParams{InterchangeControl: "1", GroupControl: 1, Date: ackDate, Newline: "\n"})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(splitSegments(ack.Data)[1:5], "|")
	if want := "GS*FA*RECEIVER*SENDER*20240201*0930*1*X*005010X231A1|ST*999*0001*005010X231A1|AK1*PO*1*005010|AK2*850*0001*005010"; got != want {
		t.Errorf("999 header\n got %s\nwant %s", got, want)
	}
	ack, err = BuildAck(f.Interchanges[0], AckParams{Kind: Kind997, InterchangeControl: "1", GroupControl: 1, Date: ackDate, Newline: "\n"})
	if err != nil {
		t.Fatal(err)
	}
	if gs := splitSegments(ack.Data)[1]; !strings.HasSuffix(gs, "*X*005010") {
		t.Errorf("a 997 repeats the inbound GS08: %s", gs)
	}
}

// TestAckEBCDIC: an EBCDIC interchange whose segment terminator is EBCDIC
// NL is acknowledged in EBCDIC with the same delimiters.
func TestAckEBCDIC(t *testing.T) {
	lines := template850("000000905", "00401", "004010")
	data := toEBCDIC(render(lines, d('*', ':', 0, nel), ""))
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	ic := f.Interchanges[0]
	if !ic.EBCDIC || ic.Delimiters.Segment != nel {
		t.Fatalf("EBCDIC %v delimiters %v", ic.EBCDIC, ic.Delimiters)
	}
	for _, nl := range []string{"", "\n"} {
		ack, err := BuildAck(ic, AckParams{InterchangeControl: "5", GroupControl: 5, Date: ackDate, Newline: nl})
		if err != nil {
			t.Fatalf("newline %q: %v", nl, err)
		}
		if !bytes.HasPrefix(ack.Data, ebcdicISA[:]) || bytes.Contains(ack.Data, []byte("ISA")) {
			t.Fatalf("the ack is not EBCDIC: % x", ack.Data[:8])
		}
		back, err := Parse(ack.Data)
		if err != nil {
			t.Fatalf("the ack does not read back: %v", err)
		}
		a := back.Interchanges[0]
		if !a.EBCDIC || a.Delimiters != ic.Delimiters || a.Header.ReceiverID != "SENDER" {
			t.Errorf("ack delimiters %v, receiver %q", a.Delimiters, a.Header.ReceiverID)
		}
		fa, err := ParseAck(a.Groups[0].Sets[0])
		if err != nil || fa.Status != "A" || len(fa.Sets) != 1 {
			t.Errorf("ack %+v, %v", fa, err)
		}
	}
}

// TestAckNonASCIIDelimiter: a Latin-1 interchange whose terminator is a
// byte above 0x7F is answered with that terminator.
func TestAckNonASCIIDelimiter(t *testing.T) {
	data := render(template850("000000905", "00401", "004010"), d('*', ':', 0, 0xA4), "")
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	ack, err := BuildAck(f.Interchanges[0], AckParams{InterchangeControl: "5", GroupControl: 5, Date: ackDate})
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(ack.Data)
	if err != nil || back.Interchanges[0].Delimiters.Segment != 0xA4 || bytes.Count(ack.Data, []byte{0xA4}) != 10 {
		t.Fatalf("ack %q: %v", ack.Data, err)
	}
}
