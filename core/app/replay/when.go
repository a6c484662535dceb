package replay

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseWhen reads the start or end of a replay's period as people write
// it: a span back from now ("30d", "12h", "90m") or a time (RFC 3339, or a
// date 2006-01-02, UTC).
func ParseWhen(v string, now time.Time) (time.Time, error) {
	v = strings.TrimSpace(v)
	if n, ok := strings.CutSuffix(v, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days >= 0 {
			return now.AddDate(0, 0, -days), nil
		}
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither a span (30d, 12h) nor a time (RFC 3339, 2006-01-02)", v)
}
