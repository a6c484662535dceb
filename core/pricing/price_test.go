package pricing

import (
	"errors"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/money"
)

func dec(s string) decimal.Decimal   { return decimal.MustParse(s) }
func decp(s string) *decimal.Decimal { d := dec(s); return &d }
func usd(s string) money.Money       { return money.MustParse(s, "USD") }
func usdp(s string) *money.Money     { m := usd(s); return &m }

func TestPrice(t *testing.T) {
	base := Config{Markup: dec("1.8"), Fixed: dec("1.00")}
	tiered := Config{Markup: dec("1.5"), Fixed: dec("1.00"), Tiers: []Tier{
		{UpTo: decp("10.00"), Markup: decp("2.2"), Fixed: decp("1.50")},
		{UpTo: decp("50.00"), Markup: decp("1.8")},
	}}
	at := func(c Config, f func(*Config)) Config { f(&c); return c }
	plain := Config{Markup: dec("1")} // the price is the cost: endings alone
	ending := func(e ...string) Config { return at(plain, func(c *Config) { c.Endings = e }) }
	tests := []struct {
		name   string
		cfg    Config
		in     Input
		want   string // price, or "refused:<code>"
		reason string // part of the refusal's reason
	}{
		{"markup and fixed", base, Input{Cost: usd("10.00")}, "19.00 USD", ""},
		{"fractions of a cent round up", base, Input{Cost: usd("3.33")}, "7.00 USD", ""}, // 6.994
		{"tier: boundary is inclusive", tiered, Input{Cost: usd("10.00")}, "23.50 USD", ""},
		{"tier: first band that matches", tiered, Input{Cost: usd("0.50")}, "2.60 USD", ""},
		{"tier without fixed keeps the top-level one", tiered, Input{Cost: usd("10.01")}, "19.02 USD", ""}, // 18.018 + 1.00
		{"tier: upper boundary", tiered, Input{Cost: usd("50.00")}, "91.00 USD", ""},
		{"above every tier: top level", tiered, Input{Cost: usd("60.00")}, "91.00 USD", ""},
		{"MAP floor beats markup", at(base, func(c *Config) { c.MAPFloor = true }), Input{Cost: usd("10.00"), MAP: usdp("25.00")}, "25.00 USD", ""},
		{"MAP below the markup price changes nothing", at(base, func(c *Config) { c.MAPFloor = true }), Input{Cost: usd("10.00"), MAP: usdp("15.00")}, "19.00 USD", ""},
		{"MAP ignored without map_floor", base, Input{Cost: usd("10.00"), MAP: usdp("25.00")}, "19.00 USD", ""},
		{"MSRP ceiling", at(base, func(c *Config) { c.MSRPCeiling = true }), Input{Cost: usd("10.00"), MSRP: usdp("17.50")}, "17.50 USD", ""},
		{"MSRP above the price changes nothing", at(base, func(c *Config) { c.MSRPCeiling = true }), Input{Cost: usd("10.00"), MSRP: usdp("30.00")}, "19.00 USD", ""},
		{"MSRP ceiling with an ending goes down to the ending", at(base, func(c *Config) { c.MSRPCeiling = true; c.Endings = []string{".99"} }), Input{Cost: usd("10.00"), MSRP: usdp("17.50")}, "16.99 USD", ""},
		{"MSRP ceiling when no ending fits above MAP", at(base, func(c *Config) { c.MSRPCeiling, c.MAPFloor, c.Endings = true, true, []string{".99"} }),
			Input{Cost: usd("10.00"), MAP: usdp("17.20"), MSRP: usdp("17.50")}, "17.50 USD", ""},
		{"MAP above MSRP: the floor wins", at(base, func(c *Config) { c.MSRPCeiling, c.MAPFloor, c.Endings = true, true, []string{".99"} }),
			Input{Cost: usd("10.00"), MAP: usdp("40.00"), MSRP: usdp("35.00")}, "40.99 USD", ""},
		{".99 rounds up", ending(".99"), Input{Cost: usd("12.34")}, "12.99 USD", ""},
		{".99 already there", ending(".99"), Input{Cost: usd("12.99")}, "12.99 USD", ""},
		{".99 from a whole number", ending(".99"), Input{Cost: usd("13.00")}, "13.99 USD", ""},
		{".99 one cent above", ending(".99"), Input{Cost: usd("13.01")}, "13.99 USD", ""},
		{".95 past the ending goes to the next unit", ending(".95"), Input{Cost: usd("12.96")}, "13.95 USD", ""},
		{".95 already there", ending(".95"), Input{Cost: usd("12.95")}, "12.95 USD", ""},
		{"whole rounds up", ending("whole"), Input{Cost: usd("12.01")}, "13.00 USD", ""},
		{"whole already there", ending("whole"), Input{Cost: usd("12.00")}, "12.00 USD", ""},
		{"several endings: the lowest candidate", ending(".95", ".99"), Input{Cost: usd("12.96")}, "12.99 USD", ""},
		{"several endings: the lowest candidate (2)", ending(".95", ".99"), Input{Cost: usd("12.90")}, "12.95 USD", ""},
		{"endings in a three-decimal currency", ending(".99"), Input{Cost: money.MustParse("10.000", "KWD")}, "10.990 KWD", ""},
		{"whole in a zero-decimal currency", at(base, func(c *Config) { c.Endings = []string{"whole"} }), Input{Cost: money.MustParse("1000", "JPY")}, "1801 JPY", ""},
		{"pricing.currency is the channel's", at(base, func(c *Config) { c.Currency = "USD" }), Input{Cost: usd("10.00")}, "19.00 USD", ""},
		{"margin: exactly at the minimum", at(plain, func(c *Config) {
			c.Markup, c.MinMargin = dec("1.2"), MinMargin{Percent: dec("15"), Amount: dec("2.00")}
		}), Input{Cost: usd("10.00")}, "12.00 USD", ""},

		{"margin: below the amount", at(plain, func(c *Config) {
			c.Markup, c.MinMargin = dec("1.1"), MinMargin{Percent: dec("15"), Amount: dec("2.00")}
		}), Input{Cost: usd("10.00")}, "refused:" + RefuseMargin, "price 11.00 USD is below cost 10.00 USD + minimum margin 2.00 USD"},
		{"margin: below the percent", at(plain, func(c *Config) {
			c.Markup, c.MinMargin = dec("1.2"), MinMargin{Percent: dec("25"), Amount: dec("2.00")}
		}), Input{Cost: usd("10.00")}, "refused:" + RefuseMargin, "minimum margin 2.50 USD"},
		{"margin: percent of an odd cost rounds up", at(plain, func(c *Config) {
			c.Markup, c.MinMargin = dec("1.14"), MinMargin{Percent: dec("15")}
		}), Input{Cost: usd("0.99")}, "refused:" + RefuseMargin, "1.13 USD is below cost 0.99 USD + minimum margin 0.15 USD"},
		{"MSRP below cost + margin", at(base, func(c *Config) { c.MSRPCeiling, c.MinMargin = true, MinMargin{Amount: dec("2.00")} }),
			Input{Cost: usd("10.00"), MSRP: usdp("11.00")}, "refused:" + RefuseMargin, "price 11.00 USD"},
		{"never below cost even without min_margin", at(plain, func(c *Config) { c.Markup = dec("0.9") }), Input{Cost: usd("10.00")}, "refused:" + RefuseMargin, ""},
		{"cost in another currency", base, Input{Cost: money.MustParse("10.00", "EUR"), Currency: "USD"}, "refused:" + RefuseCurrency, "no conversion"},
		{"cost not in pricing.currency", at(base, func(c *Config) { c.Currency = "GBP" }), Input{Cost: usd("10.00")}, "refused:" + RefuseCurrency, "GBP"},
		{"MAP in another currency", at(base, func(c *Config) { c.MAPFloor = true }), Input{Cost: usd("10.00"), MAP: &money.Money{Amount: 2000, Currency: "EUR"}}, "refused:" + RefuseCurrency, "MAP"},
		{".99 cannot price JPY", at(base, func(c *Config) { c.Endings = []string{".99"} }), Input{Cost: money.MustParse("1000", "JPY")}, "refused:" + RefuseEnding, "JPY"},
		{"zero cost", base, Input{Cost: usd("0")}, "refused:" + RefuseNoCost, ""},
		{"no currency", base, Input{Cost: money.Money{Amount: 100}}, "refused:" + RefuseNoCost, ""},
		{"overflow", Config{Markup: dec("1000000")}, Input{Cost: money.Money{Amount: 1 << 60, Currency: "USD"}}, "refused:" + RefuseOverflow, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.cfg.Price(tt.in)
			var r *Refusal
			switch {
			case errors.As(err, &r):
				if got := "refused:" + r.Code; got != tt.want {
					t.Fatalf("refused (%s: %s), want %s", r.Code, r.Reason, tt.want)
				}
				if !strings.Contains(r.Reason, tt.reason) {
					t.Errorf("reason %q lacks %q", r.Reason, tt.reason)
				}
			case err != nil:
				t.Fatalf("error %v is not a *Refusal", err)
			case p.String() != tt.want:
				t.Errorf("price = %s, want %s", p, tt.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	good := Config{Markup: dec("1.8"), Fixed: dec("1.00"), Endings: []string{".99", "whole"}, Channels: []string{"shop"},
		Tiers:     []Tier{{UpTo: decp("10"), Markup: decp("2.2")}, {UpTo: decp("50")}, {Markup: decp("1.5")}},
		MinMargin: MinMargin{Percent: dec("15"), Amount: dec("2.00")}}
	if ps := good.Check([]string{"shop"}); len(ps) != 0 {
		t.Fatalf("valid config: %+v", ps)
	}
	bad := Config{Markup: dec("0.5"), Fixed: dec("-1"), Currency: "XXX", Endings: []string{"99", ".99999"}, Channels: []string{"nope"},
		Tiers:     []Tier{{UpTo: decp("50")}, {UpTo: decp("10")}, {Markup: decp("0")}, {UpTo: decp("100")}},
		MinMargin: MinMargin{Percent: dec("-5"), Amount: dec("0.0000001")}}
	want := map[string]bool{ // path → warning
		"markup": true, "fixed": false, "currency": false, "endings[0]": false, "endings[1]": false, "channels[0]": false,
		"tiers[1].up_to": true, "tiers[2].markup": false, "tiers[3]": true, "min_margin.percent": false, "min_margin.amount": false,
	}
	got := map[string]bool{}
	for _, p := range bad.Check([]string{"shop"}) {
		got[p.Path] = p.Warning
	}
	for path, warn := range want {
		if g, ok := got[path]; !ok || g != warn {
			t.Errorf("%s: found %v warning %v, want a finding with warning %v (all: %v)", path, ok, g, warn, got)
		}
	}
	if ps := (Config{}).Check(nil); len(ps) == 0 || ps[0].Path != "markup" {
		t.Errorf("missing markup: %+v", ps)
	}
}

func TestEndingsHelpers(t *testing.T) {
	ends := []int64{95, 99}
	for _, tt := range []struct{ p, up, down int64 }{
		{1234, 1295, 1199}, {1295, 1295, 1295}, {1296, 1299, 1295}, {1299, 1299, 1299}, {1300, 1395, 1299}, {50, 95, -1},
	} {
		up, _ := ceilEnding(tt.p, ends, 100)
		down, ok := floorEnding(tt.p, ends, 100)
		if !ok {
			down = -1
		}
		if up != tt.up || down != tt.down {
			t.Errorf("%d: up %d down %d, want %d and %d", tt.p, up, down, tt.up, tt.down)
		}
	}
}
