package testutil

import (
	"net"
	"os"
	"testing"
	"time"
)

// StripeMockEnv names stripe-mock's HTTP URL (default
// http://127.0.0.1:12111, where .ci/services.sh starts it).
const StripeMockEnv = "STRIPE_MOCK_URL"

// StripeMock returns the URL of a running stripe-mock, or calls
// Unavailable when none answers.
func StripeMock(t testing.TB) string {
	t.Helper()
	u := os.Getenv(StripeMockEnv)
	addr := "127.0.0.1:12111"
	if u == "" {
		u = "http://" + addr
	} else if len(u) > len("http://") {
		addr = u[len("http://"):]
	}
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		Unavailable(t, "stripe-mock is not running at %s (go install github.com/stripe/stripe-mock@latest; .ci/services.sh starts it): %v", u, err)
		return ""
	}
	_ = c.Close()
	return u
}
