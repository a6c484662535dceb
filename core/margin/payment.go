package margin

import (
	"fmt"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/money"
)

// PaymentFee is a payment provider's fee schedule (payments[].fees):
// Percent of what was captured plus Fixed per payment that captured
// anything, in the payment's currency. Both are exact decimals ("2.9" is
// 2.9 %), never floats.
//
// Refunds do not give the fee back: Stripe and PayPal keep the fee of a
// refunded charge, so the fee is on the gross captured amount.
type PaymentFee struct {
	Percent decimal.Decimal `yaml:"percent" json:"percent"`
	Fixed   decimal.Decimal `yaml:"fixed" json:"fixed"`
}

// Check says what is wrong with the schedule, as (key, problem) pairs.
func (f PaymentFee) Check() [][2]string {
	var ps [][2]string
	if f.Percent.Sign() < 0 || f.Percent.Cmp(decimal.FromInt(100)) >= 0 {
		ps = append(ps, [2]string{"percent", fmt.Sprintf("%s is outside 0–100", f.Percent)})
	}
	if f.Fixed.Sign() < 0 {
		ps = append(ps, [2]string{"fixed", "must not be negative"})
	}
	return ps
}

// On is the fee on a captured amount: the percentage rounded half away
// from zero to the currency's minor unit, plus the fixed fee (rounded the
// same way: "0.30" in JPY is 0). Nothing captured, no fee.
func (f PaymentFee) On(captured money.Money) (money.Money, error) {
	fee := money.Money{Currency: captured.Currency}
	if captured.Amount <= 0 {
		return fee, nil
	}
	exp, ok := money.Exponent(captured.Currency)
	if !ok {
		return fee, fmt.Errorf("payment fee: unknown currency %q", captured.Currency)
	}
	// captured minor units × percent / 100, in minor units.
	p, err := decimal.FromInt(captured.Amount).Mul(f.Percent)
	if err != nil {
		return fee, fmt.Errorf("payment fee on %s: %w", captured, err)
	}
	if p.Scale+2 > decimal.MaxScale {
		return fee, fmt.Errorf("payment fee: percent %s has too many decimals", f.Percent)
	}
	p = decimal.New(p.Coef, p.Scale+2).Round(0)
	fixed, err := money.FromDecimal(f.Fixed.Round(exp), captured.Currency, exp)
	if err != nil {
		return fee, fmt.Errorf("payment fee: fixed %s: %w", f.Fixed, err)
	}
	fee.Amount = p.Coef
	return fee.Add(fixed)
}
