package feed

import (
	"errors"
	"fmt"
	"math"
	"math/bits"

	"github.com/dropgate/dropgate/core/decimal"
)

// parseNumber reads a feed's number without allocating: optional sign,
// digits with the configured thousands separator between them, and an
// optional fraction after the decimal separator ("1.234,50" with
// decimal_comma and thousands "."). Spaces around it are ignored. The
// result is exact; nothing passes through a float.
func parseNumber(b []byte, n Numbers) (decimal.Decimal, error) {
	b = trimSpace(b)
	if len(b) == 0 {
		return decimal.Decimal{}, errors.New("empty")
	}
	point, group := byte('.'), byte(0)
	if n.DecimalComma {
		point = ','
	}
	if n.Thousands != "" {
		group = n.Thousands[0]
	}
	neg := false
	switch b[0] {
	case '-':
		neg, b = true, b[1:]
	case '+':
		b = b[1:]
	}
	var coef uint64
	digits, scale := 0, 0
	inFrac := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			hi, lo := bits.Mul64(coef, 10)
			lo, carry := bits.Add64(lo, uint64(c-'0'), 0)
			if hi != 0 || carry != 0 || lo > math.MaxInt64 {
				return decimal.Decimal{}, errors.New("too large")
			}
			coef = lo
			digits++
			if inFrac {
				scale++
				if scale > decimal.MaxScale {
					return decimal.Decimal{}, fmt.Errorf("more than %d decimals", decimal.MaxScale)
				}
			}
		case c == point && !inFrac:
			inFrac = true
		case group != 0 && c == group && !inFrac && digits > 0 && i+1 < len(b) && isDigit(b[i+1]):
			// A grouping separator between digits of the integer part.
		default:
			return decimal.Decimal{}, badChar(c, n)
		}
	}
	if digits == 0 {
		return decimal.Decimal{}, errors.New("no digits")
	}
	d := decimal.New(int64(coef), uint8(scale))
	if neg {
		d.Coef = -d.Coef
	}
	return d, nil
}

// badChar explains an unexpected character, with the likely fix for a
// separator the config does not expect.
func badChar(c byte, n Numbers) error {
	switch {
	case c == ',' && !n.DecimalComma && n.Thousands != ",":
		return errors.New("unexpected ',' (a decimal comma? set decimal_comma: true)")
	case c == '.' && n.DecimalComma && n.Thousands != ".":
		return errors.New("unexpected '.' (a thousands separator? set thousands: \".\")")
	case c == ' ' || c == '\'' || c == '.' || c == ',':
		return fmt.Errorf("unexpected %q (a thousands separator? set thousands)", c)
	}
	return fmt.Errorf("invalid character %q", c)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// trimSpace trims ASCII white space (and a no-break space, common in
// spreadsheets' exports, in its UTF-8 form).
func trimSpace(b []byte) []byte {
	for len(b) > 0 {
		switch {
		case b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n':
			b = b[1:]
		case len(b) >= 2 && b[0] == 0xC2 && b[1] == 0xA0:
			b = b[2:]
		default:
			goto right
		}
	}
right:
	for len(b) > 0 {
		n := len(b)
		switch {
		case b[n-1] == ' ' || b[n-1] == '\t' || b[n-1] == '\r' || b[n-1] == '\n':
			b = b[:n-1]
		case n >= 2 && b[n-2] == 0xC2 && b[n-1] == 0xA0:
			b = b[:n-2]
		default:
			return b
		}
	}
	return b
}

// minorUnits converts an exact decimal to minor units of a currency with
// exp decimals. Trailing zeros beyond exp are fine ("12.5000"); more
// precision is an error rather than a silent rounding of money.
func minorUnits(d decimal.Decimal, exp uint8) (int64, error) {
	r, err := d.Normalize().Rescale(exp)
	if err != nil {
		return 0, fmt.Errorf("%s has more decimals than the currency's %d", d, exp)
	}
	return r.Coef, nil
}

// quantity converts a decimal to whole units ("12", "12.000", "12,0").
func quantity(d decimal.Decimal) (int64, error) {
	n, exact := d.IntPart()
	if !exact {
		return 0, fmt.Errorf("%s is not a whole number of units", d)
	}
	return n, nil
}
