package jsonid

import "testing"

func TestTopLevel(t *testing.T) {
	for body, want := range map[string]string{
		`{"id": 9007199254740993, "email": "a@b.c"}`:        "9007199254740993",
		"{\n  \"id\":820982911946154508\n}":                 "820982911946154508",
		`{"id":-1.5e+3,"x":1}`:                              "-1.5e+3",
		`{"email":"a@b.c","line_items":[{"id":1}],"id":42}`: "42",
		`{"id":"123"}`:                    "123",
		`{"id":"abc"}`:                    "",
		`{"id":null}`:                     "",
		`{"id":{"a":1}}`:                  "",
		`{"id":01}`:                       "0", // as the token scan reads it
		`{"id":1x}`:                       "1",
		`{"idx":1}`:                       "",
		`{"order":{"id":7}}`:              "",
		`[{"id":1}]`:                      "",
		`{"a":tru,"id":1}`:                "",
		`{"id":12`:                        "12",
		``:                                "",
		`{"id": 12 , "id": 13}`:           "12",
		`{ "id" : 5e }`:                   "",
		`{"id":9007199254740993.000}`:     "9007199254740993.000",
		`{"name":"x","id":1,"broken":tru`: "1",
	} {
		if got := TopLevel([]byte(body)); got != want {
			t.Errorf("TopLevel(%q) = %q; want %q", body, got, want)
		}
		if got, want := TopLevel([]byte(body)), scan([]byte(body)); got != want {
			t.Errorf("TopLevel(%q) = %q; the token scan says %q", body, got, want)
		}
	}
}

func BenchmarkTopLevel(b *testing.B) {
	body := []byte(`{"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508","email":"jon@example.com","line_items":[{"id":1,"sku":"MUG","quantity":2,"price":"14.95"}]}`)
	b.ReportAllocs()
	for b.Loop() {
		if TopLevel(body) == "" {
			b.Fatal("no id")
		}
	}
}
