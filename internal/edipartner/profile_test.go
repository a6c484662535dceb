package edipartner

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestAcksExpected(t *testing.T) {
	for _, tc := range []struct {
		acks   Acks
		expect bool
		within time.Duration
	}{
		{Acks{}, true, DefaultAckWithin},
		{Acks{Expect: ptr(true)}, true, 24 * time.Hour},
		{Acks{Within: 4 * time.Hour}, true, 4 * time.Hour},
		{Acks{Expect: ptr(false)}, false, 0},
	} {
		if e, w := tc.acks.Expected(); e != tc.expect || w != tc.within {
			t.Errorf("%+v: %v %v, want %v %v", tc.acks, e, w, tc.expect, tc.within)
		}
	}
}

func TestAcksCheck(t *testing.T) {
	for _, tc := range []struct {
		acks Acks
		want string // "" when valid
	}{
		{Acks{}, ""},
		{Acks{Expect: ptr(true), Within: time.Hour}, ""},
		{Acks{Within: -time.Hour}, "partner.ack_within: must not be negative"},
		{Acks{Expect: ptr(false), Within: time.Hour}, "partner.ack_within: has no effect with expect_contrl: false"},
	} {
		var ps Problems
		tc.acks.Check(&ps, "partner", "expect_contrl")
		if got := ps.Err(); (tc.want == "" && got != nil) || (tc.want != "" && (got == nil || got.Error() != tc.want)) {
			t.Errorf("%+v: %v, want %q", tc.acks, got, tc.want)
		}
	}
}

func TestLocation(t *testing.T) {
	if loc, err := Location(""); err != nil || loc != time.UTC {
		t.Errorf("empty: %v, %v", loc, err)
	}
	if loc, err := Location("Europe/Berlin"); err != nil || loc.String() != "Europe/Berlin" {
		t.Errorf("Berlin: %v, %v", loc, err)
	}
	if _, err := Location("Mars/Olympus"); err == nil || !strings.HasPrefix(err.Error(), "partner.timezone: ") {
		t.Errorf("unknown zone: %v", err)
	}
}

func TestCarriersAndCurrency(t *testing.T) {
	if got := Carriers(map[string]string{"upsn": "ups", "DHL": "dhl"}); !reflect.DeepEqual(got, map[string]string{"UPSN": "ups", "DHL": "dhl"}) {
		t.Errorf("carriers = %v", got)
	}
	if got := Carriers(nil); got == nil || len(got) != 0 {
		t.Errorf("no carriers = %v", got)
	}
	if Currency("", "USD") != "USD" || Currency("cad", "USD") != "CAD" || Currency("EUR", "USD") != "EUR" {
		t.Error("currency defaults")
	}
}

func TestLineEnding(t *testing.T) {
	for _, tc := range []struct {
		newline *bool
		delims  []byte
		want    string
	}{
		{nil, []byte{'*', ':', '~'}, "\n"},
		{ptr(true), []byte{'*', ':', '~'}, "\n"},
		{ptr(false), []byte{'*', ':', '~'}, ""},
		{nil, []byte{'*', ':', '\n'}, ""}, // the terminator is the break
		{nil, []byte{'\r', ':', '~'}, ""}, // a break would read as an element separator
		{nil, []byte{'*', 0, '~'}, "\n"},  // no repetition separator
	} {
		if got := LineEnding(tc.newline, tc.delims...); got != tc.want {
			t.Errorf("%v %q: %q, want %q", tc.newline, tc.delims, got, tc.want)
		}
	}
}

func TestPartiesCheck(t *testing.T) {
	p := Parties{
		Us: Party{"ZZ", "DROPGATE"}, UsKey: "partner.sender_id",
		Them: Party{"ZZ", "SUPPLIER"}, ThemKey: "partner.receiver_id",
		Show: func(p Party) string { return p.Qualifier + "/" + p.ID },
	}
	if err := p.Check("interchange 7 ", Party{"01", "SUPPLIER"}, Party{"ZZ", "DROPGATE"}); err != nil {
		t.Errorf("between us, another qualifier: %v", err)
	}
	err := p.Check("interchange 7 ", Party{"ZZ", "OTHERCO"}, Party{"ZZ", "SOMEONE"})
	want := []string{
		"interchange 7 comes from ZZ/OTHERCO, not from this partner (partner.receiver_id SUPPLIER)",
		"interchange 7 is addressed to ZZ/SOMEONE, not to us (partner.sender_id DROPGATE)",
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("err = %v", err)
	}
}
