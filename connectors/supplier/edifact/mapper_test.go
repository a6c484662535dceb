package edifact

import (
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/internal/edifact"
	"github.com/dropgate/dropgate/internal/testutil"
)

// TestDateFormats reads DTM in every format (code list 2379) the
// connector supports, in the partner's zone, and refuses the others.
func TestDateFormats(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		testutil.Unavailable(t, "no time zone data: %v", err)
	}
	cases := []struct {
		dtm  string
		want time.Time
		err  string
	}{
		{"DTM+137:20261122:102", time.Date(2026, 11, 22, 0, 0, 0, 0, ams), ""},
		{"DTM+137:202611221530:203", time.Date(2026, 11, 22, 15, 30, 0, 0, ams), ""},
		{"DTM+137:20261122153045:204", time.Date(2026, 11, 22, 15, 30, 45, 0, ams), ""},
		{"DTM+137:261122:101", time.Date(2026, 11, 22, 0, 0, 0, 0, ams), ""},
		{"DTM+137:2611221530:201", time.Date(2026, 11, 22, 15, 30, 0, 0, ams), ""},
		{"DTM+137:20261122-20261130:718", time.Date(2026, 11, 22, 0, 0, 0, 0, ams), ""},
		{"DTM+137:20261122", time.Date(2026, 11, 22, 0, 0, 0, 0, ams), ""},
		{"DTM+137:202611221530", time.Date(2026, 11, 22, 15, 30, 0, 0, ams), ""},
		{"DTM+137:2026W47:616", time.Time{}, "DTM01-3 \"616\" is not a date format this connector reads"},
		{"DTM+137:20261122:203", time.Time{}, "DTM01-2 \"20261122\" is not a date in format 203"},
		{"DTM+137", time.Time{}, "DTM01-2 (date/time/period) is missing"},
	}
	var body []string
	for _, c := range cases {
		body = append(body, c.dtm)
	}
	ics, err := edifact.Parse(inbound(env{ref: "1"}, msg{"INVRPT", body}))
	if err != nil {
		t.Fatal(err)
	}
	msg := ics[0].Messages[0]
	m := newMapper(msg, "acme", "EUR", ams)
	for i, seg := range msg.Body() {
		before := len(msg.Errors)
		got, ok := m.date(seg, 0)
		c := cases[i]
		if c.err == "" {
			if !ok || !got.Equal(c.want) || got.Location() != ams {
				t.Errorf("%s = %v, %v; want %v", c.dtm, got, ok, c.want)
			}
			continue
		}
		if ok || len(msg.Errors) != before+1 || !strings.Contains(msg.Errors[before].Error(), c.err) {
			t.Errorf("%s: ok %v, errors %v; want %q", c.dtm, ok, msg.Errors[before:], c.err)
		}
	}
}

func TestNumbers(t *testing.T) {
	ics, err := edifact.Parse(inbound(env{ref: "1"}, msg{"INVRPT", []string{"QTY+145:-2", "QTY+145:1e3", "QTY+145:12,000", "MOA+77:1.234", "MOA+77:1,5"}}))
	if err != nil {
		t.Fatal(err)
	}
	msg := ics[0].Messages[0]
	m := newMapper(msg, "acme", "JPY", nil)
	b := msg.Body()
	if _, ok := m.units(b[0], 0, 1); ok {
		t.Error("negative quantity accepted")
	}
	if _, ok := m.units(b[1], 0, 1); ok {
		t.Error("exponent accepted")
	}
	if q, ok := m.units(b[2], 0, 1); !ok || q != 12 {
		t.Errorf("12,000 = %d %v", q, ok)
	}
	if _, ok := m.amount(b[3], 0, 1); ok {
		t.Error("1.234 JPY accepted")
	}
	if _, ok := m.amount(b[4], 0, 1); ok {
		t.Error("1,5 JPY accepted")
	}
	if len(msg.Errors) != 4 || !strings.Contains(msg.Errors[0].Error(), "QTY01-2 -2 is negative") {
		t.Errorf("errors = %v", msg.Errors)
	}
}
