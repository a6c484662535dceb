package edipartner

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/money"
)

// Problems collects what is wrong with a profile, each at its key path
// relative to the connector's block ("partner.timezone"), which the config
// loader turns into FILE:LINE.
type Problems []connector.Problem

// Add records a problem at path.
func (ps *Problems) Add(path, format string, args ...any) {
	*ps = append(*ps, connector.Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// Append records problems found elsewhere (a transport block's Check).
func (ps *Problems) Append(more ...connector.Problem) { *ps = append(*ps, more...) }

// OneOf: v is empty (the default) or one of allowed.
func (ps *Problems) OneOf(path, v string, allowed ...string) {
	if v != "" && !slices.Contains(allowed, v) {
		ps.Add(path, "must be %s, got %q", orList(allowed), v)
	}
}

// orList writes "a, b or c".
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// OneByte: a delimiter is empty (the default) or one byte; YAML escapes
// ("\x1d") give control characters.
func (ps *Problems) OneByte(path, v string) {
	if v != "" && len(v) != 1 {
		ps.Add(path, "must be exactly one character (byte), got %q", v)
	}
}

// MaxLen: v fits its envelope element of at most n characters; what names
// the element when the message should ("0004/0010 an..35").
func (ps *Problems) MaxLen(path, v string, n int, what string) {
	if len(v) <= n {
		return
	}
	if what != "" {
		ps.Add(path, "%q is longer than %d characters (%s)", v, n, what)
		return
	}
	ps.Add(path, "%q is longer than %d characters", v, n)
}

// Timezone: an IANA zone name, or empty for UTC.
func (ps *Problems) Timezone(path, v string) {
	if v == "" {
		return
	}
	if _, err := time.LoadLocation(v); err != nil {
		ps.Add(path, "unknown time zone %q", v)
	}
}

// Currency: an ISO 4217 code, or empty for the syntax's default.
func (ps *Problems) Currency(path, v string) {
	if v != "" && !money.KnownCurrency(v) {
		ps.Add(path, "unknown ISO 4217 currency %q", v)
	}
}

// CarrierCodes: every canonical code of a carrier table is lower case,
// like the built-in ones (ups, fedex, dhl). Each is reported at
// path.<partner's code>.
func (ps *Problems) CarrierCodes(path string, m map[string]string) {
	for k, code := range m {
		if code == "" || strings.ToLower(code) != code {
			ps.Add(path+"."+k, "carrier code %q must be lower case, such as ups or dhl", code)
		}
	}
}

// Err is the problems as one error (nil when there are none), for a
// constructor refusing a config that does not pass Check.
func (ps Problems) Err() error {
	errs := make([]error, len(ps))
	for i, p := range ps {
		errs[i] = p
	}
	return errors.Join(errs...)
}
