package edifact

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/edifact"
	"github.com/dropgate/dropgate/internal/transport"
)

var update = flag.Bool("update", false, "rewrite golden files")

var when = time.Date(2026, 11, 21, 14, 5, 0, 0, time.UTC)

// The parties of the tests: we are ourGLN, the supplier is theirGLN.
const (
	ourGLN   = "5412345000013"
	theirGLN = "8798765432106"
)

func ptr[T any](v T) *T { return &v }

// partner is a valid test profile: us to them, GLNs, EANCOM ORDERS.
func partner() Partner {
	return Partner{
		Sender:      Party{ID: ourGLN, Qualifier: "14"},
		Recipient:   Party{ID: theirGLN, Qualifier: "14"},
		Association: "EAN008",
		Test:        ptr(true),
	}
}

// counterStore is the part of a store the connector uses: counters with
// once keys, in memory. Any other method panics (nil embedded interface),
// which would reveal an unexpected dependency.
type counterStore struct {
	store.Store
	mu   sync.Mutex
	next map[string]int64
	once map[string]int64
}

func newCounterStore() *counterStore {
	return &counterStore{next: map[string]int64{}, once: map[string]int64{}}
}

func (s *counterStore) NextCounter(_ context.Context, name, once string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.once[name+"\x00"+once]; ok && once != "" {
		return v, nil
	}
	s.next[name]++
	v := s.next[name]
	if once != "" {
		s.once[name+"\x00"+once] = v
	}
	return v, nil
}

// rig is a connector on a temporary outbox and inbox.
type rig struct {
	c      *Connector
	outbox string
	inbox  string
}

// newRig returns a connector with partner() modified by mod, on st (an
// in-memory counter store when nil).
func newRig(t testing.TB, mod func(*Partner), st store.Store) *rig {
	t.Helper()
	p := partner()
	if mod != nil {
		mod(&p)
	}
	dir := t.TempDir()
	r := &rig{outbox: filepath.Join(dir, "outbox"), inbox: filepath.Join(dir, "inbox")}
	cfg := &Config{Partner: p, Transport: transport.Config{Type: "directory", Outbox: r.outbox, Inbox: r.inbox}}
	if ps := cfg.Check(); len(ps) > 0 {
		t.Fatalf("config problems: %v", ps)
	}
	if st == nil {
		st = newCounterStore()
	}
	c, err := New(connector.Env{Name: "acme", Clock: clock.NewFake(when), Counters: st}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.c = c
	return r
}

// msg is one synthetic inbound message: its type and body segments,
// written with the default delimiters and without terminators.
type msg struct {
	typ  string
	body []string
}

// envelope options of a synthetic inbound interchange.
type env struct {
	ref       string // UNB 0020
	from, to  string // sender and recipient ids (default: them to us)
	una       string // a UNA to write first, with its delimiters used below as written
	test      bool
	ackReq    bool
	syntax    string
	badCounts bool // write a wrong UNT count in every message
}

// inbound writes an interchange from the supplier to us holding msgs,
// with correct counts unless e.badCounts. Segments are written as given:
// escapes and delimiters are the caller's.
func inbound(e env, msgs ...msg) []byte {
	if e.from == "" {
		e.from = theirGLN
	}
	if e.to == "" {
		e.to = ourGLN
	}
	if e.syntax == "" {
		e.syntax = "UNOC:3"
	}
	var b strings.Builder
	b.WriteString(e.una)
	unb := fmt.Sprintf("UNB+%s+%s:14+%s:14+261121:1405+%s", e.syntax, e.from, e.to, e.ref)
	switch {
	case e.test && e.ackReq:
		unb += "++++1++1"
	case e.test:
		unb += "++++++1"
	case e.ackReq:
		unb += "++++1"
	}
	b.WriteString(unb + "'\n")
	for i, m := range msgs {
		ref := fmt.Sprint(i + 1)
		b.WriteString(fmt.Sprintf("UNH+%s+%s:D:96A:UN:EAN008'\n", ref, m.typ))
		for _, s := range m.body {
			b.WriteString(s + "'\n")
		}
		n := len(m.body) + 2
		if e.badCounts {
			n++
		}
		b.WriteString(fmt.Sprintf("UNT+%d+%s'\n", n, ref))
	}
	b.WriteString(fmt.Sprintf("UNZ+%d+%s'\n", len(msgs), e.ref))
	return []byte(b.String())
}

// parse runs ParseDocuments and fails the test on a file-level error.
func parse(t testing.TB, c *Connector, name string, data []byte) *connector.Parsed {
	t.Helper()
	got, err := c.ParseDocuments(context.Background(), name, data)
	if err != nil {
		t.Fatalf("ParseDocuments(%s): %v", name, err)
	}
	return got
}

// oneDoc parses data and returns its only document, failing on anything
// rejected.
func oneDoc(t testing.TB, c *Connector, data []byte) connector.InboundDoc {
	t.Helper()
	got := parse(t, c, "in.edi", data)
	if len(got.Rejected) > 0 {
		t.Fatalf("rejected: %+v\n%s", got.Rejected, data)
	}
	if len(got.Docs) != 1 {
		t.Fatalf("%d documents, want 1", len(got.Docs))
	}
	return got.Docs[0]
}

// contrlOf parses the single reply of got as a CONTRL report.
func contrlOf(t testing.TB, got *connector.Parsed) (*edifact.Interchange, *edifact.ContrlReport) {
	t.Helper()
	if len(got.Replies) != 1 {
		t.Fatalf("%d replies, want 1", len(got.Replies))
	}
	ics, err := edifact.Parse(got.Replies[0].Data)
	if err != nil {
		t.Fatalf("reply does not read back cleanly: %v\n%s", err, got.Replies[0].Data)
	}
	rep, err := edifact.ReadContrl(ics[0].AllMessages()[0])
	if err != nil {
		t.Fatal(err)
	}
	return ics[0], rep
}

func eur(s string) money.Money { return money.MustParse(s, "EUR") }

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// samplePO is a drop-ship PO with data that needs escaping and Latin-1.
func samplePO() (*model.PurchaseOrder, *model.Order) {
	po := &model.PurchaseOrder{
		Number: "PO7K3M9QX2AB", OrderID: "ord_x", Supplier: "acme", Currency: "EUR", Created: when, ShippingMethod: "Express 24h",
		ShipTo: model.Address{Name: "Jürgen Müller-Lüdenscheidt", Company: "Müller's Bäckerei + Café: 100% ?", Line1: "Königstraße 12'3", Line2: "Hinterhaus",
			City: "Düsseldorf", Region: "NW", PostalCode: "40213", Country: "DE", Phone: "+49 211 555 0134", Email: "jm@example.de"},
		Lines: []model.POLine{
			{LineNo: 1, SKU: "MUG-BLK-11", SupplierSKU: "ACM:MUG+11?BK", GTIN: "4006381333931", Description: "Keramikbecher schwarz 11oz, spülmaschinenfest und mikrowellengeeignet", Quantity: 2, UnitCost: eur("4.20")},
			{LineNo: 2, SKU: "TEE-WHT-M", SupplierSKU: "ACM-TEE-M-WH", Description: "T-Shirt 'Logo'", Quantity: 1, UnitCost: eur("7.80")},
		},
	}
	return po, &model.Order{ChannelOrderNumber: "#1042"}
}
