package inventory

import (
	"math"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/model"
)

func TestAvailable(t *testing.T) {
	a := Supply{Supplier: "a", Stock: 10, Priority: 2}
	b := Supply{Supplier: "b", Stock: 25, Priority: 5}
	c := Supply{Supplier: "c", Stock: 4, Priority: 1}
	empty := Supply{Supplier: "d", Stock: 0, Priority: 0}
	staleC := c
	staleC.Stale = true
	tests := []struct {
		name              string
		mode              string
		supplies          []Supply
		buffer, committed int64
		want              int64
	}{
		{"sum", AggregateSum, []Supply{a, b, c}, 0, 0, 39},
		{"sum is the default for an empty mode", "", []Supply{a, b, c}, 0, 0, 39},
		{"max", AggregateMax, []Supply{a, b, c}, 0, 0, 25},
		{"primary: lowest priority number", AggregatePrimary, []Supply{a, b, c}, 0, 0, 4},
		{"primary skips suppliers without stock", AggregatePrimary, []Supply{a, b, empty}, 0, 0, 10},
		{"primary skips stale suppliers", AggregatePrimary, []Supply{a, b, staleC}, 0, 0, 10},
		{"primary ties broken by name", AggregatePrimary, []Supply{{Supplier: "z", Stock: 7, Priority: 1}, {Supplier: "y", Stock: 3, Priority: 1}}, 0, 0, 3},
		{"primary with no stock anywhere", AggregatePrimary, []Supply{empty}, 0, 0, 0},
		{"no offers", AggregateSum, nil, 2, 0, 0},
		{"buffer", AggregateSum, []Supply{a, b}, 2, 0, 33},
		{"buffer equal to stock", AggregateSum, []Supply{a}, 10, 0, 0},
		{"buffer above stock never goes below zero", AggregateSum, []Supply{a}, 12, 0, 0},
		{"committed", AggregateSum, []Supply{a, b}, 0, 5, 30},
		{"buffer then committed", AggregateMax, []Supply{a, b}, 2, 5, 18},
		{"committed above what is left", AggregateSum, []Supply{a}, 2, 9, 0},
		{"negative buffer and committed count as zero", AggregateSum, []Supply{a}, -3, -4, 10},
		{"stale counts as zero", AggregateSum, []Supply{a, staleC}, 0, 0, 10},
		{"every offer stale", AggregateMax, []Supply{staleC}, 0, 0, 0},
		{"negative stock counts as zero", AggregateSum, []Supply{a, {Supplier: "n", Stock: -7}}, 0, 0, 10},
		{"sum saturates", AggregateSum, []Supply{{Supplier: "x", Stock: math.MaxInt64}, a}, 1, 0, math.MaxInt64 - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Available(tt.mode, tt.supplies, tt.buffer, tt.committed); got != tt.want {
				t.Errorf("Available(%q) = %d, want %d", tt.mode, got, tt.want)
			}
		})
	}
}

func TestPrimary(t *testing.T) {
	p, ok := Primary([]Supply{{Supplier: "b", Stock: 1, Priority: 3}, {Supplier: "a", Stock: 0, Priority: 1}, {Supplier: "c", Stock: 9, Priority: 3}})
	if !ok || p.Supplier != "b" {
		t.Errorf("Primary = %+v, %v; want b (a has no stock, b beats c by name)", p, ok)
	}
	if _, ok := Primary(nil); ok {
		t.Error("Primary(nil) found one")
	}
}

func TestCommitted(t *testing.T) {
	tests := []struct {
		name string
		line model.OrderLine
		want int64
	}{
		{"nothing shipped", model.OrderLine{Quantity: 3}, 3},
		{"part cancelled", model.OrderLine{Quantity: 3, Cancelled: 1}, 2},
		{"part shipped", model.OrderLine{Quantity: 5, Qty: model.Buckets{Shipped: 2}}, 3},
		{"cancelled and shipped", model.OrderLine{Quantity: 5, Cancelled: 1, Qty: model.Buckets{Shipped: 4}}, 0},
		{"over-shipped never negative", model.OrderLine{Quantity: 2, Qty: model.Buckets{Shipped: 3}}, 0},
		{"gift card", model.OrderLine{Quantity: 2, NoShipping: true}, 0},
	}
	for _, tt := range tests {
		if got := Committed(tt.line); got != tt.want {
			t.Errorf("%s: Committed = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestConfig(t *testing.T) {
	neg := int64(-1)
	two := int64(2)
	c := Config{}
	if c.Mode() != AggregateSum || c.Every() != DefaultSyncEvery || c.Buffer(3) != 3 {
		t.Errorf("defaults: mode %q, every %s, buffer %d", c.Mode(), c.Every(), c.Buffer(3))
	}
	if (Config{SafetyBuffer: &two}).Buffer(5) != 2 {
		t.Error("an explicit safety_buffer must win over routing's")
	}
	ps := Config{Aggregate: "avg", SafetyBuffer: &neg, SyncEvery: -1, Channels: []string{"shop", "nope", "shop"}}.Check([]string{"shop"})
	var got []string
	for _, p := range ps {
		got = append(got, p.Path+": "+p.Message)
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{"aggregate: unknown mode \"avg\"", "safety_buffer: must not be negative", "sync_every: must not be negative",
		"channels[1]: unknown channel \"nope\"", "channels[2]: channel \"shop\" is listed twice"} {
		if !strings.Contains(all, want) {
			t.Errorf("Check findings lack %q:\n%s", want, all)
		}
	}
	if ps := (Config{Aggregate: "primary", Channels: []string{"shop"}}).Check([]string{"shop"}); len(ps) != 0 {
		t.Errorf("valid config: %v", ps)
	}
}
