package margin

import (
	"fmt"
	"math/big"

	"github.com/dropgate/dropgate/core/money"
)

// Percent is m as a percentage of of, with two decimals rounded half
// away from zero ("31.50"); "" when of is zero or in another currency.
// Integer arithmetic throughout: basis points, then a decimal point.
func Percent(m, of money.Money) string {
	if of.Amount == 0 || (m.Currency != of.Currency && m.Amount != 0) {
		return ""
	}
	num := new(big.Int).Mul(big.NewInt(m.Amount), big.NewInt(10000))
	den := big.NewInt(of.Amount)
	if den.Sign() < 0 {
		num.Neg(num)
		den.Neg(den)
	}
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	// Round half away from zero: |2r| ≥ den moves q away from zero.
	if new(big.Int).Abs(new(big.Int).Lsh(r, 1)).Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	bp := q.Int64()
	sign := ""
	if bp < 0 {
		sign, bp = "-", -bp
	}
	return fmt.Sprintf("%s%d.%02d", sign, bp/100, bp%100)
}
