package config

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/decimal"
)

const syncChannel = `
channels:
  - { name: shop, type: testchan, domain: x }
`

// The inventory and pricing blocks of the README decode as written.
func TestSyncBlocks(t *testing.T) {
	cfg, probs := parse(t, syncChannel+`
inventory:
  aggregate: primary
  safety_buffer: 2
  sync_every: 5m
  channels: [shop]
pricing:
  channels: [shop]
  currency: USD
  markup: "1.8"
  fixed: "1.00"
  tiers: [ { up_to: "10.00", markup: "2.2", fixed: "1.50" }, { up_to: "50.00", markup: "1.8" } ]
  map_floor: true
  msrp_ceiling: true
  endings: [".99"]
  min_margin: { percent: "15", amount: "2.00" }
`, nil)
	if len(probs) != 0 {
		t.Fatalf("unexpected problems:\n%s", probs.Error())
	}
	inv := cfg.Inventory
	if inv == nil || inv.Mode() != "primary" || inv.Buffer(0) != 2 || inv.Every() != 5*time.Minute || !slices.Equal(inv.Channels, []string{"shop"}) {
		t.Errorf("inventory = %+v", inv)
	}
	p := cfg.Pricing
	if p == nil || !p.Markup.Equal(decimal.MustParse("1.8")) || !p.Fixed.Equal(decimal.MustParse("1")) || !p.MAPFloor || !p.MSRPCeiling ||
		!slices.Equal(p.Endings, []string{".99"}) || !p.MinMargin.Percent.Equal(decimal.MustParse("15")) || p.Currency != "USD" {
		t.Fatalf("pricing = %+v", p)
	}
	if len(p.Tiers) != 2 || !p.Tiers[0].Fixed.Equal(decimal.MustParse("1.5")) || p.Tiers[1].Fixed != nil || !p.Tiers[1].UpTo.Equal(decimal.MustParse("50")) {
		t.Errorf("tiers = %+v", p.Tiers)
	}
	if cfg, _ := parse(t, syncChannel, nil); cfg.Inventory != nil || cfg.Pricing != nil {
		t.Error("absent blocks must leave the sync off")
	}
}

func TestSyncProblems(t *testing.T) {
	_, probs := parse(t, syncChannel+`
inventory:
  aggregate: average
  safety_buffer: -1
  channels: [shop, nope]
  colour: red
pricing:
  fixed: "-1"
  endings: [".99", "99"]
  tiers: [ { up_to: "50" }, { up_to: "10", markup: "2" } ]
`, nil)
	got := probs.Error()
	for _, want := range []string{
		`test.yaml:6: inventory.aggregate: unknown mode "average" (known: sum, max, primary)`,
		`test.yaml:7: inventory.safety_buffer: must not be negative`,
		`test.yaml:8: inventory.channels[1]: unknown channel "nope" (configured: shop)`,
		`test.yaml:9: inventory.colour: unknown key`,
		`test.yaml:11: pricing.markup: required`,
		`test.yaml:11: pricing.fixed: must not be negative`,
		`test.yaml:12: pricing.endings[1]: "99" is not an ending`,
		`test.yaml:13: pricing.tiers[1].up_to: warning: never applies`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
}
