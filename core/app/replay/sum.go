package replay

import (
	"fmt"
	"sort"

	"github.com/dropgate/dropgate/core/money"
)

// sums adds money per currency, in minor units: a report never mixes
// currencies nor goes through floats.
type sums map[string]int64

// add adds m; an overflow is an error rather than a wrong total.
func (s sums) add(m money.Money) error {
	if m.Currency == "" {
		return nil
	}
	cur := s[m.Currency]
	sum, err := (money.Money{Amount: cur, Currency: m.Currency}).Add(m)
	if err != nil {
		return fmt.Errorf("replay: summing %s: %w", m.Currency, err)
	}
	s[m.Currency] = sum.Amount
	return nil
}

// addAll adds every amount of o.
func (s sums) addAll(o sums) error {
	for cur, amt := range o {
		if err := s.add(money.Money{Amount: amt, Currency: cur}); err != nil {
			return err
		}
	}
	return nil
}

// list returns the sums sorted by currency (nil when empty, so JSON
// omits it).
func (s sums) list() []money.Money {
	if len(s) == 0 {
		return nil
	}
	out := make([]money.Money, 0, len(s))
	for cur, amt := range s {
		out = append(out, money.Money{Amount: amt, Currency: cur})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}

// equal reports whether two sums hold the same amounts.
func (s sums) equal(o sums) bool {
	if len(s) != len(o) {
		return false
	}
	for cur, amt := range s {
		if v, ok := o[cur]; !ok || v != amt {
			return false
		}
	}
	return true
}
