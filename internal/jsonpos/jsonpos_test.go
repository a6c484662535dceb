package jsonpos

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestWhere(t *testing.T) {
	var v struct {
		A struct {
			N int `json:"n"`
		} `json:"a"`
	}
	cases := map[string]struct{ body, want string }{
		"syntax":    {"{\n  \"a\": {\"n\": 1,,}\n}", "line 2, column 16"},
		"truncated": {"{\"a\":\n{\"n\"", "line 2, column 5: the payload ends early"},
		"type":      {"{\"a\": {\"n\": \"x\"}}", "($.a.n): expected int, got JSON string"},
		"empty":     {"", "line 1, column 1: the payload ends early"},
	}
	for name, c := range cases {
		err := Where([]byte(c.body), json.NewDecoder(strings.NewReader(c.body)).Decode(&v))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want it to say %q", name, err, c.want)
		}
	}
}

// Decode keeps numbers exact and says where a body broke.
func TestDecode(t *testing.T) {
	var v struct {
		Amount any `json:"amount"`
	}
	if err := Decode([]byte(`{"amount": 12345678901234567.89}`), &v); err != nil || v.Amount != json.Number("12345678901234567.89") {
		t.Fatalf("amount %#v, %v; want the json.Number as written", v.Amount, err)
	}
	if err := Decode([]byte("{\n\"amount\": 1,,}"), &v); err == nil || !strings.Contains(err.Error(), "line 2, column 13") {
		t.Fatalf("bad body: %v; want its line and column", err)
	}
}
