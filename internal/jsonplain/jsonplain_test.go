package jsonplain

import (
	"encoding/json"
	"testing"
)

// String never says "as is" for a string the encoder changes; it may be
// cautious (DEL, non-ASCII) and leave those to the encoder.
func TestStringMatchesEncoder(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, "job_2Xk9": true, "webhook:shop/d-1 x~": true,
		`a"b`: false, `a\b`: false, "<": false, ">": false, "&": false, "\n": false,
		"\x7f": false, "é": false, "\xff": false, "\u2028": false,
	} {
		got := String(s)
		if got != want {
			t.Errorf("String(%q) = %v, want %v", s, got, want)
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got && string(b) != `"`+s+`"` {
			t.Errorf("String(%q) is true but the encoder writes %s", s, b)
		}
	}
}

// TestAppendMapMatchesEncoder: for plain maps AppendMap writes what
// encoding/json writes, and Map refuses any map with a key or value the
// encoder would change.
func TestAppendMapMatchesEncoder(t *testing.T) {
	for _, m := range []map[string]string{
		{},
		{"status": "sent"},
		{"supplier.acme": "1", "status": "routed", "channel": "shop", "b": "", "a": "x"},
		{"k1": "1", "k2": "2", "k3": "3", "k4": "4", "k5": "5", "k6": "6", "k7": "7", "k8": "8", "k9": "9", "k10": "10"},
	} {
		if !Map(m) {
			t.Fatalf("Map(%v) = false", m)
		}
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendMap(nil, m); string(got) != string(want) {
			t.Errorf("AppendMap(%v) = %s; encoding/json writes %s", m, got, want)
		}
	}
	for _, m := range []map[string]string{{"a<": "x"}, {"a": "é"}, {"a": `"`}} {
		if Map(m) {
			t.Errorf("Map(%v) = true; the encoder escapes it", m)
		}
	}
}

// FuzzAppendMap: whenever Map says a map is plain, AppendMap's bytes are
// encoding/json's.
func FuzzAppendMap(f *testing.F) {
	f.Add("status", "sent", "channel", "shop")
	f.Add("a", "<", "b", "é")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		m := map[string]string{k1: v1, k2: v2}
		if !Map(m) {
			return
		}
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendMap(nil, m); string(got) != string(want) {
			t.Fatalf("AppendMap(%q) = %s; encoding/json writes %s", m, got, want)
		}
	})
}
