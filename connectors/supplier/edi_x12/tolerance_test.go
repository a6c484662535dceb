package edi_x12

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// everySetIs0001 renumbers every set of data 0001, as some partners do.
func everySetIs0001(data []byte) []byte {
	for _, n := range []string{"0002", "0003"} {
		data = bytes.ReplaceAll(data, []byte("*"+n+"~"), []byte("*0001~"))
	}
	return data
}

const (
	ack855PO1 = "BAK*00*AC*PO1*20261121\nPO1*1*2*EA*4.20**VP*A\nACK*IA*2*EA\nCTT*1"
	ack855PO2 = "BAK*00*AC*PO2*20261121\nPO1*1*1*EA*4.20**VP*A\nACK*IA*1*EA\nCTT*1"
)

// TestRepeatedST02Accepted: two 855s both numbered 0001 yield both
// documents, with distinct ids; the second carries the warning for the
// timeline, and the 997 says "accepted, but errors were noted".
func TestRepeatedST02Accepted(t *testing.T) {
	c, _ := newParser(t, nil)
	data := everySetIs0001(interchange(t, "5", 5, group{fid: "PR", sets: []set{{"855", ack855PO1}, {"855", ack855PO2}}}))
	got := parse(t, c, "855s.x12", data)
	if len(got.Docs) != 2 || len(got.Rejected) != 0 {
		t.Fatalf("docs %+v rejected %+v", got.Docs, got.Rejected)
	}
	first, second := got.Docs[0], got.Docs[1]
	if first.ID != "x12:SUPPLIER:000000005:5:0001" || second.ID != "x12:SUPPLIER:000000005:5:0001#2" {
		t.Errorf("ids %q %q: the second must not pass for a redelivery of the first", first.ID, second.ID)
	}
	if first.PONumber != "PO1" || second.PONumber != "PO2" || len(first.Warnings) != 0 {
		t.Errorf("docs %+v", got.Docs)
	}
	want := `855s.x12: line 9, interchange 000000005 group 5 set 0001 segment 1 (ST): ST02 "0001" is used by an earlier set of the group`
	if len(second.Warnings) != 1 || second.Warnings[0] != want {
		t.Errorf("warnings %q\nwant %q", second.Warnings, want)
	}
	ack := onlyAck(t, got)
	if ack.Status != "E" || ack.Accepted != 2 || len(ack.Sets) != 2 || ack.Sets[0].Status != "A" || ack.Sets[1].Status != "E" ||
		strings.Join(ack.Sets[1].Codes, ",") != "23" {
		t.Errorf("997 %+v", ack)
	}
}

// TestRepeatedST02Strict: partner.strict rejects the second set.
func TestRepeatedST02Strict(t *testing.T) {
	c, _ := newParser(t, func(p *Partner) { p.Strict = true })
	data := everySetIs0001(interchange(t, "5", 5, group{fid: "PR", sets: []set{{"855", ack855PO1}, {"855", ack855PO2}}}))
	got := parse(t, c, "855s.x12", data)
	if len(got.Docs) != 1 || got.Docs[0].PONumber != "PO1" || len(got.Rejected) != 1 || got.Rejected[0].ID != "x12:SUPPLIER:000000005:5:0001#2" {
		t.Fatalf("docs %+v rejected %+v", got.Docs, got.Rejected)
	}
	if !strings.Contains(got.Rejected[0].Errors[0], `ST02 "0001" is used by an earlier set of the group`) {
		t.Errorf("rejected %+v", got.Rejected[0])
	}
	ack := onlyAck(t, got)
	if ack.Status != "P" || ack.Accepted != 1 || ack.Sets[1].Status != "R" || strings.Join(ack.Sets[1].Codes, ",") != "23" {
		t.Errorf("997 %+v", ack)
	}
}

// TestEBCDICAnsweredInEBCDIC: a mainframe partner's EBCDIC file yields its
// documents, and its 997 is EBCDIC too (with the profile's delimiters).
func TestEBCDICAnsweredInEBCDIC(t *testing.T) {
	c, _ := newParser(t, nil)
	ascii := interchange(t, "6", 6, group{fid: "PR", sets: []set{{"855", ack855PO1}}})
	data, err := charmap.CodePage037.NewEncoder().Bytes(ascii)
	if err != nil {
		t.Fatal(err)
	}
	got := parse(t, c, "ebcdic.x12", data)
	if len(got.Docs) != 1 || got.Docs[0].PONumber != "PO1" || len(got.Replies) != 1 {
		t.Fatalf("got %+v", got)
	}
	reply := got.Replies[0].Data
	if !bytes.HasPrefix(reply, []byte{0xC9, 0xE2, 0xC1}) {
		t.Fatalf("the 997 is not EBCDIC: %q", reply)
	}
	// The reader recognises EBCDIC by its first bytes.
	if ack := onlyAck(t, got); ack.Status != "A" || ack.GroupControl != "6" {
		t.Errorf("997 %+v", ack)
	}
}
