package app

import (
	"errors"
	"testing"

	"github.com/dropgate/dropgate/internal/config"
)

// TestCheckExposure: the demo's published token is refused on any
// address reachable from another machine, unless allowed; any other
// token, or loopback, is fine.
func TestCheckExposure(t *testing.T) {
	demo := config.DemoAdminToken
	for _, tc := range []struct {
		listen, token string
		allow         bool
		refused       bool
	}{
		{"127.0.0.1:8080", demo, false, false},
		{"127.1.2.3:8080", demo, false, false},
		{"[::1]:8080", demo, false, false},
		{"localhost:8080", demo, false, false},
		{"0.0.0.0:8080", demo, false, true},
		{":8080", demo, false, true},
		{"[::]:8080", demo, false, true},
		{"10.0.0.5:8080", demo, false, true},
		{"gateway.internal:8080", demo, false, true},
		{"0.0.0.0:8080", demo, true, false},
		{"0.0.0.0:8080", "a-secret-of-my-own", false, false},
		{"0.0.0.0:8080", "", false, false}, // no token: the admin API is closed
	} {
		err := CheckExposure(tc.listen, tc.token, tc.allow)
		if got := errors.Is(err, ErrDemoTokenExposed); got != tc.refused {
			t.Errorf("%s token %q allow %v: %v", tc.listen, tc.token, tc.allow, err)
		}
	}
}
