package edisupplier

import (
	"testing"

	"github.com/dropgate/dropgate/internal/tracking"
)

func TestUPSNumberIsValid(t *testing.T) {
	for _, seed := range []string{"a", "b", "acme/PO123", "c"} {
		n := UPSNumber(seed)
		if err := tracking.Validate("ups", n); err != nil || len(n) != 18 {
			t.Errorf("UPSNumber(%q) = %s: %v", seed, n, err)
		}
	}
}
