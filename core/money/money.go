// Package money is dropgate's one money type: an int64 count of minor units
// (cents, yen, fils) and an ISO 4217 currency code. Never a float.
package money

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/decimal"
)

// Money is an amount in the currency's minor units. The zero value (no
// currency) is "no amount" and is only valid where a price is optional.
type Money struct {
	Amount   int64  `json:"amount"`   // minor units: 1999 is 19.99 USD, 1999 JPY
	Currency string `json:"currency"` // ISO 4217, upper case
}

// ErrCurrencyMismatch is returned when two amounts in different currencies
// are combined.
var ErrCurrencyMismatch = errors.New("money: currency mismatch")

// New returns amount minor units of currency, validating the code.
func New(amount int64, currency string) (Money, error) {
	if !KnownCurrency(currency) {
		return Money{}, fmt.Errorf("money: unknown currency %q", currency)
	}
	return Money{Amount: amount, Currency: currency}, nil
}

// Parse reads a decimal string such as "19.99" in currency. It is exact and
// strict: "19.999" USD is an error (more precision than the currency has),
// while "20" and "19.9" are fine. Trailing zeros beyond the exponent
// ("19.9900") are accepted since they carry no extra value.
func Parse(s, currency string) (Money, error) {
	exp, ok := Exponent(currency)
	if !ok {
		return Money{}, fmt.Errorf("money: unknown currency %q", currency)
	}
	d, err := decimal.Parse(strings.TrimSpace(s))
	if err != nil {
		return Money{}, fmt.Errorf("money: %w", err)
	}
	return FromDecimal(d, currency, exp)
}

// FromDecimal converts an exact decimal into currency's minor units,
// rejecting excess precision. exp must be the currency's exponent.
func FromDecimal(d decimal.Decimal, currency string, exp uint8) (Money, error) {
	r, err := d.Normalize().Rescale(exp)
	if err != nil {
		return Money{}, fmt.Errorf("money: %s %s: more precision than the currency's %d decimals", d, currency, exp)
	}
	return Money{Amount: r.Coef, Currency: currency}, nil
}

// FromDecimalIn is FromDecimal looking the exponent up.
func FromDecimalIn(d decimal.Decimal, currency string) (Money, error) {
	exp, ok := Exponent(currency)
	if !ok {
		return Money{}, fmt.Errorf("money: unknown currency %q", currency)
	}
	return FromDecimal(d, currency, exp)
}

// MustParse is Parse for tests and constants; it panics on error.
func MustParse(s, currency string) Money {
	m, err := Parse(s, currency)
	if err != nil {
		panic(err)
	}
	return m
}

// Decimal returns m as an exact decimal in major units (19.99).
func (m Money) Decimal() decimal.Decimal {
	exp, _ := Exponent(m.Currency)
	return decimal.New(m.Amount, exp)
}

// String formats m as "19.99 USD".
func (m Money) String() string {
	if m.Currency == "" {
		return fmt.Sprintf("%d", m.Amount)
	}
	return m.Decimal().String() + " " + m.Currency
}

// IsZero reports whether the amount is zero.
func (m Money) IsZero() bool { return m.Amount == 0 }

// Add returns m + o; both must share a currency (a zero Money adopts the
// other's currency so sums can start from Money{}).
func (m Money) Add(o Money) (Money, error) {
	cur, err := sameCurrency(m, o)
	if err != nil {
		return Money{}, err
	}
	s := m.Amount + o.Amount
	if (s > m.Amount) != (o.Amount > 0) {
		return Money{}, fmt.Errorf("money: overflow adding %s and %s", m, o)
	}
	return Money{Amount: s, Currency: cur}, nil
}

// Sub returns m - o.
func (m Money) Sub(o Money) (Money, error) {
	return m.Add(Money{Amount: -o.Amount, Currency: o.Currency})
}

// Mul returns m × n (a quantity).
func (m Money) Mul(n int64) (Money, error) {
	if n != 0 && m.Amount != 0 {
		p := m.Amount * n
		if p/n != m.Amount {
			return Money{}, fmt.Errorf("money: overflow multiplying %s by %d", m, n)
		}
		return Money{Amount: p, Currency: m.Currency}, nil
	}
	return Money{Currency: m.Currency}, nil
}

// Cmp compares amounts of the same currency: -1, 0, +1.
func (m Money) Cmp(o Money) (int, error) {
	if _, err := sameCurrency(m, o); err != nil {
		return 0, err
	}
	switch {
	case m.Amount < o.Amount:
		return -1, nil
	case m.Amount > o.Amount:
		return 1, nil
	}
	return 0, nil
}

func sameCurrency(m, o Money) (string, error) {
	switch {
	case m.Currency == o.Currency:
		return m.Currency, nil
	case m.Currency == "" && m.Amount == 0:
		return o.Currency, nil
	case o.Currency == "" && o.Amount == 0:
		return m.Currency, nil
	}
	return "", fmt.Errorf("%w: %s and %s", ErrCurrencyMismatch, m.Currency, o.Currency)
}

// Allocate splits m across parts in proportion to weights using the largest
// remainder method, so the parts always sum exactly to m. It is how order
// discounts, tax and shipping are spread over lines and purchase orders.
// Zero or empty weights split evenly.
func (m Money) Allocate(weights []int64) ([]Money, error) {
	n := len(weights)
	if n == 0 {
		return nil, errors.New("money: allocate over no parts")
	}
	var total int64
	for _, w := range weights {
		if w < 0 {
			return nil, errors.New("money: negative allocation weight")
		}
		total += w
	}
	if total == 0 {
		weights = make([]int64, n)
		for i := range weights {
			weights[i] = 1
		}
		total = int64(n)
	}
	neg := m.Amount < 0
	amount := m.Amount
	if neg {
		amount = -amount
	}
	out := make([]Money, n)
	rems := make([]int64, n)
	var given int64
	for i, w := range weights {
		q, r, err := mulDiv(amount, w, total)
		if err != nil {
			return nil, err
		}
		out[i] = Money{Amount: q, Currency: m.Currency}
		rems[i] = r
		given += q
	}
	// Hand out the leftover units to the largest remainders, ties to the
	// earliest part, so the result is deterministic.
	for left := amount - given; left > 0; left-- {
		best := -1
		for i := range rems {
			if rems[i] >= 0 && (best < 0 || rems[i] > rems[best]) {
				best = i
			}
		}
		out[best].Amount++
		rems[best] = -1
	}
	if neg {
		for i := range out {
			out[i].Amount = -out[i].Amount
		}
	}
	return out, nil
}

// mulDiv returns a*b/c and its remainder without overflowing for the
// magnitudes money deals with.
func mulDiv(a, b, c int64) (int64, int64, error) {
	if b != 0 && a > (1<<62)/b {
		return 0, 0, fmt.Errorf("money: allocation overflow")
	}
	p := a * b
	return p / c, p % c, nil
}
