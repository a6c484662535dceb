package connenv

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// TestInstancesAreIsolated: two instances of a type see only their own
// records, counters and claims; counter names keep the historical
// "<namespace>:<name>:<counter>" form.
func TestInstancesAreIsolated(t *testing.T) {
	st, err := embedded.Open(filepath.Join(t.TempDir(), "db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	a := New(st, Options{Name: "acme", Namespace: "x12"})
	b := New(st, Options{Name: "zeta", Namespace: "x12"})
	if _, err := a.State.PutRecord(ctx, store.Record{Kind: "cursor", ID: "1", Data: []byte("a")}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.State.GetRecord(ctx, "cursor", "1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("b read a's record: %v", err)
	}
	if rec, err := a.State.GetRecord(ctx, "cursor", "1"); err != nil || rec.Kind != "cursor" || string(rec.Data) != "a" {
		t.Errorf("a's record = %+v, %v", rec, err)
	}
	if recs, _, _ := a.State.ListRecords(ctx, "cursor", store.Query{}); len(recs) != 1 || recs[0].Kind != "cursor" {
		t.Errorf("list = %+v", recs)
	}
	n1, _ := a.Counters.NextCounter(ctx, "interchange", "")
	n2, _ := b.Counters.NextCounter(ctx, "interchange", "")
	if n1 != 1 || n2 != 1 {
		t.Errorf("counters not separate: %d %d", n1, n2)
	}
	if n, _ := st.NextCounter(ctx, "x12:acme:interchange", ""); n != 2 {
		t.Errorf("the counter is not x12:acme:interchange (next %d)", n)
	}
	if ok, _ := a.Claims.Claim(ctx, "k", 0); !ok {
		t.Fatal("claim")
	}
	if ok, _ := b.Claims.Claim(ctx, "k", 0); !ok {
		t.Error("b's claim collided with a's")
	}
}
