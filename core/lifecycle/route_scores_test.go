package lifecycle

import (
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
)

type offersOf map[string][]routing.Offer

func (o offersOf) Offers(sku string) []routing.Offer { return o[sku] }

type measuredScores map[string]routing.Measured

func (m measuredScores) Measured(s string) (routing.Measured, bool) {
	v, ok := m[s]
	return v, ok
}

// The routing decision's timeline entry keeps the scores it used and what
// they were made of: a measured score changes later, the record must not.
func TestRoutingDecidedRecordsScores(t *testing.T) {
	usd := money.MustParse("5.00", "USD")
	n := 20
	r := &routing.Router{
		Config:    routing.Config{Strategy: routing.StrategyScore, Score: &routing.ScoreConfig{MinSamples: &n}},
		Suppliers: map[string]routing.SupplierProfile{"x": {Score: 90}, "y": {Score: 50}},
		Catalog:   offersOf{"MUG": {{Supplier: "x", SKU: "MUG", SupplierSKU: "X-MUG", Cost: usd, Stock: 9}, {Supplier: "y", SKU: "MUG", SupplierSKU: "Y-MUG", Cost: usd, Stock: 9}}},
		Scores: measuredScores{"y": {Score: 97, Samples: 40, Window: "30d",
			Inputs: []routing.ScoreInput{{Name: routing.InputOnTime, Value: 0.97, Weight: 1, Num: 39, Den: 40}}}},
	}
	a := &model.Aggregate{Order: model.Order{ID: "o9", Channel: "shop", Currency: "USD",
		ShippingAddress: &model.Address{Country: "US"}, Lines: []model.OrderLine{{ID: "L1", SKU: "MUG", Quantity: 1}}}}
	Route(a, r, false, step(0))
	if len(a.POs) != 1 || a.POs[0].Supplier != "y" {
		t.Fatalf("POs %+v: want one to y, whose measured 97 beats x's prior 90", a.POs)
	}
	var decided *model.TimelineEntry
	for i := range a.Timeline {
		if a.Timeline[i].Event == "routing.decided" {
			decided = &a.Timeline[i]
		}
	}
	if decided == nil {
		t.Fatal("no routing.decided entry")
	}
	if got := decided.Data["score.y"]; !strings.Contains(got, "97 measured over 30d from 40 POs (prior 50): on_time 0.97×1 (39/40)") {
		t.Errorf("score.y = %q", got)
	}
	if got := decided.Data["score.x"]; got != "90 prior (no measured score yet)" {
		t.Errorf("score.x = %q", got)
	}
	if !strings.Contains(decided.Message, "scores: x: 90 prior") {
		t.Errorf("message %q does not list the scores", decided.Message)
	}
}
