package kit

import (
	"fmt"
	"strconv"
	"strings"
)

// Cents reads a two-decimal amount string ("12.34", "12.3", "12") as minor
// units, exactly (fakes of payment APIs keep to two-decimal currencies).
func Cents(v string) (int64, bool) {
	whole, frac, _ := strings.Cut(v, ".")
	if len(frac) > 2 || whole == "" {
		return 0, false
	}
	frac += strings.Repeat("0", 2-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	return n, err == nil && n >= 0
}

// Decimal2 writes minor units as a two-decimal amount string.
func Decimal2(n int64) string { return fmt.Sprintf("%d.%02d", n/100, n%100) }
