package http_api

import (
	"reflect"
	"testing"
)

// FuzzPath feeds arbitrary paths and documents to the evaluator. It must
// never panic; a path it accepts must print (String) as a path that
// compiles to the same steps; and every concrete path it reports for a
// match must itself compile and select exactly that value.
func FuzzPath(f *testing.F) {
	for _, p := range []string{"$", "$.order.id", "order.lines[*].sku", `$["odd key"][0]`, "$.a[*][*]", `$["\u00e9\"]"]`, "$.$", "[3]"} {
		f.Add(p, []byte(pathDoc))
	}
	f.Add("$.a", []byte(`{"a":[1,{"b":null}],"c":"\ud800"}`))
	f.Fuzz(func(t *testing.T, path string, data []byte) {
		p, err := ParsePath(path)
		if err != nil {
			return
		}
		canon := p.String()
		q, err := ParsePath(canon)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not compile: %v", path, canon, err)
		}
		if q.String() != canon || !reflect.DeepEqual(normalize(p.steps), normalize(q.steps)) {
			t.Fatalf("%q → %q → %q: steps differ", path, canon, q.String())
		}
		doc, err := decodeJSON(data)
		if err != nil {
			return
		}
		for _, m := range p.Eval(doc, "$") {
			c, err := ParsePath(m.Path)
			if err != nil {
				t.Fatalf("concrete path %q does not compile: %v", m.Path, err)
			}
			got := c.Eval(doc, "$")
			if len(got) != 1 || got[0].Path != m.Path || !reflect.DeepEqual(got[0].Value, m.Value) {
				t.Fatalf("concrete path %q selects %v, want %v", m.Path, got, m.Value)
			}
		}
		_, _ = p.First(doc, "$")
	})
}

func normalize(s []step) []step {
	if len(s) == 0 {
		return nil
	}
	return s
}
