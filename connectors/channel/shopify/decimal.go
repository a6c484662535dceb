package shopify

import (
	"github.com/shopspring/decimal"

	cdecimal "github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/money"
)

// hookDecimal is a Shopify price as go-shopify reads it (a
// decimal.Decimal, from a JSON string or number), decoded without
// math/big's string scanner for the plain prices Shopify sends ("19.99",
// "-0.50", "7"): those were most of the decimal cost of the decode stage.
// Anything else (exponents, a sign '+', more than 18 digits, malformed
// text) goes through decimal's own parser, so values and errors are
// what they were.
type hookDecimal struct{ decimal.Decimal }

func (h *hookDecimal) UnmarshalJSON(b []byte) error {
	s := b
	if len(s) > 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if coef, exp, ok := plainDecimal(s); ok {
		h.Decimal = decimal.New(coef, exp)
		return nil
	}
	return h.Decimal.UnmarshalJSON(b)
}

// dec is h as go-shopify's field (nil stays nil: absent or null).
func (h *hookDecimal) dec() *decimal.Decimal {
	if h == nil {
		return nil
	}
	return &h.Decimal
}

// plainDecimal reads -?digits(.digits)? with at most 18 digits into
// coef × 10^exp, trailing fractional zeros dropped as decimal's parser
// drops them. ok is false for any other form.
func plainDecimal(s []byte) (coef int64, exp int32, ok bool) {
	i, neg := 0, false
	if len(s) > 0 && s[0] == '-' {
		i, neg = 1, true
	}
	digits, frac, point := 0, 0, false
	end := len(s)
	if p := indexByte(s, '.'); p >= 0 {
		// Trailing zeros after the point carry no value.
		for end > p+1 && s[end-1] == '0' {
			end--
		}
	}
	for ; i < end; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			coef = coef*10 + int64(c-'0')
			digits++
			if point {
				frac++
			}
		case c == '.' && !point && digits > 0:
			point = true
		default:
			return 0, 0, false
		}
	}
	if digits == 0 || digits > 18 || (point && end == len(s) && frac == 0) {
		// "", "-", "1." (no fraction digits at all) or too long: leave
		// them to decimal's parser.
		return 0, 0, false
	}
	if neg {
		coef = -coef
	}
	return coef, -int32(frac), true
}

func indexByte(s []byte, c byte) int {
	for i, b := range s {
		if b == c {
			return i
		}
	}
	return -1
}

// exactMoney converts d to currency's minor units without formatting it
// and parsing it back, when d's coefficient fits 18 digits and it has no
// positive exponent (every price plainDecimal reads). ok is false
// otherwise, and the caller takes the string route.
func exactMoney(d *decimal.Decimal, currency string, exp uint8) (m money.Money, ok bool, err error) {
	e := d.Exponent()
	if e > 0 || e < -cdecimal.MaxScale {
		return money.Money{}, false, nil
	}
	c := d.Coefficient()
	if !c.IsInt64() {
		return money.Money{}, false, nil
	}
	v := c.Int64()
	if v >= 1e18 || v <= -1e18 {
		return money.Money{}, false, nil
	}
	// Normalised as the string route's parse of d.String() would be, so
	// an error names the same value.
	m, err = money.FromDecimal(cdecimal.New(v, uint8(-e)).Normalize(), currency, exp)
	return m, true, err
}
