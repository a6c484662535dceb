package httpclient

import (
	"errors"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/fault"
)

func TestTokenRefused(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	refused := fault.Permanent(errors.New("HTTP 401: invalid token"))
	for _, c := range []struct {
		name   string
		minted time.Time
		want   fault.Class
	}{
		{"just obtained", now.Add(-10 * time.Second), fault.ClassPermanent},
		{"an hour old", now.Add(-time.Hour), fault.ClassRetryable},
		{"age unknown", time.Time{}, fault.ClassRetryable},
	} {
		err := TokenRefused(refused, c.minted, now)
		if class, _ := fault.Classify(err); class != c.want {
			t.Errorf("%s: %v classified %v, want %v", c.name, err, class, c.want)
		}
	}
}
