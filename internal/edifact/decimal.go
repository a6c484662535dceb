package edifact

import (
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/decimal"
)

// ParseDecimal reads an EDIFACT numeric value exactly. ISO 9735 lets the
// sender use either the full stop or the comma as decimal mark whatever the
// UNA advises, so both are accepted: "12.50", "12,50" and "-0,5" all parse.
// Grouping separators, exponents and spaces are rejected rather than
// guessed.
func ParseDecimal(s string) (decimal.Decimal, error) {
	if strings.IndexByte(s, ',') >= 0 {
		if strings.IndexByte(s, '.') >= 0 {
			return decimal.Decimal{}, fmt.Errorf("edifact: number %q mixes '.' and ','", s)
		}
		s = strings.Replace(s, ",", ".", 1)
	}
	d, err := decimal.Parse(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("edifact: number: %w", err)
	}
	return d, nil
}

// FormatDecimal writes d with the given decimal mark ('.' or ','), keeping
// its scale: 12.50 stays "12.50" (or "12,50"). Pass the interchange's
// Delimiters.Decimal.
func FormatDecimal(d decimal.Decimal, mark byte) string {
	s := d.String()
	if mark == ',' {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}
