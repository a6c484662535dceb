package orders

import (
	"sort"
	"strings"
	"testing"
)

// Raw bodies are keyed by channel, then receipt time, so keys sort the
// way the deliveries arrived whatever their (random) delivery ids.
func TestRawKeySortsByReceipt(t *testing.T) {
	arrivals := []struct{ delivery, at string }{
		{"zz-id", "2026-12-07T13:22:56.4Z"},
		{"mm-id", "2026-12-07T13:22:56.438634549Z"},
		{"aa-first-id", "2026-12-07T13:22:57Z"},
		{"00-id", "2026-12-07T14:22:57+01:00"}, // the same instant in another zone
	}
	var keys []string
	for _, a := range arrivals {
		keys = append(keys, RawKey("shop", a.delivery, a.at))
	}
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	want := []string{keys[0], keys[1], keys[3], keys[2]}
	for i := range want {
		if sorted[i] != want[i] {
			t.Fatalf("keys sort as %q; want receipt order %q", sorted, want)
		}
	}
	if got := keys[1]; got != "raw/webhook/shop/2026-12-07T13:22:56.438634549Z/mm-id" {
		t.Errorf("key %q", got)
	}
	if !strings.HasSuffix(keys[3], "/2026-12-07T13:22:57.000000000Z/00-id") {
		t.Errorf("a receipt time with an offset is not keyed in UTC: %q", keys[3])
	}
	// A job queued by a version that kept no receipt time.
	if got := RawKey("shop", "d1", ""); got != "raw/webhook/shop/d1" {
		t.Errorf("fallback key %q", got)
	}
}
