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
