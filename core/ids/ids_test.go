package ids

import (
	"regexp"
	"testing"
)

func TestDeriveIsStableAndUnambiguous(t *testing.T) {
	if Derive(16, "a", "b") != Derive(16, "a", "b") {
		t.Error("not deterministic")
	}
	// Length-prefixed parts: ("ab","c") and ("a","bc") differ.
	if Derive(16, "ab", "c") == Derive(16, "a", "bc") {
		t.Error("parts are ambiguous")
	}
	if n := len(Derive(16, "x")); n != 16 {
		t.Errorf("len = %d", n)
	}
	if !regexp.MustCompile(`^[0-9A-Za-z]+$`).MatchString(Derive(43, "x")) {
		t.Error("not base62")
	}
}

func TestNewIsRandomAndPrefixed(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := New("job")
		if seen[id] || !regexp.MustCompile(`^job_[0-9A-Za-z]{20,22}$`).MatchString(id) {
			t.Fatalf("id %q", id)
		}
		seen[id] = true
	}
}

func TestUpper(t *testing.T) {
	u := Upper(10, "order", "acme", "1")
	if u != Upper(10, "order", "acme", "1") || !regexp.MustCompile(`^[0-9A-HJ-NP-Z]{10}$`).MatchString(u) {
		t.Errorf("Upper = %q", u)
	}
	if u == Upper(10, "order", "acme", "2") {
		t.Error("different inputs gave the same code")
	}
}
