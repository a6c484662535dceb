package decimal

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Decimal
		str  string
	}{
		{"0", Decimal{0, 0}, "0"},
		{"19.99", Decimal{1999, 2}, "19.99"},
		{"-0.5", Decimal{-5, 1}, "-0.5"},
		{"+7.", Decimal{7, 0}, "7"},
		{".25", Decimal{25, 2}, "0.25"},
		{"9223372036854775807", Decimal{9223372036854775807, 0}, "9223372036854775807"},
		{"0.000000000000000001", Decimal{1, 18}, "0.000000000000000001"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.in, err)
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if got.String() != tt.str {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got.String(), tt.str)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{"", "-", ".", "1.2.3", "1e5", "1,5", " 1", "12a", "0x10", "9223372036854775808", "1.0000000000000000001"} {
		if d, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %v, want error", in, d)
		}
	}
	_, err := Parse("99999999999999999999")
	if !errors.Is(err, ErrOverflow) {
		t.Errorf("overflow error = %v, want ErrOverflow", err)
	}
}

func TestImplied(t *testing.T) {
	d, err := ParseImplied("843202", 2)
	if err != nil || d.String() != "8432.02" {
		t.Fatalf("ParseImplied = %v, %v; want 8432.02", d, err)
	}
	if _, err := ParseImplied("84.32", 2); err == nil {
		t.Error("ParseImplied with a point must fail")
	}
}

func TestArithmetic(t *testing.T) {
	a, b := MustParse("1.5"), MustParse("2.25")
	if s, _ := a.Add(b); s.String() != "3.75" {
		t.Errorf("add = %s", s)
	}
	if s, _ := a.Sub(b); s.String() != "-0.75" {
		t.Errorf("sub = %s", s)
	}
	if p, _ := a.Mul(b); p.String() != "3.375" {
		t.Errorf("mul = %s", p)
	}
	if !MustParse("1.50").Equal(MustParse("1.5")) {
		t.Error("1.50 != 1.5")
	}
	if MustParse("-2").Cmp(MustParse("1.99")) != -1 {
		t.Error("cmp")
	}
	if _, err := MustParse("9223372036854775807").Add(FromInt(1)); !errors.Is(err, ErrOverflow) {
		t.Errorf("add overflow err = %v", err)
	}
	if r := MustParse("2.345").Round(2); r.String() != "2.35" {
		t.Errorf("round = %s", r)
	}
	if r := MustParse("-2.345").Round(2); r.String() != "-2.35" {
		t.Errorf("round neg = %s", r)
	}
	if _, err := MustParse("2.345").Rescale(2); err == nil {
		t.Error("lossy rescale must fail")
	}
	if r, err := MustParse("2.300").Rescale(1); err != nil || r.String() != "2.3" {
		t.Errorf("rescale = %v %v", r, err)
	}
}

func TestJSON(t *testing.T) {
	var v struct{ A, B Decimal }
	if err := json.Unmarshal([]byte(`{"A":"12.30","B":0.1}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A.String() != "12.30" || v.B.String() != "0.1" {
		t.Errorf("got %s %s", v.A, v.B)
	}
	out, _ := json.Marshal(v)
	if string(out) != `{"A":"12.30","B":"0.1"}` {
		t.Errorf("marshal = %s", out)
	}
	if err := json.Unmarshal([]byte(`{"A":1e3}`), &v); err == nil {
		t.Error("exponent must be refused")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "1.5", "-12.340", ".9", "99999999999999999999", "1e5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Parse(s)
		if err != nil {
			return
		}
		back, err := Parse(d.String())
		if err != nil || back != d {
			t.Fatalf("round trip %q → %s → %v (%v)", s, d, back, err)
		}
	})
}
