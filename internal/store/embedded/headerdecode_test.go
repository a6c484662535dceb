package embedded

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// headerCases are headers of every shape the store writes: the hand
// reader takes those appendHeader writes, encoding/json the rest.
func headerCases() map[string]header {
	return map[string]header{
		"minimal": {ID: "job_1", Queue: "q", Status: statusPending},
		"full": {
			ID: "job_2Xk9", Queue: "webhooks", Kind: "orders.webhook", Meta: map[string]string{"z": "1", "a": "two", "m": ""},
			Group: "order:shop/1", Key: "shopify:shop", UniqueKey: "webhook:shop:d-1", UniqueTTL: 72 * time.Hour,
			UniqueExp: 1_700_259_200_000_000_001, MaxAttempts: 25, Seq: 7, Status: statusLeased, Attempt: 3,
			RunAt: 1_700_000_000_123_456_789, CreatedAt: 1_700_000_000_000_000_001, DeadAt: -5,
		},
		"empty meta": {ID: "job_1", Queue: "q", Meta: map[string]string{}, Status: statusPending, RunAt: 1, CreatedAt: 1},
		"escaped":    {ID: `job_"<&>"`, Queue: "q", Meta: map[string]string{"k": "é\n"}, Status: statusPending},
		"errors": {ID: "job_1", Queue: "q", Status: statusDead,
			Errors: []store.AttemptError{{Attempt: 1, At: time.Unix(5, 0).UTC(), Error: "boom"}}},
	}
}

func TestDecodeHeaderReadsWhatIsWritten(t *testing.T) {
	for name, h := range headerCases() {
		t.Run(name, func(t *testing.T) {
			b, err := encodeHeader(&h)
			if err != nil {
				t.Fatal(err)
			}
			var got header
			if err := decodeHeader(b, &got); err != nil {
				t.Fatalf("decode %s: %v", b, err)
			}
			want := h
			if len(want.Meta) == 0 {
				want.Meta = nil // omitted when empty
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("decode %s:\n got %+v\nwant %+v", b, got, want)
			}
		})
	}
}

// The hand reader takes the headers appendHeader writes; the others
// (escapes, an errors list) and anything unusual go to encoding/json.
func TestDecodeHeaderPlainTakesOnlyPlainForm(t *testing.T) {
	cases := headerCases()
	for _, name := range []string{"minimal", "full", "empty meta"} {
		h := cases[name]
		b, _ := encodeHeader(&h)
		var got header
		if !decodeHeaderPlain(b, &got) {
			t.Errorf("%s: %s not read by hand", name, b)
		}
	}
	for _, v := range []string{
		`{"id":"j","q":"q","st":"p","e":[{"a":1}]}`, // an errors list
		`{"id":"j\"","q":"q"}`,                      // an escape
		`{"ID":"j"}`,                                // encoding/json folds case
		`{"id":"j","id":"k"}`,                       // repeated
		`{"id":"j","extra":1}`,                      // unknown
		`{"max":1.5}`, `{"max":01}`, `{"max":1e3}`, `{"seq":-1}`, `{"m":null}`,
		`{"max":99999999999999999999}`,
		` {"id":"j"}`, `{"id":"j"} `, `{"id":"j",}`, `{"id":"é"}`,
	} {
		var got header
		if decodeHeaderPlain([]byte(v), &got) {
			t.Errorf("%s read by hand, want encoding/json to judge", v)
		}
	}
}

// FuzzDecodeHeader: whatever the hand reader accepts, encoding/json
// accepts too and decodes to the same header.
func FuzzDecodeHeader(f *testing.F) {
	for _, h := range headerCases() {
		b, _ := json.Marshal(&h)
		f.Add(b)
		if b, ok := appendHeader(nil, &h); ok {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"m":{"a":"1","a":"2"},"max":-0,"seq":18446744073709551615}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var plain header
		if !decodeHeaderPlain(b, &plain) {
			return
		}
		var std header
		if err := json.Unmarshal(b, &std); err != nil {
			t.Fatalf("%q: hand reader accepted, encoding/json: %v", b, err)
		}
		if !reflect.DeepEqual(plain, std) {
			t.Fatalf("%q:\nhand %+v\njson %+v", b, plain, std)
		}
	})
}

// BenchmarkDecodeHeader: a webhook job's header, by hand and by
// encoding/json (the reference).
func BenchmarkDecodeHeader(b *testing.B) {
	h := header{
		ID: "job_2Xk9aQ7", Queue: "webhooks", Kind: "orders.webhook", Meta: map[string]string{"channel": "shop"},
		Key: "shopify:shop", UniqueKey: "webhook:shop:0d6f4c1e-3f1a-4d7e-9b5a-1c2d3e4f5a6b", UniqueTTL: 72 * time.Hour,
		UniqueExp: 1_700_259_200_000_000_001, MaxAttempts: 25, Status: statusLeased, Attempt: 1,
		RunAt: 1_700_000_000_123_456_789, CreatedAt: 1_700_000_000_000_000_001,
	}
	v, _ := encodeHeader(&h)
	b.Run("hand", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var got header
			if err := decodeHeader(v, &got); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var got header
			if err := json.Unmarshal(v, &got); err != nil {
				b.Fatal(err)
			}
		}
	})
}
