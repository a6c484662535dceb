package pricing

import (
	"math"

	"github.com/dropgate/dropgate/core/decimal"
)

// pow10 returns 10^n for the exponents currencies use (0–4).
func pow10(n uint8) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// ceilMinor rounds d up (towards +∞) to exp decimals and returns it in
// minor units; ok is false when it does not fit an int64. Prices are
// rounded up so the markup is never shaved by a fraction of a cent.
func ceilMinor(d decimal.Decimal, exp uint8) (int64, bool) {
	if d.Scale <= exp {
		r, err := d.Rescale(exp)
		return r.Coef, err == nil
	}
	shift := d.Scale - exp
	if shift > 18 {
		// Only digits far below the minor unit: the value rounds to 0 or 1.
		if d.Coef > 0 {
			return 1, true
		}
		return 0, true
	}
	div := int64(1)
	for range shift {
		div *= 10
	}
	q, r := d.Coef/div, d.Coef%div
	if r > 0 {
		q++ // truncation went down; for negatives it already went up
	}
	return q, true
}

// ceilEnding returns the lowest price ≥ p whose fraction of a major unit
// (unit minor units) is one of ends; ok is false on overflow.
func ceilEnding(p int64, ends []int64, unit int64) (int64, bool) {
	base := floorDiv(p, unit) * unit
	best, found := int64(0), false
	for _, e := range ends {
		c := base + e
		if c < p {
			if c > math.MaxInt64-unit {
				continue
			}
			c += unit
		}
		if !found || c < best {
			best, found = c, true
		}
	}
	return best, found
}

// floorEnding returns the highest price ≤ p (and ≥ 0) with one of ends;
// ok is false when there is none.
func floorEnding(p int64, ends []int64, unit int64) (int64, bool) {
	base := floorDiv(p, unit) * unit
	best, found := int64(0), false
	for _, e := range ends {
		c := base + e
		if c > p {
			c -= unit
		}
		if c < 0 {
			continue
		}
		if !found || c > best {
			best, found = c, true
		}
	}
	return best, found
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// fit applies the endings and the MSRP ceiling to p (already at or above
// the floor when there is one). See the package comment, steps 4 and 5.
func fit(p, floor, ceiling int64, hasCeiling bool, ends []int64, unit int64) (int64, bool) {
	up := func(v int64) (int64, bool) {
		if len(ends) == 0 {
			return v, true
		}
		return ceilEnding(v, ends, unit)
	}
	price, ok := up(p)
	if !ok || !hasCeiling || price <= ceiling {
		return price, ok
	}
	if ceiling < floor {
		// MAP above MSRP: the floor is a contract, the ceiling a
		// suggestion. Take the lowest price the floor allows.
		return up(floor)
	}
	if len(ends) > 0 {
		if d, ok := floorEnding(ceiling, ends, unit); ok && d >= floor {
			return d, true
		}
	}
	return ceiling, true
}
