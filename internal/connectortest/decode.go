package connectortest

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
)

// DecodeHarness is what RunDecode needs of a channel connector.
type DecodeHarness struct {
	// New builds the connector on the rig; its instance name is Instance.
	New func(r *Rig) connector.Connector
	// Samples are payloads with every value they decode to.
	Samples []DecodeSample
	// ConformanceGlob matches this platform's order payloads under
	// $DROPGATE_CONFORMANCE_DIR ("channels/shopify/go-shopify.order*.json"):
	// each match must be a sample's File, so none goes unchecked.
	ConformanceGlob string
	// NoConformance says why the platform has no payloads in the
	// conformance folder, when ConformanceGlob is empty.
	NoConformance string
	// Render writes the platform's payload of a synthetic order, for the
	// cases no sample has: ids beyond 2^53, zero- and three-decimal
	// currencies, amounts more precise than their currency.
	Render func(o Synthetic) (topic string, body []byte)
}

// DecodeSample is a payload and the events it decodes to, whole: every
// field of every order is compared.
type DecodeSample struct {
	Name  string
	File  string // relative to $DROPGATE_CONFORMANCE_DIR; else Body
	Body  []byte
	Topic string
	Want  []connector.ChannelEvent
}

// Synthetic is an order the suite asks the harness to render as the
// platform would send it. Amounts are decimal strings in Currency, as a
// merchant would type them; Subtotal and Total are the sums (no tax, no
// discount).
type Synthetic struct {
	OrderID     string
	OrderNumber string
	Currency    string
	PlacedAt    time.Time
	Email       string
	ShipTo      model.Address
	Lines       []SyntheticLine
	Shipping    string
	Subtotal    string
	Total       string
}

// SyntheticLine is a line of a Synthetic order.
type SyntheticLine struct {
	ID, SKU, Title string
	Quantity       int64
	UnitPrice      string
}

// RunDecode runs the decode suite.
func RunDecode(t *testing.T, h DecodeHarness) { runDecode(std{t}, h) }

func runDecode(t T, h DecodeHarness) {
	t.Helper()
	if h.New == nil || h.Render == nil {
		t.Fatalf("decode harness: New and Render are needed")
	}
	t.Run("samples", func(t T) { decodeSamples(t, h) })
	t.Run("conformance coverage", func(t T) { conformanceCovered(t, h) })
	t.Run("ids beyond 2^53", func(t T) {
		decodeSynthetic(t, h, synthetic("9007199254740993", "USD", "19.99", "4.50", "9007199254740995", "18014398509481985"))
	})
	t.Run("zero-decimal currency", func(t T) { decodeSynthetic(t, h, synthetic("5001", "JPY", "1500", "500", "61", "62")) })
	t.Run("three-decimal currency", func(t T) { decodeSynthetic(t, h, synthetic("5002", "KWD", "12.345", "1.500", "71", "72")) })
	t.Run("more precise than the currency", func(t T) { tooPrecise(t, h) })
	t.Run("malformed payloads", func(t T) { malformed(t, h) })
}

func decoder(t T, h DecodeHarness) connector.EventDecoder {
	t.Helper()
	c := h.New(NewRig(t, store.Limit{}))
	d, ok := connector.As[connector.EventDecoder](c)
	if !ok {
		t.Fatalf("%T does not decode events (EventDecoder)", c)
	}
	return d
}

func decodeSamples(t T, h DecodeHarness) {
	dec := decoder(t, h)
	dir, haveDir := "", false
	for _, s := range h.Samples {
		body := s.Body
		if s.File != "" {
			if dir == "" {
				if dir, haveDir = conformanceDir(t); !haveDir {
					return
				}
			}
			body = readConformance(t, dir, s.File)
		}
		got, err := decode(t, dec, s.Topic, body)
		if err != nil {
			t.Errorf("%s: %v", s.Name, err)
			continue
		}
		for _, d := range diff(s.Want, got) {
			t.Errorf("%s: %s", s.Name, d)
		}
	}
}

// conformanceCovered: every conformance order of the platform is a
// sample.
func conformanceCovered(t T, h DecodeHarness) {
	if h.ConformanceGlob == "" {
		if h.NoConformance == "" {
			t.Fatalf("decode harness: ConformanceGlob is empty; name this platform's order payloads in the conformance folder (or say why there are none in NoConformance)")
		}
		t.Logf("no conformance samples: %s", h.NoConformance)
		return
	}
	dir, ok := conformanceDir(t)
	if !ok {
		return
	}
	files, err := filepath.Glob(filepath.Join(dir, h.ConformanceGlob))
	if err != nil || len(files) == 0 {
		t.Fatalf("no conformance file matches %s (%v)", h.ConformanceGlob, err)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		if !slices.ContainsFunc(h.Samples, func(s DecodeSample) bool { return s.File == filepath.ToSlash(rel) }) {
			t.Errorf("conformance file %s is not a sample: every conformance order must decode with every value checked", rel)
		}
	}
}

// synthetic is a two-line order in currency: unit price p (qty 2 and 1),
// shipping ship.
func synthetic(id, currency, p, ship, line1, line2 string) Synthetic {
	price := money.MustParse(p, currency)
	shipping := money.MustParse(ship, currency)
	sub, _ := price.Mul(3)
	total, _ := sub.Add(shipping)
	return Synthetic{
		OrderID: id, OrderNumber: "#" + id[len(id)-4:], Currency: currency,
		PlacedAt: time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC), Email: "ada@example.com",
		ShipTo: model.Address{Name: "Ada Lovelace", Line1: "12 Analytical Row", City: "Austin", Region: "TX", PostalCode: "78701", Country: "US"},
		Lines: []SyntheticLine{
			{ID: line1, SKU: "MUG-BLK", Title: "Mug", Quantity: 2, UnitPrice: p},
			{ID: line2, SKU: "TEE-WHT-M", Title: "Tee", Quantity: 1, UnitPrice: p},
		},
		Shipping: ship, Subtotal: decimalOf(sub), Total: decimalOf(total),
	}
}

// decimalOf writes m with exactly its currency's decimals ("1.500" KWD).
func decimalOf(m money.Money) string { return m.Decimal().String() }

func decodeSynthetic(t T, h DecodeHarness, s Synthetic) {
	dec := decoder(t, h)
	topic, body := h.Render(s)
	evs, err := decode(t, dec, topic, body)
	if err != nil || len(evs) == 0 || evs[0].Order == nil {
		t.Fatalf("%s order %s: %v, %+v", s.Currency, s.OrderID, err, evs)
	}
	o := evs[0].Order
	m := func(v string) money.Money { return money.MustParse(v, s.Currency) }
	want := model.Order{ID: model.OrderID(Instance, s.OrderID), Channel: Instance, ChannelOrderID: s.OrderID, Currency: s.Currency}
	got := model.Order{ID: o.ID, Channel: o.Channel, ChannelOrderID: o.ChannelOrderID, Currency: o.Currency}
	for _, d := range diff(want, got) {
		t.Errorf("order %s: %s", s.OrderID, d)
	}
	if evs[0].ChannelOrderID != s.OrderID || !o.PlacedAt.Equal(s.PlacedAt) {
		t.Errorf("event for %q placed at %v; want %q at %v", evs[0].ChannelOrderID, o.PlacedAt, s.OrderID, s.PlacedAt)
	}
	totals := map[string][2]money.Money{"subtotal": {m(s.Subtotal), o.Totals.Subtotal}, "shipping": {m(s.Shipping), o.Totals.Shipping}, "total": {m(s.Total), o.Totals.Total}}
	for name, p := range totals {
		if p[0] != p[1] {
			t.Errorf("order %s: %s = %v, want %v (%s has its own decimals)", s.OrderID, name, p[1], p[0], s.Currency)
		}
	}
	if len(o.Lines) != len(s.Lines) {
		t.Fatalf("order %s: %d lines, want %d", s.OrderID, len(o.Lines), len(s.Lines))
	}
	for i, l := range s.Lines {
		g := o.Lines[i]
		if g.ID != l.ID || g.SKU != l.SKU || g.Quantity != l.Quantity || g.UnitPrice != m(l.UnitPrice) {
			t.Errorf("order %s line %d: id %q sku %q qty %d price %v; want %q %q %d %v",
				s.OrderID, i, g.ID, g.SKU, g.Quantity, g.UnitPrice, l.ID, l.SKU, l.Quantity, m(l.UnitPrice))
		}
	}
	if a := o.ShippingAddress; a == nil || a.Line1 != s.ShipTo.Line1 || a.City != s.ShipTo.City || a.PostalCode != s.ShipTo.PostalCode || a.Country != s.ShipTo.Country {
		t.Errorf("order %s: shipping address %+v, want %+v", s.OrderID, a, s.ShipTo)
	}
	if len(o.Holds) != 0 {
		t.Errorf("order %s: a valid order is held: %+v", s.OrderID, o.Holds)
	}
}

// tooPrecise: an amount with more decimals than its currency is never
// rounded into a price: it fails, or the order is held saying so.
func tooPrecise(t T, h DecodeHarness) {
	dec := decoder(t, h)
	for _, c := range []struct{ currency, price, ship string }{{"USD", "1.999", "0"}, {"JPY", "1500.5", "0"}, {"KWD", "1.2345", "0"}} {
		s := synthetic("5003", c.currency, "1", c.ship, "81", "82")
		for i := range s.Lines {
			s.Lines[i].UnitPrice = c.price
		}
		topic, body := h.Render(s)
		evs, err := decode(t, dec, topic, body)
		switch {
		case err != nil:
			if !fault.IsPermanent(err) {
				t.Errorf("%s %s: %v; a payload that cannot be decoded is a permanent error", c.price, c.currency, err)
			}
		case len(evs) == 0 || evs[0].Order == nil:
			t.Errorf("%s %s: no order and no error", c.price, c.currency)
		case len(evs[0].Order.Holds) == 0:
			t.Errorf("%s %s decoded to %v with no hold: the excess precision was rounded away silently",
				c.price, c.currency, evs[0].Order.Lines[0].UnitPrice)
		}
	}
}

// malformed: broken payloads are permanent errors that say where, never
// panics.
func malformed(t T, h DecodeHarness) {
	dec := decoder(t, h)
	s := synthetic("5004", "USD", "10.00", "1.00", "91", "92")
	topic, body := h.Render(s)
	cases := map[string][]byte{
		"empty":       nil,
		"not JSON":    []byte("not json at all"),
		"truncated":   body[:len(body)/2],
		"cut at end":  body[:len(body)-1],
		"a bare list": []byte("[]"),
	}
	for name, b := range cases {
		_, err := decode(t, dec, topic, b)
		if err == nil {
			t.Errorf("%s payload %s decoded without error", name, short(b))
			continue
		}
		if !fault.IsPermanent(err) {
			t.Errorf("%s payload: %v; want a permanent error (retrying cannot fix it)", name, err)
		}
		if msg := err.Error(); !strings.ContainsAny(msg, "$") && !strings.Contains(msg, "line") && !strings.Contains(msg, "offset") {
			t.Errorf("%s payload: %q does not say where (a JSON path, a line or an offset)", name, msg)
		}
	}
}
