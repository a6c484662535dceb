// Package decimal is an exact fixed-point decimal for quantities, prices and
// EDI numbers. It never passes through float64: "19.99" stays 1999 × 10⁻².
//
// A Decimal is an int64 coefficient and a scale (digits after the point).
// That range (±9.2e18 units of the smallest step) is far beyond any order
// quantity or price dropgate handles; operations that would overflow return
// an error instead of wrapping.
package decimal

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// MaxScale is the largest number of fractional digits a Decimal may carry.
const MaxScale = 18

// Decimal is Coef × 10^-Scale. The zero value is 0.
type Decimal struct {
	Coef  int64
	Scale uint8
}

// ErrOverflow is returned when a result does not fit an int64 coefficient.
var ErrOverflow = errors.New("decimal: overflow")

var pow10 = func() [19]int64 {
	var p [19]int64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// New returns coef × 10^-scale.
func New(coef int64, scale uint8) Decimal { return Decimal{Coef: coef, Scale: scale} }

// FromInt returns the integer n.
func FromInt(n int64) Decimal { return Decimal{Coef: n} }

// Parse reads a plain decimal string: optional sign, digits, optional point
// and fraction ("-12", "3.50", ".5", "+7."). No exponents, no grouping, no
// spaces: what arrives from platforms and EDI is plain, and anything else is
// better rejected than guessed.
func Parse(s string) (Decimal, error) {
	if s == "" {
		return Decimal{}, errors.New("decimal: empty string")
	}
	orig := s
	neg := false
	switch s[0] {
	case '-':
		neg = true
		s = s[1:]
	case '+':
		s = s[1:]
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return Decimal{}, fmt.Errorf("decimal: %q has no digits", orig)
	}
	if hasPoint && strings.ContainsRune(frac, '.') {
		return Decimal{}, fmt.Errorf("decimal: %q has more than one point", orig)
	}
	if len(frac) > MaxScale {
		return Decimal{}, fmt.Errorf("decimal: %q has more than %d fractional digits", orig, MaxScale)
	}
	var coef uint64
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			c := part[i]
			if c < '0' || c > '9' {
				return Decimal{}, fmt.Errorf("decimal: %q: invalid character %q", orig, c)
			}
			hi, lo := bits.Mul64(coef, 10)
			if hi != 0 {
				return Decimal{}, fmt.Errorf("decimal: %q: %w", orig, ErrOverflow)
			}
			lo, carry := bits.Add64(lo, uint64(c-'0'), 0)
			if carry != 0 || lo > math.MaxInt64 {
				return Decimal{}, fmt.Errorf("decimal: %q: %w", orig, ErrOverflow)
			}
			coef = lo
		}
	}
	d := Decimal{Coef: int64(coef), Scale: uint8(len(frac))}
	if neg {
		d.Coef = -d.Coef
	}
	return d, nil
}

// MustParse is Parse for constants in code and tests; it panics on error.
func MustParse(s string) Decimal {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// ParseImplied reads an X12 "Nn" numeric: digits with n implied decimal
// places ("843202" with n=2 is 8432.02). A leading minus is allowed.
func ParseImplied(s string, n uint8) (Decimal, error) {
	if strings.ContainsAny(s, ".") {
		return Decimal{}, fmt.Errorf("decimal: implied-decimal value %q must not contain a point", s)
	}
	d, err := Parse(s)
	if err != nil {
		return Decimal{}, err
	}
	if n > MaxScale {
		return Decimal{}, fmt.Errorf("decimal: implied scale %d too large", n)
	}
	d.Scale = n
	return d, nil
}

// String formats d with exactly Scale fractional digits.
func (d Decimal) String() string {
	if d.Scale == 0 {
		return strconv.FormatInt(d.Coef, 10)
	}
	neg := d.Coef < 0
	var u uint64
	if neg {
		u = uint64(-(d.Coef + 1)) + 1 // safe for MinInt64
	} else {
		u = uint64(d.Coef)
	}
	digits := strconv.FormatUint(u, 10)
	if len(digits) <= int(d.Scale) {
		digits = strings.Repeat("0", int(d.Scale)-len(digits)+1) + digits
	}
	cut := len(digits) - int(d.Scale)
	s := digits[:cut] + "." + digits[cut:]
	if neg {
		s = "-" + s
	}
	return s
}

// Normalize removes trailing fractional zeros: 1.500 becomes 1.5.
func (d Decimal) Normalize() Decimal {
	for d.Scale > 0 && d.Coef%10 == 0 {
		d.Coef /= 10
		d.Scale--
	}
	return d
}

// IsZero reports whether d is zero.
func (d Decimal) IsZero() bool { return d.Coef == 0 }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int {
	switch {
	case d.Coef < 0:
		return -1
	case d.Coef > 0:
		return 1
	}
	return 0
}

// Rescale returns d with the given scale. Increasing the scale is exact;
// decreasing it fails unless the dropped digits are zero, so no precision is
// ever lost silently.
func (d Decimal) Rescale(scale uint8) (Decimal, error) {
	if scale > MaxScale {
		return Decimal{}, fmt.Errorf("decimal: scale %d too large", scale)
	}
	switch {
	case scale == d.Scale:
		return d, nil
	case scale > d.Scale:
		c, ok := mulInt64(d.Coef, pow10[scale-d.Scale])
		if !ok {
			return Decimal{}, ErrOverflow
		}
		return Decimal{Coef: c, Scale: scale}, nil
	default:
		div := pow10[d.Scale-scale]
		if d.Coef%div != 0 {
			return Decimal{}, fmt.Errorf("decimal: %s has more than %d fractional digits", d, scale)
		}
		return Decimal{Coef: d.Coef / div, Scale: scale}, nil
	}
}

// Round returns d rounded half away from zero to the given scale.
func (d Decimal) Round(scale uint8) Decimal {
	if scale >= d.Scale {
		r, err := d.Rescale(scale)
		if err != nil {
			return d
		}
		return r
	}
	div := pow10[d.Scale-scale]
	q, r := d.Coef/div, d.Coef%div
	if r < 0 {
		r = -r
	}
	if r*2 >= div {
		if d.Coef < 0 {
			q--
		} else {
			q++
		}
	}
	return Decimal{Coef: q, Scale: scale}
}

// Cmp compares d and e: -1, 0 or +1.
func (d Decimal) Cmp(e Decimal) int {
	a, b, err := align(d, e)
	if err != nil {
		// Only reachable with absurd magnitudes; compare by sign, then scale-free.
		return compareBig(d, e)
	}
	switch {
	case a.Coef < b.Coef:
		return -1
	case a.Coef > b.Coef:
		return 1
	}
	return 0
}

// Equal reports whether d and e are numerically equal (1.50 equals 1.5).
func (d Decimal) Equal(e Decimal) bool { return d.Cmp(e) == 0 }

// Add returns d + e.
func (d Decimal) Add(e Decimal) (Decimal, error) {
	a, b, err := align(d, e)
	if err != nil {
		return Decimal{}, err
	}
	s, ok := addInt64(a.Coef, b.Coef)
	if !ok {
		return Decimal{}, ErrOverflow
	}
	return Decimal{Coef: s, Scale: a.Scale}, nil
}

// Sub returns d - e.
func (d Decimal) Sub(e Decimal) (Decimal, error) {
	if e.Coef == math.MinInt64 {
		return Decimal{}, ErrOverflow
	}
	return d.Add(Decimal{Coef: -e.Coef, Scale: e.Scale})
}

// Mul returns d × e exactly (scales add up).
func (d Decimal) Mul(e Decimal) (Decimal, error) {
	if int(d.Scale)+int(e.Scale) > MaxScale {
		return Decimal{}, fmt.Errorf("decimal: product scale %d too large", int(d.Scale)+int(e.Scale))
	}
	c, ok := mulInt64(d.Coef, e.Coef)
	if !ok {
		return Decimal{}, ErrOverflow
	}
	return Decimal{Coef: c, Scale: d.Scale + e.Scale}.Normalize(), nil
}

// IntPart returns the integer part truncated toward zero and whether d had
// no fractional part.
func (d Decimal) IntPart() (int64, bool) {
	div := pow10[d.Scale]
	return d.Coef / div, d.Coef%div == 0
}

func align(d, e Decimal) (Decimal, Decimal, error) {
	var err error
	if d.Scale < e.Scale {
		d, err = d.Rescale(e.Scale)
	} else if e.Scale < d.Scale {
		e, err = e.Rescale(d.Scale)
	}
	return d, e, err
}

func compareBig(d, e Decimal) int {
	if d.Sign() != e.Sign() {
		if d.Sign() < e.Sign() {
			return -1
		}
		return 1
	}
	// Same sign, and aligning overflowed: the one with the smaller scale has
	// the larger magnitude.
	bigger := 1
	if d.Scale > e.Scale {
		bigger = -1
	}
	return bigger * d.Sign()
}

func mulInt64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	c := a * b
	if (c < 0) != ((a < 0) != (b < 0)) || c/b != a {
		return 0, false
	}
	return c, true
}

func addInt64(a, b int64) (int64, bool) {
	c := a + b
	if (c > a) != (b > 0) {
		return 0, false
	}
	return c, true
}

// MarshalJSON writes d as a JSON string ("19.99") so no consumer reads it
// through a binary float.
func (d Decimal) MarshalJSON() ([]byte, error) {
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON accepts a JSON string or a bare JSON number, read from its
// literal digits, never through float64.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if strings.ContainsAny(s, "eE") {
		return fmt.Errorf("decimal: exponent notation %q is not accepted", s)
	}
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
