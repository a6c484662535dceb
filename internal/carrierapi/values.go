package carrierapi

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
)

// CheckBaseURL is the config check of a base_url key ("" is the default).
func CheckBaseURL(raw string) []connector.Problem {
	if raw == "" {
		return nil
	}
	if u, err := url.Parse(raw); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return []connector.Problem{{Path: "base_url", Message: "must be an http(s) URL"}}
	}
	return nil
}

// BaseURL is raw without a trailing slash, or def when raw is empty.
func BaseURL(carrier, raw, def string) (string, error) {
	base := strings.TrimSuffix(raw, "/")
	if base == "" {
		base = def
	}
	if u, err := url.Parse(base); err != nil || u.Host == "" {
		return "", fmt.Errorf("%s: base_url %q is not an http(s) URL", carrier, raw)
	}
	return base, nil
}

// Normal is a tracking number as carriers take it: upper case, no spaces.
func Normal(number string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(number), " ", ""))
}

// Place joins the non-empty parts of a scan's location ("Austin, TX, US").
func Place(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ", ")
}

// ParseTime reads RFC 3339, or a local time without a zone, read as UTC
// (the state table orders one parcel's events, all written alike).
func ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02T15:04:05", s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 time", s)
}
