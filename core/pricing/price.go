package pricing

import (
	"cmp"
	"fmt"
	"math"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/money"
)

// Input is what a price is computed from.
type Input struct {
	Cost money.Money
	// MAP and MSRP are the supplier's, in the cost's currency; nil when
	// unknown.
	MAP  *money.Money
	MSRP *money.Money
	// Currency is the channel's selling currency; empty means
	// pricing.currency, and when that is empty too, the cost's.
	Currency string
}

// Refusal codes.
const (
	RefuseNoCost   = "no_cost"    // the cost is missing, zero or negative
	RefuseCurrency = "currency"   // cost, MAP or MSRP not in the channel's currency
	RefuseEnding   = "ending"     // an ending the currency cannot express
	RefuseMargin   = "min_margin" // the price would be below cost + margin
	RefuseOverflow = "overflow"   // beyond int64 minor units
)

// Refusal is why no price is published for a SKU. Price returns it as its
// error; callers find it with errors.As.
type Refusal struct {
	Code   string
	Reason string
}

func (r *Refusal) Error() string { return "pricing: " + r.Reason }

func refuse(code, format string, args ...any) (money.Money, error) {
	return money.Money{}, &Refusal{Code: code, Reason: fmt.Sprintf(format, args...)}
}

// Price computes the selling price of one SKU (see the package comment for
// the steps), or refuses with a *Refusal.
func (c Config) Price(in Input) (money.Money, error) {
	cost := in.Cost
	exp, ok := money.Exponent(cost.Currency)
	if !ok {
		return refuse(RefuseNoCost, "cost %s has no known currency", cost)
	}
	if cost.Amount <= 0 {
		return refuse(RefuseNoCost, "cost %s is not positive", cost)
	}
	cur := cmp.Or(in.Currency, c.Currency, cost.Currency)
	if cur != cost.Currency {
		return refuse(RefuseCurrency, "cost %s is not in the channel's currency %s (no conversion)", cost, cur)
	}
	floor, hasFloor, err := bound(c.MAPFloor, in.MAP, cur, "MAP")
	if err != nil {
		return money.Money{}, err
	}
	ceiling, hasCeiling, err := bound(c.MSRPCeiling, in.MSRP, cur, "MSRP")
	if err != nil {
		return money.Money{}, err
	}
	ends, err := c.minorEndings(exp, cur)
	if err != nil {
		return money.Money{}, err
	}
	markup, fixed := c.band(cost.Decimal())
	raw, err := cost.Decimal().Mul(markup)
	if err == nil {
		raw, err = raw.Add(fixed)
	}
	p, ok := ceilMinor(raw, exp)
	if err != nil || !ok {
		return refuse(RefuseOverflow, "%s × %s + %s is out of range", cost, markup, fixed)
	}
	if hasFloor {
		p = max(p, floor)
	}
	unit := pow10(exp)
	p, ok = fit(p, floor, ceiling, hasCeiling, ends, unit)
	if !ok {
		return refuse(RefuseOverflow, "price of %s is out of range", cost)
	}
	least, margin, ok := c.least(cost, exp)
	if !ok {
		return refuse(RefuseOverflow, "minimum price of %s is out of range", cost)
	}
	if p < least {
		price := money.Money{Amount: p, Currency: cur}
		return refuse(RefuseMargin, "price %s is below cost %s + minimum margin %s", price, cost, money.Money{Amount: margin, Currency: cur})
	}
	return money.Money{Amount: p, Currency: cur}, nil
}

// bound returns a MAP or MSRP in minor units when the rule is on and the
// supplier gave one.
func bound(on bool, m *money.Money, cur, what string) (int64, bool, error) {
	if !on || m == nil || m.Amount <= 0 {
		return 0, false, nil
	}
	if m.Currency != cur {
		_, err := refuse(RefuseCurrency, "%s %s is not in the channel's currency %s", what, m, cur)
		return 0, false, err
	}
	return m.Amount, true, nil
}

// minorEndings converts the configured endings into minor units of a
// currency with exponent exp.
func (c Config) minorEndings(exp uint8, cur string) ([]int64, error) {
	var out []int64
	for _, s := range c.Endings {
		d, err := parseEnding(s)
		if err != nil {
			_, rerr := refuse(RefuseEnding, "%v", err)
			return nil, rerr
		}
		m, err := money.FromDecimal(d, cur, exp)
		if err != nil {
			_, rerr := refuse(RefuseEnding, "ending %s has more decimals than %s allows", s, cur)
			return nil, rerr
		}
		out = append(out, m.Amount)
	}
	return out, nil
}

// least is the lowest price the margin guard lets through, and the margin
// in it: cost + max(ceil(cost × percent / 100), ceil(amount)).
func (c Config) least(cost money.Money, exp uint8) (least, margin int64, ok bool) {
	pct, err := cost.Decimal().Mul(c.MinMargin.Percent)
	if err == nil {
		pct, err = pct.Mul(decimal.New(1, 2))
	}
	if err != nil {
		return 0, 0, false
	}
	byPct, ok1 := ceilMinor(pct, exp)
	byAmt, ok2 := ceilMinor(c.MinMargin.Amount, exp)
	margin = max(byPct, byAmt, 0)
	if !ok1 || !ok2 || cost.Amount > math.MaxInt64-margin {
		return 0, 0, false
	}
	return cost.Amount + margin, margin, true
}
