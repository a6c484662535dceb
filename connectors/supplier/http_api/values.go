package http_api

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/decimal"
)

// Conversions of the values a path selected. Numbers arrive as
// json.Number (decodeJSON uses UseNumber) and are read from their literal
// digits through core/decimal, never through float64: a quantity of
// 2.0000000000000001 is not 2, and an order id of 9007199254740993 keeps
// its last digit.

// kindOf names a JSON value's type for messages.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// text reads a scalar as text: a string as it is, a number by its
// literal digits, a boolean as true or false.
func text(m Match) (string, error) {
	switch v := m.Value.(type) {
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		return strconv.FormatBool(v), nil
	case nil:
		return "", nil
	}
	return "", fmt.Errorf("%s: expected a string or a number, got %s", m.Path, kindOf(m.Value))
}

// quantity reads a whole, non-negative number of units, from a JSON
// number or a numeric string ("2", "2.0").
func quantity(m Match) (int64, error) {
	var s string
	switch v := m.Value.(type) {
	case json.Number:
		s = v.String()
	case string:
		s = strings.TrimSpace(v)
	default:
		return 0, fmt.Errorf("%s: expected a quantity, got %s", m.Path, kindOf(m.Value))
	}
	d, err := decimal.Parse(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a plain decimal quantity", m.Path, s)
	}
	n, whole := d.IntPart()
	if !whole || n < 0 {
		return 0, fmt.Errorf("%s: quantity %s is not a whole number of units", m.Path, s)
	}
	return n, nil
}

// timeLayouts are the date forms order APIs use, most specific first.
// A time without a zone is read as UTC.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"}

// timestamp reads an RFC 3339 time, a date, or a Unix time in seconds.
func timestamp(m Match) (time.Time, error) {
	switch v := m.Value.(type) {
	case string:
		s := strings.TrimSpace(v)
		for _, layout := range timeLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("%s: %q is not an RFC 3339 time or a YYYY-MM-DD date", m.Path, s)
	case json.Number:
		secs, err := strconv.ParseInt(v.String(), 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s: %s is not a Unix time in whole seconds", m.Path, v)
		}
		return time.Unix(secs, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%s: expected a time, got %s", m.Path, kindOf(m.Value))
}
