package redis

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// TestEnqueueBatch: one pipeline enqueues several jobs; each is refused
// or stored on its own, and the stored ones run in the batch's order.
func TestEnqueueBatch(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			o := tg.opts(t)
			prefix := testPrefix()
			t.Cleanup(func() { wipe(t, o, prefix) })
			s := openPrefixed(t, o, prefix)
			defer s.Close()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if _, err := s.Enqueue(ctx, store.Job{ID: "taken", Queue: "q", Kind: "k"}); err != nil {
				t.Fatal(err)
			}
			ids, errs, err := s.EnqueueBatch(ctx, []store.Job{
				{Queue: "q", Kind: "k", Payload: []byte("1")},
				{ID: "taken", Queue: "q", Kind: "k", Payload: []byte("dup")},
				{Queue: "q", Kind: "k", Payload: []byte("2"), Meta: map[string]string{"m": "v"}},
				{Kind: "no queue"},
				{Queue: "q", Kind: "k", Payload: []byte("3"), UniqueKey: "u", UniqueTTL: time.Minute},
				{Queue: "q", Kind: "k", Payload: []byte("4"), UniqueKey: "u"},
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range []bool{true, false, true, false, true, false} {
				if (errs[i] == nil) != want || (ids[i] != "") != want {
					t.Errorf("job %d: id %q, err %v; want stored %v", i, ids[i], errs[i], want)
				}
			}
			for _, i := range []int{1, 5} {
				if !errors.Is(errs[i], store.ErrDuplicate) {
					t.Errorf("job %d: %v, want ErrDuplicate", i, errs[i])
				}
			}
			var got []string
			for range 4 {
				j, err := s.Dequeue(ctx, []string{"q"}, time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, string(j.Payload))
				if string(j.Payload) == "2" && j.Meta["m"] != "v" {
					t.Errorf("job 2's meta: %v", j.Meta)
				}
				if err := s.Ack(ctx, j); err != nil {
					t.Fatal(err)
				}
			}
			if want := []string{"", "1", "2", "3"}; len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
				t.Errorf("ran %q, want %q (the taken job, then the batch in order)", got, want)
			}
		})
	}
}
