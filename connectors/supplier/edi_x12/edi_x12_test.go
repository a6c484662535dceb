package edi_x12

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/store/embedded"
	"github.com/dropgate/dropgate/internal/transport"
	"github.com/dropgate/dropgate/internal/x12"
)

var update = flag.Bool("update", false, "rewrite golden files")

var when = time.Date(2026, 11, 21, 14, 5, 0, 0, time.UTC)

func partner() Partner {
	return Partner{SenderQualifier: "ZZ", SenderID: "DROPGATE", ReceiverQualifier: "12", ReceiverID: "5551234567", Version: "004010", Usage: "T"}
}

func newConn(t *testing.T, p Partner, outbox string, st *embedded.Store) *Connector {
	t.Helper()
	cfg := &Config{Partner: p, Transport: transport.Config{Type: "directory", Outbox: outbox}}
	if ps := cfg.Check(); len(ps) > 0 {
		t.Fatalf("config problems: %v", ps)
	}
	env := connector.Env{Name: "acme", Clock: clock.NewFake(when)}
	if st != nil {
		env.Counters = st
	}
	c, err := New(env, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func samplePO() (*model.PurchaseOrder, *model.Order) {
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	po := &model.PurchaseOrder{
		Number: "PO7K3M9QX2AB", OrderID: "ord_x", Supplier: "acme", Currency: "USD", Created: when, ShippingMethod: "Standard",
		ShipTo: model.Address{Name: "Ada Lovelace", Company: "Analytical*Engines~Ltd", Line1: "12 Analytical Row", Line2: "Apt 3",
			City: "Austin", Region: "TX", PostalCode: "78701", Country: "US", Phone: "+1 512-555-0134", Email: "ada@example.com"},
		Lines: []model.POLine{
			{LineNo: 1, SKU: "MUG-BLK-11", SupplierSKU: "ACM-MUG-11-BK", GTIN: "0850123400017", Description: "Ceramic Mug - Black / 11oz", Quantity: 2, UnitCost: usd("4.20")},
			{LineNo: 2, SKU: "TEE-WHT-M", SupplierSKU: "ACM-TEE-M-WH", GTIN: "085012340003", Description: "Logo Tee", Quantity: 1, UnitCost: usd("7.80")},
		},
	}
	return po, &model.Order{ChannelOrderNumber: "#1042"}
}

func TestRender850Golden(t *testing.T) {
	c := newConn(t, partner(), t.TempDir(), nil)
	po, o := samplePO()
	got, err := c.Render850(po, o, 905, when, purposeOriginal)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "850.golden.x12")
	if *update {
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("850 differs from %s:\n%s", golden, got)
	}
}

// TestRender850ParsesBack reads the 850 with the X12 reader: envelopes
// valid, counts right, values where a partner's translator looks for them.
func TestRender850ParsesBack(t *testing.T) {
	c := newConn(t, partner(), t.TempDir(), nil)
	po, o := samplePO()
	data, err := c.Render850(po, o, 905, when, purposeOriginal)
	if err != nil {
		t.Fatal(err)
	}
	f, err := x12.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if errs := f.AllErrors(); len(errs) > 0 {
		t.Fatalf("envelope errors: %v", errs)
	}
	ic := f.Interchanges[0]
	if ic.Header.Control != "000000905" || ic.Header.SenderID != "DROPGATE" || ic.Header.ReceiverQualifier != "12" || ic.Header.Usage != "T" || ic.Header.Version != "00401" {
		t.Errorf("ISA = %+v", ic.Header)
	}
	g := ic.Groups[0]
	if g.Header.FunctionalID != "PO" || g.Header.Control != "905" || g.Header.Version != "004010" {
		t.Errorf("GS = %+v", g.Header)
	}
	set := g.Sets[0]
	seg := map[string][]*x12.Segment{}
	for _, s := range set.Segments {
		seg[s.ID] = append(seg[s.ID], s)
	}
	if b := seg["BEG"][0]; b.Element(1) != "00" || b.Element(2) != "DS" || b.Element(3) != "PO7K3M9QX2AB" || b.Element(5) != "20261121" {
		t.Errorf("BEG = %s", b)
	}
	if n2 := seg["N2"][0].Element(1); n2 != "Analytical Engines Ltd" {
		t.Errorf("delimiters in data must be replaced: N2 = %q", n2)
	}
	if n4 := seg["N4"][0]; n4.Element(1) != "Austin" || n4.Element(2) != "TX" || n4.Element(3) != "78701" || n4.Element(4) != "US" {
		t.Errorf("N4 = %s", n4)
	}
	if len(seg["PO1"]) != 2 {
		t.Fatalf("PO1 = %d", len(seg["PO1"]))
	}
	p1 := seg["PO1"][0]
	if q, _ := p1.Int(2); q != 2 || p1.Element(4) != "4.20" || p1.Element(7) != "ACM-MUG-11-BK" || p1.Element(9) != "MUG-BLK-11" || p1.Element(10) != "EN" {
		t.Errorf("PO1 = %s", p1)
	}
	if seg["PO1"][1].Element(10) != "UP" {
		t.Errorf("a 12-digit GTIN is a UPC: %s", seg["PO1"][1])
	}
	if ctt := seg["CTT"][0]; ctt.Element(1) != "2" || ctt.Element(2) != "3" {
		t.Errorf("CTT = %s", ctt)
	}
	if set.SegmentCount != 17 {
		t.Errorf("segments = %d", set.SegmentCount)
	}
}

func TestRejectPolicyNamesTheElement(t *testing.T) {
	p := partner()
	p.InvalidChars = "reject"
	c := newConn(t, p, t.TempDir(), nil)
	po, o := samplePO()
	_, err := c.Render850(po, o, 1, when, purposeOriginal)
	if err == nil || !fault.IsPermanent(err) {
		t.Fatalf("want a permanent error, got %v", err)
	}
	var ve *x12.ValueError
	if !errors.As(err, &ve) || ve.SegmentID != "N2" {
		t.Fatalf("error does not name N2: %v", err)
	}
}

func TestCustomDelimiters(t *testing.T) {
	p := partner()
	p.Version = "005010"
	p.Delimiters = Delimiters{Element: "|", Component: "\\", Repetition: "{", Segment: "\n"}
	c := newConn(t, p, t.TempDir(), nil)
	po, o := samplePO()
	po.ShipTo.Line2 = "Unit | 4"
	data, err := c.Render850(po, o, 7, when, purposeOriginal)
	if err != nil {
		t.Fatal(err)
	}
	if data[3] != '|' || !bytes.Contains(data, []byte("\nGS|PO|")) || bytes.Contains(data, []byte("Unit | 4")) {
		t.Errorf("unexpected:\n%s", data)
	}
	f, err := x12.Parse(data)
	if err != nil || len(f.AllErrors()) > 0 {
		t.Fatalf("parse: %v %v", err, f.AllErrors())
	}
	if f.Interchanges[0].Header.Version != "00501" || f.Interchanges[0].Delimiters.Repetition != '{' {
		t.Errorf("header = %+v delims %v", f.Interchanges[0].Header, f.Interchanges[0].Delimiters)
	}
}

// TestSendPOControlNumbers: a retry rewrites the same file with the same
// number; the next PO takes the next number, also after a restart.
func TestSendPOControlNumbers(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "db")
	outbox := filepath.Join(dir, "outbox")
	st, err := embedded.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	c := newConn(t, partner(), outbox, st)
	po, o := samplePO()
	ctx := context.Background()
	s1, err := c.SendPO(ctx, po, o)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := c.SendPO(ctx, po, o) // a retry
	if err != nil {
		t.Fatal(err)
	}
	if s1.Document != "PO7K3M9QX2AB.850.x12" || s1.Refs[0].ID != "1" || s2.Refs[0].ID != "1" {
		t.Errorf("sends = %+v / %+v", s1, s2)
	}
	files, _ := os.ReadDir(outbox)
	if len(files) != 1 {
		t.Errorf("outbox = %v, want one file", files)
	}
	st.Close()

	st, err = embedded.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	c = newConn(t, partner(), outbox, st)
	po2, _ := samplePO()
	po2.Number = "PO8888888888"
	s3, err := c.SendPO(ctx, po2, o)
	if err != nil {
		t.Fatal(err)
	}
	if s3.Refs[0].ID != "2" {
		t.Errorf("after restart the next control number is %s, want 2", s3.Refs[0].ID)
	}
	b, _ := os.ReadFile(filepath.Join(outbox, "PO8888888888.850.x12"))
	if !strings.Contains(string(b), "*000000002*0*T*") {
		t.Errorf("ISA13 not 2:\n%s", b)
	}
}

func TestConfigCheck(t *testing.T) {
	cfg := &Config{Partner: Partner{Version: "003050", Usage: "X", SenderID: strings.Repeat("A", 16),
		Delimiters: Delimiters{Element: "**", Segment: "A"}, InvalidChars: "drop"}, Transport: transport.Config{Type: "ftp"}}
	got := map[string]bool{}
	for _, p := range cfg.Check() {
		got[p.Path] = true
	}
	for _, want := range []string{"partner.version", "partner.usage", "partner.sender_id", "partner.delimiters.element", "partner.delimiters", "partner.invalid_chars", "transport.type"} {
		if !got[want] {
			t.Errorf("no problem reported at %s (got %v)", want, got)
		}
	}
}

func TestConfigCheckInbound(t *testing.T) {
	no := false
	cases := []struct {
		name string
		mod  func(*Partner)
		path string // "" when valid
	}{
		{"defaults", func(*Partner) {}, ""},
		{"every key", func(p *Partner) {
			p.TrackingRef, p.Carriers, p.DefaultCurrency, p.Ack, p.AckWithin = "MAN*CP, REF*2I", map[string]string{"ABCD": "ontrac"}, "CAD", "none", 4*time.Hour
		}, ""},
		{"999 on 005010", func(p *Partner) { p.Version, p.Ack = "005010", "999" }, ""},
		{"999 on 004010", func(p *Partner) { p.Ack = "999" }, "partner.ack"},
		{"unknown ack", func(p *Partner) { p.Ack = "TA1" }, "partner.ack"},
		{"bad tracking ref", func(p *Partner) { p.TrackingRef = "TD5*CN" }, "partner.tracking_ref"},
		{"bad SCAC", func(p *Partner) { p.Carriers = map[string]string{"ups1": "ups"} }, "partner.carriers.ups1"},
		{"upper-case carrier", func(p *Partner) { p.Carriers = map[string]string{"ABCD": "OnTrac"} }, "partner.carriers.ABCD"},
		{"currency", func(p *Partner) { p.DefaultCurrency = "DOLLARS" }, "partner.default_currency"},
		{"negative window", func(p *Partner) { p.AckWithin = -time.Hour }, "partner.ack_within"},
		{"window without expectation", func(p *Partner) { p.ExpectAck, p.AckWithin = &no, time.Hour }, "partner.ack_within"},
	}
	for _, tc := range cases {
		p := partner()
		tc.mod(&p)
		cfg := &Config{Partner: p, Transport: transport.Config{Type: "directory", Outbox: "x"}}
		var got []string
		for _, pr := range cfg.Check() {
			got = append(got, pr.Path)
		}
		if (tc.path == "" && len(got) != 0) || (tc.path != "" && (len(got) != 1 || got[0] != tc.path)) {
			t.Errorf("%s: problems at %v, want %q", tc.name, got, tc.path)
		}
	}
}
