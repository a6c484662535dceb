package acklist

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
)

// TestAddDrain: ids are kept once each; a drain acknowledges in order,
// drops one refused for good, and on a retryable failure keeps that id
// and the rest for the next drain.
func TestAddDrain(t *testing.T) {
	r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{})
	l := List{State: r.Env.State, Kind: "acks", Name: "test"}
	ctx := context.Background()
	if err := l.Add(ctx, []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	if err := l.Add(ctx, []string{"b", "c", "d"}); err != nil {
		t.Fatal(err)
	}
	if ok, err := l.Has(ctx, "c"); !ok || err != nil {
		t.Fatalf("has c: %v %v", ok, err)
	}
	var acked, refused []string
	err := l.Drain(ctx, func(_ context.Context, id string) error {
		switch id {
		case "b":
			return fault.Permanent(errors.New("cancelled since"))
		case "c":
			return fault.Retryable(errors.New("503"))
		}
		acked = append(acked, id)
		return nil
	}, func(id string, _ error) { refused = append(refused, id) })
	if err == nil || fault.IsPermanent(err) {
		t.Fatalf("drain: %v; want the retryable error", err)
	}
	if strings.Join(acked, ",") != "a" || strings.Join(refused, ",") != "b" {
		t.Fatalf("acked %v refused %v", acked, refused)
	}
	ids, _, _ := l.Load(ctx)
	if strings.Join(ids, ",") != "c,d" {
		t.Fatalf("left %v; want c,d", ids)
	}
	acked = nil
	if err := l.Drain(ctx, func(_ context.Context, id string) error { acked = append(acked, id); return nil }, nil); err != nil {
		t.Fatal(err)
	}
	if ids, _, _ := l.Load(ctx); strings.Join(acked, ",") != "c,d" || len(ids) != 0 {
		t.Fatalf("second drain acked %v, left %v", acked, ids)
	}
}
