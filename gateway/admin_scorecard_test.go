package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
)

// scorecardOrder is an order whose two POs to acme went out two days
// before now: the first accepted in an hour, the second rejected in three.
func scorecardOrder(now time.Time) *model.Aggregate {
	sent := now.Add(-48 * time.Hour)
	ack1, ack2 := sent.Add(time.Hour), sent.Add(3*time.Hour)
	a := &model.Aggregate{
		Order: model.Order{ID: "ord_sc", Channel: "shop", ChannelOrderID: "1001", Lines: []model.OrderLine{{ID: "l1", SKU: "MUG", Quantity: 2}, {ID: "l2", SKU: "MUG", Quantity: 1}}},
		POs: []model.PurchaseOrder{
			{Number: "PO1", OrderID: "ord_sc", Supplier: "acme", Status: model.POAcknowledged, SentAt: &sent, AcknowledgedAt: &ack1,
				Lines: []model.POLine{{LineNo: 1, OrderLineID: "l1", SKU: "MUG", Quantity: 2, Acknowledged: 2}}},
			{Number: "PO2", OrderID: "ord_sc", Supplier: "acme", Status: model.PORejected, SentAt: &sent, AcknowledgedAt: &ack2,
				Lines: []model.POLine{{LineNo: 1, OrderLineID: "l2", SKU: "MUG", Quantity: 1, Rejected: 1}}},
		},
		Created: sent.Add(-time.Minute),
	}
	a.Log(model.TimelineEntry{At: ack1, Entity: "po:PO1", Event: "po.acknowledged"})
	a.Log(model.TimelineEntry{At: ack2, Entity: "po:PO2", Event: "po.rejected"})
	return a
}

func TestAdminScorecard(t *testing.T) {
	r := newAdminRig(t, 0)
	if err := r.app.Deps.Orders.Create(context.Background(), scorecardOrder(r.app.Clock.Now())); err != nil {
		t.Fatal(err)
	}
	get := func(path string, out any) int { return r.do(t, http.MethodGet, path, nil, out) }
	type metric struct {
		Value *float64 `json:"value"`
		Num   int64    `json:"numerator"`
		Den   int64    `json:"denominator"`
	}
	var card struct {
		Supplier string `json:"supplier"`
		Windows  []struct {
			Label   string            `json:"label"`
			POs     int               `json:"purchase_orders"`
			Metrics map[string]metric `json:"metrics"`
		} `json:"windows"`
		Weekly  []json.RawMessage `json:"weekly"`
		Routing struct {
			Source string `json:"source"`
		} `json:"routing_score"`
	}
	if code := get("/api/v1/suppliers/acme/scorecard", &card); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	if card.Supplier != "acme" || len(card.Windows) != 3 || len(card.Weekly) != 13 || card.Routing.Source != "prior" {
		t.Fatalf("card = %+v", card)
	}
	for _, w := range card.Windows {
		m := w.Metrics
		if w.POs != 2 || m["fill_rate"].Num != 1 || m["fill_rate"].Den != 2 || *m["fill_rate"].Value != 0.5 {
			t.Errorf("%s: POs %d, fill_rate %+v; want 2 POs, 1/2", w.Label, w.POs, m["fill_rate"])
		}
		if a := m["ack_latency"]; a.Num != 4*3600 || a.Den != 2 || *a.Value != 7200 {
			t.Errorf("%s: ack_latency %+v, want 14400 s over 2 (7200)", w.Label, a)
		}
		if v := m["invoice_accuracy"]; v.Den != 0 || v.Value != nil {
			t.Errorf("%s: invoice_accuracy %+v without invoices, want null 0/0", w.Label, v)
		}
	}
	var e map[string]any
	if code := get("/api/v1/suppliers/nobody/scorecard", &e); code != http.StatusNotFound {
		t.Errorf("unknown supplier: status %d (%v), want 404", code, e)
	}
}
