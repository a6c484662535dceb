package edifact

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/edifact"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", file)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s:\n%s", path, got)
	}
}

func TestRenderOrdersGolden(t *testing.T) {
	r := newRig(t, func(p *Partner) { p.UNA = true; p.BuyerGLN = "4012345000009"; p.SupplierGLN = theirGLN }, nil)
	po, o := samplePO()
	got, err := r.c.RenderOrders(po, o, "905", when, functionOriginal)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "orders.golden.edi", got)
	cancel, err := r.c.RenderOrders(po, o, "906", when, functionCancel)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "orders_cancel.golden.edi", cancel)
}

// TestRenderOrdersReadsBack checks the envelope, counts, escapes and the
// segments a partner's translator looks at, with the EDIFACT reader.
func TestRenderOrdersReadsBack(t *testing.T) {
	r := newRig(t, nil, nil)
	po, o := samplePO()
	data, err := r.c.RenderOrders(po, o, "905", when, functionOriginal)
	if err != nil {
		t.Fatal(err)
	}
	ics, err := edifact.Parse(data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	ic := ics[0]
	h := ic.Header
	if h.Syntax != "UNOC" || h.SyntaxVersion != "3" || h.Sender.ID != ourGLN || h.Sender.Qualifier != "14" ||
		h.Recipient.ID != theirGLN || h.ControlRef != "905" || h.Date != "261121" || h.Time != "1405" || h.AckRequest != "1" || h.Test != "1" {
		t.Errorf("UNB = %+v", h)
	}
	if ic.UNA {
		t.Error("UNA written with default delimiters and una: false")
	}
	m := ic.Messages[0]
	if id := m.Header.Identifier(); id != "ORDERS:D:96A:UN:EAN008" || m.Header.Ref != "1" {
		t.Errorf("UNH = %s %s", m.Header.Ref, id)
	}
	if m.SegmentCount != 25 || m.Trailer.Value(0) != "25" {
		t.Errorf("segments = %d, UNT01 = %s", m.SegmentCount, m.Trailer.Value(0))
	}
	if bgm := m.First("BGM"); bgm.Component(0, 0) != "220" || bgm.Value(1) != "PO7K3M9QX2AB" || bgm.Value(2) != "9" {
		t.Errorf("BGM = %s", bgm)
	}
	if dtm := m.First("DTM"); dtm.Component(0, 0) != "137" || dtm.Component(0, 1) != "20261121" || dtm.Component(0, 2) != "102" {
		t.Errorf("DTM = %s", dtm)
	}
	if rff := m.First("RFF"); rff.Component(0, 0) != "CO" || rff.Component(0, 1) != "#1042" {
		t.Errorf("RFF = %s", rff)
	}
	nad := m.First("NAD")
	if nad.Value(0) != "ST" || nad.Component(3, 0) != "Jürgen Müller-Lüdenscheidt" || nad.Component(3, 1) != "Müller's Bäckerei + Café: 100% ?" ||
		nad.Component(4, 0) != "Königstraße 12'3" || nad.Value(5) != "Düsseldorf" || nad.Value(6) != "NW" || nad.Value(7) != "40213" || nad.Value(8) != "DE" {
		t.Errorf("NAD = %#v", nad.Elements)
	}
	if cux := m.First("CUX"); cux.Component(0, 0) != "2" || cux.Component(0, 1) != "EUR" || cux.Component(0, 2) != "9" {
		t.Errorf("CUX = %s", cux)
	}
	lin := m.Find("LIN")
	if len(lin) != 2 || lin[0].Value(0) != "1" || lin[0].Component(2, 0) != "4006381333931" || lin[0].Component(2, 1) != "EN" || len(lin[1].Elements) != 1 {
		t.Errorf("LIN = %v", lin)
	}
	pia := m.Find("PIA")
	if pia[0].Value(0) != "5" || pia[0].Component(1, 0) != "ACM:MUG+11?BK" || pia[0].Component(1, 1) != "SA" || pia[1].Value(0) != "1" || pia[1].Component(1, 0) != "MUG-BLK-11" || pia[1].Component(1, 1) != "IN" {
		t.Errorf("PIA = %v", pia)
	}
	if imd := m.First("IMD"); imd.Component(2, 3) != "Keramikbecher schwarz 11oz," || imd.Component(2, 4) != "spülmaschinenfest und mikrowellenge" {
		t.Errorf("IMD = %#v", imd.Elements)
	}
	if qty := m.Find("QTY"); qty[0].Component(0, 0) != "21" || qty[0].Component(0, 1) != "2" || qty[1].Component(0, 1) != "1" {
		t.Errorf("QTY = %v", qty)
	}
	if pri := m.Find("PRI"); pri[0].Component(0, 0) != "AAA" || pri[0].Component(0, 1) != "4.20" || pri[1].Component(0, 1) != "7.80" {
		t.Errorf("PRI = %v", pri)
	}
	if cnt := m.First("CNT"); cnt.Component(0, 0) != "2" || cnt.Component(0, 1) != "2" {
		t.Errorf("CNT = %s", cnt)
	}
	// The raw bytes: delimiters in data are released, Latin-1 is one byte.
	for _, want := range []string{"ACM?:MUG?+11??BK", strings.ReplaceAll("Müller?'s", "ü", "\xfc"), "12?'3", "100% ??"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("output lacks %q:\n%s", want, data)
		}
	}
}

// TestOrdersRoundTrip: canonical PO → ORDERS → ReadOrders → the same PO.
func TestOrdersRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*Partner)
	}{
		{"UNOC defaults", nil},
		{"UNOW syntax 4, UNA", func(p *Partner) { p.Syntax, p.SyntaxVersion, p.UNA = "UNOW", 4, true }},
		{"decimal comma, other delimiters", func(p *Partner) {
			p.Delimiters = Delimiters{Component: "|", Element: "*", Decimal: ",", Release: "!", Segment: "~"}
		}},
		{"no line breaks", func(p *Partner) { p.Newline = ptr(false) }},
		{"line feed as terminator", func(p *Partner) { p.Delimiters = Delimiters{Segment: "\n"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, tc.mod, nil)
			po, o := samplePO()
			po.ShipTo.Line2 += " | * ! ~" // the delimiters of the third case, inside data
			data, err := r.c.RenderOrders(po, o, "77", when, functionOriginal)
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.c.ReadOrders(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || len(got[0].Errors) > 0 {
				t.Fatalf("read back: %+v\n%s", got, data)
			}
			om := got[0]
			if om.DocumentName != "220" || om.Function != "9" || om.ID != "edifact:"+ourGLN+":77:1" {
				t.Errorf("BGM = %s/%s, ID %s", om.DocumentName, om.Function, om.ID)
			}
			back := om.PO
			if back.Number != po.Number || back.Currency != "EUR" || !back.Created.Equal(date(2026, 11, 21)) ||
				back.OrderNumber != "#1042" || back.ShippingMethod != po.ShippingMethod {
				t.Errorf("header = %+v", back)
			}
			if back.ShipTo != po.ShipTo {
				t.Errorf("ship-to\n got %+v\nwant %+v", back.ShipTo, po.ShipTo)
			}
			want := po.Lines
			// IMD holds two components of 35 characters: split at a space,
			// the rest cut.
			want[0].Description = "Keramikbecher schwarz 11oz, spülmaschinenfest und mikrowellenge"
			if !reflect.DeepEqual(back.Lines, want) {
				t.Errorf("lines\n got %+v\nwant %+v", back.Lines, want)
			}
		})
	}
}

// TestCharsetPolicy: a character UNOC cannot carry fails the send, naming
// the segment, or is transliterated.
func TestCharsetPolicy(t *testing.T) {
	po, o := samplePO()
	po.ShipTo.City = "Łódź"
	r := newRig(t, nil, nil)
	_, err := r.c.RenderOrders(po, o, "1", when, functionOriginal)
	if err == nil || !fault.IsPermanent(err) || !strings.Contains(err.Error(), "NAD element 6") || !strings.Contains(err.Error(), "UNOC") {
		t.Fatalf("want a permanent error naming NAD element 6, got %v", err)
	}
	r = newRig(t, func(p *Partner) { p.CharsetPolicy = "transliterate" }, nil)
	data, err := r.c.RenderOrders(po, o, "1", when, functionOriginal)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := r.c.ReadOrders(data)
	if c := got[0].PO.ShipTo.City; c != "Lódz" { // ó is Latin-1; Ł and ź are not
		t.Errorf("city = %q, want Lódz", c)
	}
	// Under UNOA (upper case only) every letter is transliterated.
	r = newRig(t, func(p *Partner) { p.Syntax, p.CharsetPolicy = "UNOA", "transliterate" }, nil)
	data, err = r.c.RenderOrders(po, o, "1", when, functionOriginal)
	if err != nil {
		t.Fatal(err)
	}
	got, _ = r.c.ReadOrders(data)
	if n := got[0].PO.ShipTo.Name; n != "JURGEN MULLER-LUDENSCHEIDT" {
		t.Errorf("UNOA name = %q", n)
	}
}

func TestIdentifierTooLong(t *testing.T) {
	r := newRig(t, nil, nil)
	po, o := samplePO()
	po.Lines[1].SKU = strings.Repeat("X", 36)
	_, err := r.c.RenderOrders(po, o, "1", when, functionOriginal)
	if err == nil || !fault.IsPermanent(err) || !strings.Contains(err.Error(), "buyer's item number") {
		t.Fatalf("want a permanent error about the SKU, got %v", err)
	}
}

func TestLongAddressIsCut(t *testing.T) {
	r := newRig(t, nil, nil)
	po, o := samplePO()
	po.ShipTo.Line1 = strings.Repeat("ä", 40)
	po.ShipTo.PostalCode = "1234567890"
	data, err := r.c.RenderOrders(po, o, "1", when, functionOriginal)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := r.c.ReadOrders(data)
	if a := got[0].PO.ShipTo; a.Line1 != strings.Repeat("ä", 35) || a.PostalCode != "123456789" {
		t.Errorf("ship-to = %+v", a)
	}
}

// TestSendAndCancel: SendPO and CancelPO put files named after the PO,
// the cancellation with BGM function 1 under its own control reference,
// and retries reuse their references.
func TestSendAndCancel(t *testing.T) {
	r := newRig(t, nil, nil)
	ctx := context.Background()
	po, o := samplePO()
	sent, err := r.c.SendPO(ctx, po, o)
	if err != nil {
		t.Fatal(err)
	}
	if sent.Document != "PO7K3M9QX2AB.orders.edi" || len(sent.Refs) != 1 || sent.Refs[0] != (model.Ref{System: RefInterchange, ID: "1"}) {
		t.Errorf("sent = %+v", sent)
	}
	again, err := r.c.SendPO(ctx, po, o)
	if err != nil || again.Refs[0].ID != "1" {
		t.Errorf("retry = %+v, %v", again, err)
	}
	cancel, err := r.c.CancelPO(ctx, po, o)
	if err != nil {
		t.Fatal(err)
	}
	if cancel.Document != "PO7K3M9QX2AB.cancel.orders.edi" || cancel.Refs[0].ID != "2" {
		t.Errorf("cancel = %+v", cancel)
	}
	data, err := os.ReadFile(filepath.Join(r.outbox, cancel.Document))
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.c.ReadOrders(data)
	if err != nil || len(got) != 1 {
		t.Fatalf("%v %v", got, err)
	}
	if got[0].Function != "1" || got[0].PO.Number != "PO7K3M9QX2AB" || len(got[0].PO.Lines) != 2 {
		t.Errorf("cancellation = %+v", got[0])
	}
	ics, _ := edifact.Parse(data)
	if ics[0].Header.ControlRef != "2" {
		t.Errorf("cancellation UNB 0020 = %s", ics[0].Header.ControlRef)
	}
}

// TestControlRefsPersist: control references survive a restart of the
// embedded store, and a retry after it reuses the PO's reference.
func TestControlRefsPersist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dropgate.db")
	st, err := embedded.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	po, o := samplePO()
	r := newRig(t, nil, st)
	first, err := r.c.SendPO(ctx, po, o)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = embedded.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r = newRig(t, nil, st)
	retry, err := r.c.SendPO(ctx, po, o)
	if err != nil {
		t.Fatal(err)
	}
	po2, _ := samplePO()
	po2.Number = "PO2NDORDER01"
	second, err := r.c.SendPO(ctx, po2, o)
	if err != nil {
		t.Fatal(err)
	}
	cancel, err := r.c.CancelPO(ctx, po, o)
	if err != nil {
		t.Fatal(err)
	}
	if first.Refs[0].ID != "1" || retry.Refs[0].ID != "1" || second.Refs[0].ID != "2" || cancel.Refs[0].ID != "3" {
		t.Errorf("refs = %s %s %s %s, want 1 1 2 3", first.Refs[0].ID, retry.Refs[0].ID, second.Refs[0].ID, cancel.Refs[0].ID)
	}
}

func TestReadOrdersErrors(t *testing.T) {
	r := newRig(t, nil, nil)
	if _, err := r.c.ReadOrders([]byte("hello")); err == nil || !fault.IsPermanent(err) || !errors.Is(err, edifact.ErrNotEDIFACT) {
		t.Errorf("not EDIFACT: %v", err)
	}
	data := inbound(env{ref: "5"}, msg{"ORDERS", []string{"BGM+220+PO1+9", "DTM+137:20261321:102", "LIN+1++4006381333931:EN", "QTY+21:1.5", "UNS+S", "CNT+2:3"}})
	got, err := r.c.ReadOrders(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"segment 3 (DTM) element 1 component 2", "segment 5 (QTY) element 1 component 2: QTY01-2 1.5 is not a whole number", "segment 7 (CNT) element 1 component 2: CNT01-2 says 3 line items but the message has 1"}
	if len(got[0].Errors) != len(want) {
		t.Fatalf("errors = %q", got[0].Errors)
	}
	for i, w := range want {
		if !strings.Contains(got[0].Errors[i], w) {
			t.Errorf("error %d = %q, want it to contain %q", i, got[0].Errors[i], w)
		}
	}
}
