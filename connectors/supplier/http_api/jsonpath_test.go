package http_api

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

const pathDoc = `{
  "order": {"id": 9007199254740993, "status": "shipped", "odd key": {"x": 1}, "none": null,
    "lines": [{"line": 1, "sku": "A", "qty": 2.0}, {"line": 2, "sku": "B", "qty": "3"}, {"line": 3}]},
  "tracking": [["1Z1", "1Z2"], ["1Z3"]],
  "$": "dollar"
}`

func TestPathEval(t *testing.T) {
	doc, err := decodeJSON([]byte(pathDoc))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path  string
		paths []string
		want  []string // text of each match
	}{
		{"$.order.id", []string{"$.order.id"}, []string{"9007199254740993"}},
		{"order.id", []string{"$.order.id"}, []string{"9007199254740993"}},
		{"$.order.lines[1].sku", []string{"$.order.lines[1].sku"}, []string{"B"}},
		{"$.order.lines[*].sku", []string{"$.order.lines[0].sku", "$.order.lines[1].sku"}, []string{"A", "B"}},
		{"$.order.lines[*].qty", []string{"$.order.lines[0].qty", "$.order.lines[1].qty"}, []string{"2.0", "3"}},
		{`$.order["odd key"].x`, []string{`$.order["odd key"].x`}, []string{"1"}},
		{`$["order"]["status"]`, []string{"$.order.status"}, []string{"shipped"}},
		{"$.tracking[*][*]", []string{"$.tracking[0][0]", "$.tracking[0][1]", "$.tracking[1][0]"}, []string{"1Z1", "1Z2", "1Z3"}},
		{"$.order.lines[7]", nil, nil},
		{"$.order.id.deeper", nil, nil},
		{"$.order.lines.sku", nil, nil},
		{"$.order.none", []string{"$.order.none"}, []string{""}},
		{"$.$", []string{`$["$"]`}, []string{"dollar"}},
	}
	for _, tt := range tests {
		p, err := ParsePath(tt.path)
		if err != nil {
			t.Errorf("%s: %v", tt.path, err)
			continue
		}
		var paths, texts []string
		for _, m := range p.Eval(doc, "$") {
			s, err := text(m)
			if err != nil {
				t.Errorf("%s: %v", tt.path, err)
			}
			paths, texts = append(paths, m.Path), append(texts, s)
		}
		if !reflect.DeepEqual(paths, tt.paths) || !reflect.DeepEqual(texts, tt.want) {
			t.Errorf("%s: got %v %v, want %v %v", tt.path, paths, texts, tt.paths, tt.want)
		}
	}
}

func TestPathErrors(t *testing.T) {
	for _, tt := range []struct{ path, want string }{
		{"", "empty"},
		{"$.", "offset 2: expected a member name"},
		{"$..a", "offset 2"},
		{"$.a[", "unterminated"},
		{"$.a[-1]", "expected *, an index"},
		{"$.a[01]", "not a whole number"},
		{"$.a[99999999999]", "not a whole number"},
		{"$.a[x]", "expected *, an index"},
		{"$.a[*", "unterminated"},
		{`$["a"`, "expected ]"},
		{`$["a\q"]`, "bad quoted member name"},
		{"$a", "offset 1: unexpected"},
		{"a b", "offset 1: unexpected"},
		{"$.a b", "offset 3"},
		{"'a'", "expected $"},
	} {
		_, err := ParsePath(tt.path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: got %v, want …%s…", tt.path, err, tt.want)
		}
	}
}

func TestValues(t *testing.T) {
	for _, tt := range []struct {
		in   any
		want int64
		err  string
	}{
		{json.Number("2"), 2, ""},
		{json.Number("2.000"), 2, ""},
		{"7", 7, ""},
		{json.Number("2.5"), 0, "not a whole number"},
		{json.Number("1e2"), 0, "not a plain decimal"},
		{json.Number("-1"), 0, "not a whole number"},
		{json.Number("99999999999999999999"), 0, "not a plain decimal"},
		{true, 0, "expected a quantity"},
	} {
		got, err := quantity(Match{Path: "$.q", Value: tt.in})
		if tt.err == "" && (err != nil || got != tt.want) || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("quantity(%v) = %d, %v", tt.in, got, err)
		}
	}
	if _, err := decodeJSON([]byte(`{"a":1} {"b":2}`)); err == nil || !strings.Contains(err.Error(), "after the document") {
		t.Errorf("trailing document: %v", err)
	}
	if _, err := decodeJSON([]byte(`{"a":1}}`)); err == nil {
		t.Error("a stray brace was accepted")
	}
	if _, err := decodeJSON([]byte(`{"a":`)); err == nil {
		t.Error("a truncated document was accepted")
	}
	for _, s := range []string{`"2026-11-27T09:00:00Z"`, `"2026-11-27T10:00:00+01:00"`, `"2026-11-27T09:00:00"`, `1795770000`} {
		v, _ := decodeJSON([]byte(s))
		if ts, err := timestamp(Match{Path: "$", Value: v}); err != nil || ts.IsZero() {
			t.Errorf("timestamp(%s) = %v, %v", s, ts, err)
		}
	}
}
