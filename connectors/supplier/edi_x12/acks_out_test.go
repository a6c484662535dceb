package edi_x12

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/store/embedded"
	"github.com/dropgate/dropgate/internal/x12"
)

const goodASN = "BSN*00*S1*20261122\nHL*1**S\nHL*2*1*O\nPRF*PO1\nREF*CN*T1\nHL*3*2*I\nLIN*1*VP*A\nSN1*1*1*EA"

// TestAck997ForAnASN parses the generated 997 back: envelope swapped,
// GS08 repeated, one AK2 per set, the set with a content error rejected.
func TestAck997ForAnASN(t *testing.T) {
	c, _ := newParser(t, nil)
	bad := strings.Replace(goodASN, "SN1*1*1*EA", "SN1*1*1.25*EA", 1)
	data := interchange(t, "77", 31, group{fid: "SH", sets: []set{{"856", goodASN}, {"856", bad}, {"856", goodASN}}})
	got := parse(t, c, "inbound/ASN 2026-11-22.edi", data)
	if len(got.Docs) != 2 || len(got.Rejected) != 1 || got.Rejected[0].ID != "x12:SUPPLIER:000000077:31:0002" {
		t.Fatalf("docs %d rejected %+v", len(got.Docs), got.Rejected)
	}
	if len(got.Replies) != 1 || got.Replies[0].Name != "ASN_2026-11-22.000000077-31.997.x12" {
		t.Fatalf("replies %+v", got.Replies)
	}
	golden := filepath.Join("testdata", "997-asn.golden.x12")
	if *update {
		os.WriteFile(golden, got.Replies[0].Data, 0o644)
	}
	if want, err := os.ReadFile(golden); err != nil || !bytes.Equal(got.Replies[0].Data, want) {
		t.Errorf("997 differs from %s (%v):\n%s", golden, err, got.Replies[0].Data)
	}
	f, err := x12.Parse(got.Replies[0].Data)
	if err != nil {
		t.Fatalf("%v\n%s", err, got.Replies[0].Data)
	}
	ic := f.Interchanges[0]
	h := ic.Header
	if h.SenderQualifier != "ZZ" || h.SenderID != ourID || h.ReceiverID != theirID || h.Control != "000000001" || h.Usage != "T" || h.Version != "00401" {
		t.Errorf("ISA = %+v", h)
	}
	if !h.Date.Equal(when) {
		t.Errorf("ISA date %v, want the injected clock's %v", h.Date, when)
	}
	g := ic.Groups[0].Header
	if g.FunctionalID != "FA" || g.Sender != ourID || g.Receiver != theirID || g.Control != "1" || g.Version != "004010" {
		t.Errorf("GS = %+v", g)
	}
	ack, err := x12.ParseAck(ic.Groups[0].Sets[0])
	if err != nil {
		t.Fatal(err)
	}
	if ack.Kind != "997" || ack.GroupID != "SH" || ack.GroupControl != "31" || ack.Status != "P" || ack.Included != 3 || ack.Received != 3 || ack.Accepted != 2 {
		t.Errorf("AK1/AK9 = %+v", ack)
	}
	if len(ack.Sets) != 3 || !ack.Sets[0].Accepted() || ack.Sets[1].Accepted() || !ack.Sets[2].Accepted() {
		t.Fatalf("AK2 = %+v", ack.Sets)
	}
	r := ack.Sets[1]
	if r.Control != "0002" || len(r.Codes) != 1 || r.Codes[0] != "5" || len(r.Segments) != 1 {
		t.Fatalf("rejected AK2 = %+v", r)
	}
	// SN1 is segment 9 of the set (ST is 1); SN102 is element 2.
	if n := r.Segments[0]; n.ID != "SN1" || n.Position != 9 || n.Code != "8" || len(n.Elements) != 1 || n.Elements[0].Position != 2 || n.Elements[0].Code != "6" || n.Elements[0].Value != "1.25" {
		t.Errorf("AK3/AK4 = %+v", n)
	}
}

// TestAckSameNumbersOnReparse: a re-parse reuses the acknowledgement's
// control number; another file takes the next; the 850s share the
// counter, also across a restart of the store.
func TestAckSameNumbersOnReparse(t *testing.T) {
	dir := t.TempDir()
	st, err := embedded.Open(filepath.Join(dir, "db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := &Config{Partner: inboundPartner(), Transport: transportConfig(dir)}
	c, err := New(connector.Env{Name: "acme", Clock: clockAt(when), Counters: st}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	file1 := interchange(t, "100", 100, group{fid: "SH", sets: []set{{"856", goodASN}}})
	control := func(data []byte) string {
		t.Helper()
		got, err := c.ParseDocuments(ctx, "a.x12", data)
		if err != nil || len(got.Replies) != 1 {
			t.Fatalf("%v %+v", err, got)
		}
		f, err := x12.Parse(got.Replies[0].Data)
		if err != nil {
			t.Fatal(err)
		}
		return f.Interchanges[0].Header.Control + "/" + f.Interchanges[0].Groups[0].Header.Control
	}
	first := control(file1)
	again := control(file1)
	other := control(interchange(t, "101", 101, group{fid: "SH", sets: []set{{"856", goodASN}}}))
	if first != "000000001/1" || again != first || other != "000000002/2" {
		t.Errorf("controls %s, %s, %s", first, again, other)
	}
	po, o := samplePO()
	sent, err := c.SendPO(ctx, po, o)
	if err != nil || sent.Refs[0].ID != "3" {
		t.Errorf("850 after two acks: %+v %v", sent, err)
	}
}

func TestAckSettings(t *testing.T) {
	two := func(t *testing.T, version string) []byte {
		return interchange(t, "9", 60,
			group{fid: "SH", version: version, sets: []set{{"856", goodASN}}},
			group{fid: "IN", version: version, sets: []set{{"810", "BIG*20261125*I**PO1\nIT1*1*1*EA*1.00\nTDS*100"}}},
			group{fid: "FA", version: version, sets: []set{{"997", "AK1*PO*5\nAK2*850*0001\nAK5*A\nAK9*A*1*1*1"}}})
	}
	t.Run("997 per group, none for the FA group", func(t *testing.T) {
		c, _ := newParser(t, nil)
		got := parse(t, c, "multi.x12", two(t, ""))
		if len(got.Docs) != 3 || len(got.Replies) != 2 {
			t.Fatalf("docs %d replies %d rejected %+v", len(got.Docs), len(got.Replies), got.Rejected)
		}
		for i, want := range []string{"multi.000000009-60.997.x12", "multi.000000009-61.997.x12"} {
			if got.Replies[i].Name != want {
				t.Errorf("reply %d = %s", i, got.Replies[i].Name)
			}
		}
		if a := onlyAck(t, &connector.Parsed{Replies: got.Replies[1:]}); a.GroupID != "IN" || a.GroupControl != "61" {
			t.Errorf("second ack = %+v", a)
		}
	})
	t.Run("999 for a 005010 partner", func(t *testing.T) {
		c, _ := newParser(t, func(p *Partner) { p.Version, p.Ack = "005010", "999" })
		got := parse(t, c, "multi.x12", two(t, "005010"))
		if len(got.Replies) != 2 {
			t.Fatalf("replies %d", len(got.Replies))
		}
		f, err := x12.Parse(got.Replies[0].Data)
		if err != nil {
			t.Fatal(err)
		}
		s := f.Interchanges[0].Groups[0].Sets[0]
		// GS08 and ST03 name the 999's guide (005010X231A1); AK1 the group's version.
		if s.Header.ID != "999" || s.Header.Convention != x12.Version999 || f.Interchanges[0].Header.Version != "00501" || f.Interchanges[0].Groups[0].Header.Version != x12.Version999 ||
			!bytes.Contains(got.Replies[0].Data, []byte("AK1*SH*60*005010~")) {
			t.Errorf("999 envelope %+v %+v", s.Header, f.Interchanges[0].Header)
		}
		if !bytes.Contains(got.Replies[0].Data, []byte("IK5*A")) || !strings.HasSuffix(got.Replies[0].Name, ".999.x12") {
			t.Errorf("999:\n%s", got.Replies[0].Data)
		}
	})
	t.Run("none", func(t *testing.T) {
		c, st := newParser(t, func(p *Partner) { p.Ack = "none" })
		got := parse(t, c, "multi.x12", two(t, ""))
		if len(got.Docs) != 3 || len(got.Replies) != 0 || st.calls != 0 {
			t.Errorf("docs %d replies %d counter calls %d", len(got.Docs), len(got.Replies), st.calls)
		}
	})
}

// TestEnvelopeProblems: what makes the whole file fail, and what only
// rejects a set or a group.
func TestEnvelopeProblems(t *testing.T) {
	ok := interchange(t, "5", 5, group{fid: "SH", sets: []set{{"856", goodASN}}})
	fileErrors := []struct {
		name string
		data []byte
		want string
	}{
		{"not X12", []byte("hello, this is not an interchange"), "no.x12: "},
		{"empty", nil, "no X12 interchange (ISA) found"},
		{"truncated upload", ok[:bytes.Index(ok, []byte("GE*"))], "interchange 000000005"},
		{"IEA mismatch", bytes.Replace(ok, []byte("IEA*1*000000005"), []byte("IEA*1*000000006"), 1), "interchange 000000005"},
		{"another partner", bytes.Replace(ok, []byte("*ZZ*SUPPLIER       *"), []byte("*ZZ*OTHERCO        *"), 1), "comes from ZZ/OTHERCO, not from this partner"},
		{"another receiver", bytes.Replace(ok, []byte("*ZZ*DROPGATE       *"), []byte("*ZZ*SOMEONEELSE    *"), 1), "is addressed to ZZ/SOMEONEELSE, not to us"},
	}
	for _, tc := range fileErrors {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newParser(t, nil)
			got, err := c.ParseDocuments(context.Background(), "no.x12", tc.data)
			if err == nil || got != nil || !fault.IsPermanent(err) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "no.x12: ") {
				t.Errorf("got %v, %v; want a permanent error with %q", got, err, tc.want)
			}
		})
	}
	t.Run("set count wrong: that set rejected", func(t *testing.T) {
		c, _ := newParser(t, nil)
		data := interchange(t, "5", 5, group{fid: "SH", sets: []set{{"856", goodASN}, {"856", goodASN}}})
		data = bytes.Replace(data, []byte("SE*10*0002"), []byte("SE*11*0002"), 1)
		got := parse(t, c, "se.x12", data)
		if len(got.Docs) != 1 || len(got.Rejected) != 1 || !strings.Contains(got.Rejected[0].Errors[0], "SE01") {
			t.Fatalf("docs %d rejected %+v", len(got.Docs), got.Rejected)
		}
		if a := onlyAck(t, got); a.Sets[1].Accepted() || a.Sets[1].Codes[0] != "4" {
			t.Errorf("997 = %+v", a)
		}
	})
	t.Run("group count wrong: the group rejected", func(t *testing.T) {
		c, _ := newParser(t, nil)
		data := bytes.Replace(ok, []byte("GE*1*5"), []byte("GE*2*5"), 1)
		got := parse(t, c, "ge.x12", data)
		if len(got.Docs) != 0 || len(got.Rejected) != 1 || !strings.Contains(got.Rejected[0].Errors[0], "GE01") {
			t.Fatalf("docs %d rejected %+v", len(got.Docs), got.Rejected)
		}
		if a := onlyAck(t, got); a.Status != "R" || len(a.Codes) != 1 || a.Codes[0] != "5" {
			t.Errorf("997 = %+v", a)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		c, _ := newParser(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := c.ParseDocuments(ctx, "x.x12", ok); !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	})
}

// TestRepliesAndInbox: SendReply puts the 997 in the outbox; the inbox
// is the transport's.
func TestRepliesAndInbox(t *testing.T) {
	c, _ := newParser(t, nil)
	ctx := context.Background()
	dir := filepath.Dir(c.cfg.Transport.Outbox)
	inbox := c.cfg.Transport.Inbox
	if err := os.MkdirAll(inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	data := interchange(t, "5", 5, group{fid: "SH", sets: []set{{"856", goodASN}}})
	if err := os.WriteFile(filepath.Join(inbox, "asn1.x12"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(filepath.Join(inbox, "asn1.x12"), when, when)
	files, err := c.ListInbox(ctx)
	if err != nil || len(files) != 1 || files[0].Name != "asn1.x12" || files[0].Size != int64(len(data)) {
		t.Fatalf("list = %+v, %v", files, err)
	}
	b, err := c.ReadInbox(ctx, "asn1.x12")
	if err != nil || !bytes.Equal(b, data) {
		t.Fatalf("read: %v", err)
	}
	got := parse(t, c, files[0].Name, b)
	if err := c.SendReply(ctx, got.Replies[0]); err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(filepath.Join(dir, "outbox", "asn1.000000005-5.997.x12"))
	if err != nil || !bytes.Equal(out, got.Replies[0].Data) {
		t.Errorf("outbox: %v", err)
	}
	if err := c.ArchiveInbox(ctx, "asn1.x12"); err != nil {
		t.Fatal(err)
	}
	if files, _ := c.ListInbox(ctx); len(files) != 0 {
		t.Errorf("inbox after archive = %+v", files)
	}
	if _, err := os.Stat(filepath.Join(inbox, "archive", "asn1.x12")); err != nil {
		t.Errorf("archived: %v", err)
	}
	if _, err := c.ReadInbox(ctx, "../etc/passwd"); err == nil {
		t.Error("a path outside the inbox was read")
	}
}

func TestExpectFunctionalAck(t *testing.T) {
	no := false
	for _, tc := range []struct {
		mod    func(*Partner)
		expect bool
		within time.Duration
	}{
		{func(*Partner) {}, true, 24 * time.Hour},
		{func(p *Partner) { p.AckWithin = 4 * time.Hour }, true, 4 * time.Hour},
		{func(p *Partner) { p.ExpectAck = &no }, false, 0},
	} {
		c, _ := newParser(t, tc.mod)
		if e, w := c.ExpectFunctionalAck(); e != tc.expect || w != tc.within {
			t.Errorf("got %v %v, want %v %v", e, w, tc.expect, tc.within)
		}
	}
}
