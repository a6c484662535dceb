package fault

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	base := errors.New("boom")
	tests := []struct {
		err   error
		class Class
		nb    time.Time
	}{
		{nil, ClassNone, time.Time{}},
		{base, ClassRetryable, time.Time{}},
		{Retryable(base), ClassRetryable, time.Time{}},
		{RetryAfter(base, at), ClassRetryable, at},
		{fmt.Errorf("wrapped: %w", RetryAfter(base, at)), ClassRetryable, at},
		{Throttled("shop", at), ClassThrottled, at},
		{fmt.Errorf("push: %w", Throttled("shop", at)), ClassThrottled, at},
		{Permanent(base), ClassPermanent, time.Time{}},
		{Permanentf("bad %s", "input"), ClassPermanent, time.Time{}},
		{&PartialError{Err: base, Accepted: []string{"a"}}, ClassPartial, time.Time{}},
	}
	for i, tt := range tests {
		c, nb := Classify(tt.err)
		if c != tt.class || !nb.Equal(tt.nb) {
			t.Errorf("%d: Classify(%v) = %v %v, want %v %v", i, tt.err, c, nb, tt.class, tt.nb)
		}
	}
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) must stay nil")
	}
	if !errors.Is(Permanent(base), base) || !IsPermanent(fmt.Errorf("x: %w", Permanent(base))) {
		t.Error("unwrapping")
	}
}
