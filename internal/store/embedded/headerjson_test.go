package embedded

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// The hand-written encoders must write what encoding/json writes: the
// file is read back with json.Unmarshal, and recovery depends on it.
func TestEncodeHeaderMatchesJSON(t *testing.T) {
	full := header{
		ID: "job_2Xk9", Queue: "webhooks", Kind: "orders.webhook", Meta: map[string]string{"z": "1", "a": "two", "m": ""},
		Group: "order:shop/1", Key: "shopify:shop", UniqueKey: "webhook:shop:d-1", UniqueTTL: 72 * time.Hour,
		UniqueExp:   1_700_259_200_000_000_001,
		MaxAttempts: 25, Seq: 7, Status: statusLeased, Attempt: 3, RunAt: 1_700_000_000_123_456_789,
		CreatedAt: 1_700_000_000_000_000_001, DeadAt: -5,
	}
	nineMeta := map[string]string{}
	for _, k := range []string{"i", "h", "g", "f", "e", "d", "c", "b", "a"} {
		nineMeta[k] = k + k
	}
	cases := map[string]header{
		"minimal":            {ID: "job_1", Queue: "q", Status: statusPending},
		"full":               full,
		"empty meta omitted": {ID: "job_1", Queue: "q", Meta: map[string]string{}, Status: statusPending, RunAt: 1, CreatedAt: 1},
		"nine meta keys":     {ID: "job_1", Queue: "q", Meta: nineMeta, Status: statusPending},
		"escaped id":         {ID: `job_"<&>"`, Queue: "q", Status: statusPending},
		"escaped meta":       {ID: "job_1", Queue: "q", Meta: map[string]string{"k": "é\n"}, Status: statusPending},
		"escaped meta key":   {ID: "job_1", Queue: "q", Meta: map[string]string{"<k>": "v"}, Status: statusPending},
		"errors": {ID: "job_1", Queue: "q", Status: statusDead,
			Errors: []store.AttemptError{{Attempt: 1, At: time.Unix(5, 0).UTC(), Error: "boom"}}},
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(&h)
			if err != nil {
				t.Fatal(err)
			}
			got, err := encodeHeader(&h)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("encodeHeader:\n got %s\nwant %s", got, want)
			}
			var back header
			if err := json.Unmarshal(got, &back); err != nil || back.ID != h.ID || back.Meta["a"] != h.Meta["a"] {
				t.Fatalf("decoded back %+v, %v", back, err)
			}
		})
	}
}
