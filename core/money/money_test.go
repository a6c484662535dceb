package money

import (
	"errors"
	"testing"
)

func TestParseExponents(t *testing.T) {
	tests := []struct {
		s, cur string
		want   int64
	}{
		{"19.99", "USD", 1999},
		{"20", "USD", 2000},
		{"19.9", "EUR", 1990},
		{"19.9900", "USD", 1999}, // trailing zeros carry no extra value
		{"1500", "JPY", 1500},
		{"1.234", "KWD", 1234},
		{"-3.50", "GBP", -350},
		{"0.0001", "CLF", 1},
	}
	for _, tt := range tests {
		m, err := Parse(tt.s, tt.cur)
		if err != nil {
			t.Fatalf("Parse(%q, %s): %v", tt.s, tt.cur, err)
		}
		if m.Amount != tt.want || m.Currency != tt.cur {
			t.Errorf("Parse(%q, %s) = %+v, want %d", tt.s, tt.cur, m, tt.want)
		}
	}
}

func TestParseRejectsExcessPrecision(t *testing.T) {
	for _, c := range []struct{ s, cur string }{{"19.999", "USD"}, {"1500.5", "JPY"}, {"1.2345", "KWD"}, {"1", "XXX"}, {"1", "usd"}, {"abc", "USD"}, {"1e2", "USD"}} {
		if m, err := Parse(c.s, c.cur); err == nil {
			t.Errorf("Parse(%q, %s) = %v, want error", c.s, c.cur, m)
		}
	}
}

func TestString(t *testing.T) {
	if s := MustParse("19.99", "USD").String(); s != "19.99 USD" {
		t.Errorf("got %q", s)
	}
	if s := MustParse("1500", "JPY").String(); s != "1500 JPY" {
		t.Errorf("got %q", s)
	}
	if s := MustParse("0.005", "KWD").String(); s != "0.005 KWD" {
		t.Errorf("got %q", s)
	}
}

func TestArithmetic(t *testing.T) {
	a, b := MustParse("10.00", "USD"), MustParse("2.50", "USD")
	if s, _ := a.Add(b); s.Amount != 1250 {
		t.Errorf("add %v", s)
	}
	if s, _ := (Money{}).Add(b); s != b {
		t.Errorf("zero adopts currency: %v", s)
	}
	if _, err := a.Add(MustParse("1", "EUR")); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("mismatch err = %v", err)
	}
	if p, _ := b.Mul(3); p.Amount != 750 {
		t.Errorf("mul %v", p)
	}
	if _, err := (Money{Amount: 1 << 62, Currency: "USD"}).Mul(4); err == nil {
		t.Error("overflow must fail")
	}
}

func TestAllocateSumsToWhole(t *testing.T) {
	tests := []struct {
		total   int64
		weights []int64
		want    []int64
	}{
		{100, []int64{1, 1, 1}, []int64{34, 33, 33}},
		{1000, []int64{1999, 2500, 501}, []int64{400, 500, 100}},
		{-100, []int64{1, 1, 1}, []int64{-34, -33, -33}},
		{5, []int64{0, 0}, []int64{3, 2}},
		{1, []int64{3, 7}, []int64{0, 1}},
	}
	for _, tt := range tests {
		parts, err := Money{Amount: tt.total, Currency: "USD"}.Allocate(tt.weights)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for i, p := range parts {
			sum += p.Amount
			if p.Amount != tt.want[i] {
				t.Errorf("Allocate(%d, %v)[%d] = %d, want %d", tt.total, tt.weights, i, p.Amount, tt.want[i])
			}
		}
		if sum != tt.total {
			t.Errorf("parts sum to %d, want %d", sum, tt.total)
		}
	}
}

func FuzzAllocate(f *testing.F) {
	f.Add(int64(1001), int64(3), int64(5), int64(0))
	f.Fuzz(func(t *testing.T, total, a, b, c int64) {
		if total < -1e12 || total > 1e12 || a < 0 || b < 0 || c < 0 || a > 1e9 || b > 1e9 || c > 1e9 {
			return
		}
		parts, err := Money{Amount: total, Currency: "USD"}.Allocate([]int64{a, b, c})
		if err != nil {
			return
		}
		var sum int64
		for _, p := range parts {
			sum += p.Amount
		}
		if sum != total {
			t.Fatalf("sum %d != %d", sum, total)
		}
	})
}
