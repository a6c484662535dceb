package shopify

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/dropgate/dropgate/core/money"
)

// hookDecimal decodes every price as go-shopify's decimal.Decimal did
// (same value, same error or none), and reading it into money gives what
// the string route (money.Parse of d.String()) gave, errors included.
func TestHookDecimalAsShopspring(t *testing.T) {
	inputs := []string{
		`"19.99"`, `"0.00"`, `"10.50"`, `"-0.50"`, `"7"`, `"007.5"`, `"100"`, `"0.05"`, `"-0"`,
		`"1.000000000000000000000"`, `"123456789012345678"`, `"1234567890123456789"`, `"99999999999999999999.99"`,
		`"10.555"`, `"10.5550"`, `"0.0000000000000000001"`, `"1."`, `".5"`, `"-.5"`, `"+1.25"`, `"1.5e2"`, `"1e-3"`,
		`"-"`, `"1.2.3"`, `"abc"`, `" 1.25"`, `"1,25"`, `""`, `"1-2"`, `"--1"`,
		`19.99`, `12`, `-3.10`, `1e2`,
	}
	for _, cur := range []string{"USD", "JPY", "BHD"} {
		for _, in := range inputs {
			if msg := compareHookDecimal(in, cur); msg != "" {
				t.Error(msg)
			}
		}
	}
	// The plain forms Shopify sends take the fast path.
	for _, in := range []string{"19.99", "0.00", "-0.50", "7", "123456789012345678"} {
		if _, _, ok := plainDecimal([]byte(in)); !ok {
			t.Errorf("%s: not read as a plain decimal", in)
		}
	}
	if _, _, ok := plainDecimal([]byte("1234567890123456789")); ok {
		t.Error("19 digits read as a plain decimal (overflow risk)")
	}
}

// A price that cannot be read names its place, however deep: the paths
// are built only when reported.
func TestBadPricesNameTheirPath(t *testing.T) {
	c := newTest(t)
	body := `{"id": 7, "currency": "USD", "total_tax": "0.001", "shipping_lines": [{"title": "x", "price": "5"}, {"price": "1.005"}],
		"line_items": [{"id": 1, "sku": "A", "quantity": 1, "price": "1.00"},
			{"id": 2, "sku": "B", "quantity": 1, "price": "2", "total_discount": "0.0001", "tax_lines": [{"price": "1"}, {"price": "0.123"}]}]}`
	evs, err := c.DecodeEvent(context.Background(), "orders/create", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, h := range evs[0].Order.Holds {
		reasons = append(reasons, h.Reason)
	}
	want := []string{"$.total_tax: ", "$.shipping_lines[1].price: ", "$.line_items[1].total_discount: ", "$.line_items[1].tax_lines[1].price: "}
	if len(reasons) != len(want) {
		t.Fatalf("holds %q, want %d", reasons, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(reasons[i], w) || !strings.Contains(reasons[i], "more precision") {
			t.Errorf("hold %d: %q, want %q…", i, reasons[i], w)
		}
	}
}

// compareHookDecimal reads in both ways and says how they differ ("" when
// they agree): value, exponent and error as shopspring's decimal, and the
// money they make in cur.
func compareHookDecimal(in, cur string) string {
	exp, _ := money.Exponent(cur)
	var want decimal.Decimal
	wantErr := want.UnmarshalJSON([]byte(in))
	var got hookDecimal
	gotErr := got.UnmarshalJSON([]byte(in))
	if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
		return fmt.Sprintf("%s: error %v, want %v", in, gotErr, wantErr)
	}
	if wantErr != nil {
		return ""
	}
	if !got.Equal(want) || got.Exponent() != want.Exponent() {
		return fmt.Sprintf("%s: %s (exp %d), want %s (exp %d)", in, got.String(), got.Exponent(), want.String(), want.Exponent())
	}
	wantM, wantMErr := money.Parse(want.String(), cur)
	gotM, ok, gotMErr := exactMoney(got.dec(), cur, exp)
	if !ok {
		gotM, gotMErr = money.Parse(got.String(), cur)
	}
	if gotM != wantM || (gotMErr == nil) != (wantMErr == nil) || (gotMErr != nil && gotMErr.Error() != wantMErr.Error()) {
		return fmt.Sprintf("%s %s: %v %v, want %v %v", in, cur, gotM, gotMErr, wantM, wantMErr)
	}
	return ""
}

// FuzzHookDecimal: the hand-written price reader agrees with shopspring's
// on any input, quoted or not, in currencies of 0, 2 and 3 decimals.
func FuzzHookDecimal(f *testing.F) {
	for _, s := range []string{"19.99", "-0.50", "7", "007.5", "1.", ".5", "1e2", "123456789012345678", "10.5550", "+1", "-", ""} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, quoted bool) {
		if strings.ContainsAny(s, "eE") {
			// Exponents go to shopspring's parser whole; a huge one
			// only times its own String.
			t.Skip()
		}
		in := s
		if quoted {
			in = `"` + s + `"`
		}
		for _, cur := range []string{"USD", "JPY", "BHD"} {
			if msg := compareHookDecimal(in, cur); msg != "" {
				t.Fatal(msg)
			}
		}
	})
}
