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
