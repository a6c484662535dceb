package pricing

import (
	"errors"
	"math/big"
	"testing"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/money"
)

// FuzzPrice: Price never panics, and whenever it returns a price that
// price is at least cost + the minimum margin (checked here with big
// integers, independently of the package's arithmetic), at least MAP with
// map_floor, at most MSRP with msrp_ceiling when MAP allows, and in the
// channel's currency.
//
//	go test -run '^$' -fuzz FuzzPrice ./core/pricing/
func FuzzPrice(f *testing.F) {
	f.Add(int64(1000), int64(18), uint8(1), int64(100), int64(0), int64(0), int64(15), int64(200), uint8(1), uint8(0), uint8(3))
	f.Add(int64(999), int64(22), uint8(1), int64(150), int64(2500), int64(2000), int64(0), int64(0), uint8(7), uint8(1), uint8(3))
	f.Add(int64(1), int64(1), uint8(0), int64(0), int64(0), int64(0), int64(0), int64(0), uint8(0), uint8(2), uint8(0))
	f.Add(int64(1<<62), int64(3), uint8(0), int64(1<<62), int64(-1), int64(1<<62), int64(1000), int64(1<<62), uint8(4), uint8(0), uint8(3))
	f.Fuzz(func(t *testing.T, cost, markup int64, markupScale uint8, fixed, mapAmt, msrpAmt, pct, amount int64, endings, currency, flags uint8) {
		cur := []string{"USD", "JPY", "KWD"}[int(currency)%3]
		exp, _ := money.Exponent(cur)
		c := Config{
			Markup:      decimal.New(markup, markupScale%8),
			Fixed:       decimal.New(fixed, exp),
			MAPFloor:    flags&1 != 0,
			MSRPCeiling: flags&2 != 0,
			MinMargin:   MinMargin{Percent: decimal.New(pct, 1), Amount: decimal.New(amount, exp)},
		}
		for i, e := range []string{".99", ".95", "whole", ".5"} {
			if endings&(1<<i) != 0 {
				c.Endings = append(c.Endings, e)
			}
		}
		in := Input{Cost: money.Money{Amount: cost, Currency: cur}, Currency: cur}
		if mapAmt != 0 {
			in.MAP = &money.Money{Amount: mapAmt, Currency: cur}
		}
		if msrpAmt != 0 {
			in.MSRP = &money.Money{Amount: msrpAmt, Currency: cur}
		}
		p, err := c.Price(in)
		if err != nil {
			var r *Refusal
			if !errors.As(err, &r) || r.Reason == "" {
				t.Fatalf("error %v is not a *Refusal with a reason", err)
			}
			return
		}
		if p.Currency != cur {
			t.Fatalf("price %s not in %s", p, cur)
		}
		// price − cost ≥ amount (at least 0), and (price − cost) × 1000 ≥ cost × pct (pct is tenths of a percent).
		gain := new(big.Int).Sub(big.NewInt(p.Amount), big.NewInt(cost))
		if gain.Cmp(big.NewInt(max(amount, 0))) < 0 {
			t.Fatalf("price %s leaves %s over cost %d, below the amount %d", p, gain, cost, amount)
		}
		if pct > 0 {
			lhs := new(big.Int).Mul(gain, big.NewInt(1000))
			rhs := new(big.Int).Mul(big.NewInt(cost), big.NewInt(pct))
			if lhs.Cmp(rhs) < 0 {
				t.Fatalf("price %s: margin %s on cost %d is below %d/10 %%", p, gain, cost, pct)
			}
		}
		floor := c.MAPFloor && in.MAP != nil && in.MAP.Amount > 0
		if floor && p.Amount < in.MAP.Amount {
			t.Fatalf("price %s below MAP %s", p, in.MAP)
		}
		if c.MSRPCeiling && in.MSRP != nil && in.MSRP.Amount > 0 && (!floor || in.MAP.Amount <= in.MSRP.Amount) && p.Amount > in.MSRP.Amount {
			t.Fatalf("price %s above MSRP %s", p, in.MSRP)
		}
	})
}
