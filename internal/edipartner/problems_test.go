package edipartner

import (
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestProblems(t *testing.T) {
	var ps Problems
	ps.OneOf("partner.contrl", "", "send", "none")
	ps.OneOf("partner.contrl", "none", "send", "none")
	ps.OneOf("partner.contrl", "always", "send", "requested", "none")
	ps.OneOf("partner.charset_policy", "drop", "reject")
	ps.OneByte("partner.delimiters.element", "")
	ps.OneByte("partner.delimiters.element", "*")
	ps.OneByte("partner.delimiters.segment", "~\n")
	ps.MaxLen("partner.sender_id", "ACME", 15, "")
	ps.MaxLen("partner.sender_id", strings.Repeat("A", 16), 15, "")
	ps.MaxLen("partner.sender.id", strings.Repeat("1", 36), 35, "0004/0010 an..35")
	ps.Timezone("partner.timezone", "")
	ps.Timezone("partner.timezone", "America/Chicago")
	ps.Timezone("partner.timezone", "Mars/Olympus")
	ps.Currency("partner.default_currency", "")
	ps.Currency("partner.default_currency", "CAD")
	ps.Currency("partner.default_currency", "DOLLARS")
	ps.CarrierCodes("partner.carriers", map[string]string{"UPSN": "ups", "FDEG": "FedEx", "XX": ""})
	ps.Add("partner.usage", "must be T (test) or P (production), got %q", "X")
	var got []string
	for _, p := range ps {
		got = append(got, p.Error())
	}
	sort.Strings(got)
	want := []string{
		`partner.carriers.FDEG: carrier code "FedEx" must be lower case, such as ups or dhl`,
		`partner.carriers.XX: carrier code "" must be lower case, such as ups or dhl`,
		`partner.charset_policy: must be reject, got "drop"`,
		`partner.contrl: must be send, requested or none, got "always"`,
		`partner.default_currency: unknown ISO 4217 currency "DOLLARS"`,
		`partner.delimiters.segment: must be exactly one character (byte), got "~\n"`,
		`partner.sender.id: "111111111111111111111111111111111111" is longer than 35 characters (0004/0010 an..35)`,
		`partner.sender_id: "AAAAAAAAAAAAAAAA" is longer than 15 characters`,
		`partner.timezone: unknown time zone "Mars/Olympus"`,
		`partner.usage: must be T (test) or P (production), got "X"`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if (Problems{}).Err() != nil || len(ps) != len(want) || !strings.Contains(ps.Err().Error(), "partner.usage: must be T") {
		t.Errorf("Err = %v", ps.Err())
	}
}
