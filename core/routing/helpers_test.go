package routing

import (
	"slices"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

func usd(s string) money.Money { return money.MustParse(s, "USD") }

func dec(s string) *decimal.Decimal {
	d := decimal.MustParse(s)
	return &d
}

func boolp(b bool) *bool { return &b }

func int64p(n int64) *int64 { return &n }

func intp(n int) *int { return &n }

// shipFee is a supplier whose only fee is a shipping estimate.
func shipFee(s string) Fees { return Fees{ShippingEstimate: decimal.MustParse(s)} }

// packOffer is an offer with a pack size and a minimum.
func packOffer(sup, sku, cost string, stock, pack, moq int64) Offer {
	o := offer(sup, sku, cost, stock)
	o.PackSize, o.MinQty = pack, moq
	return o
}

// line is a request line of qty units of sku, with id = sku.
func line(sku string, qty int64, tags ...string) Line {
	return Line{ID: sku, SKU: sku, Qty: qty, Tags: tags}
}

// usOrder is an order to the US with a subtotal.
func usOrder(subtotal string) *model.Order {
	o := order("US")
	o.Totals.Subtotal = usd(subtotal)
	return o
}

// winners maps each routed line (a split part as "id k/n") to its
// supplier; unroutable lines map to "".
func winners(res Result) map[string]string {
	out := map[string]string{}
	for _, l := range res.Lines {
		id := l.LineID
		if l.Part != "" {
			id += " " + l.Part
		}
		out[id] = ""
		if l.Winner != nil {
			out[id] = l.Winner.Supplier
		}
	}
	return out
}

// shipped lists the suppliers of the result's shipments, sorted.
func shipped(res Result) []string {
	var out []string
	for _, s := range res.Shipments {
		out = append(out, s.Supplier)
	}
	slices.Sort(out)
	return out
}

func candidate(t *testing.T, l LineResult, supplier string) Candidate {
	t.Helper()
	for _, c := range l.Candidates {
		if c.Offer.Supplier == supplier {
			return c
		}
	}
	t.Fatalf("line %s: no candidate %s", l.LineID, supplier)
	return Candidate{}
}

func wantContains(t *testing.T, what, got string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(got, p) {
			t.Errorf("%s = %q\n  want it to contain %q", what, got, p)
		}
	}
}

func wantWinners(t *testing.T, res Result, want map[string]string) {
	t.Helper()
	got := winners(res)
	if len(got) != len(want) {
		t.Errorf("routed lines = %v, want %v", got, want)
	}
	for id, sup := range want {
		if got[id] != sup {
			t.Errorf("line %s → %q, want %q (why: %s)", id, got[id], sup, why(res, id))
		}
	}
}

func why(res Result, id string) string {
	for _, l := range res.Lines {
		if l.LineID == id || l.LineID+" "+l.Part == id {
			return l.Why
		}
	}
	return ""
}

func mustEUR(s string) money.Money { return money.MustParse(s, "EUR") }
