package apptest_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/apptest"
)

// pagedLister lists one order per poll and then runs out of rate budget,
// like a platform whose orders need several calls each (BigCommerce).
type pagedLister struct {
	mu      sync.Mutex
	orders  []*model.Order
	cursors []string
}

func (l *pagedLister) Name() string                { return "store" }
func (l *pagedLister) Type() string                { return "paged" }
func (l *pagedLister) CursorAt(t time.Time) string { return "t:" + t.UTC().Format(time.RFC3339) }

func (l *pagedLister) PollOrders(_ context.Context, cursor string) ([]connector.ChannelEvent, string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cursors = append(l.cursors, cursor)
	i := 0
	if len(cursor) > 2 && cursor[:2] == "i:" {
		i = int(cursor[2] - '0')
	}
	if i >= len(l.orders) {
		return nil, cursor, nil
	}
	o := *l.orders[i]
	ev := connector.ChannelEvent{Kind: connector.EventOrderUpdated, ChannelOrderID: o.ChannelOrderID, Order: &o}
	if i == len(l.orders)-1 {
		return []connector.ChannelEvent{ev}, "done", nil
	}
	return []connector.ChannelEvent{ev}, "i:" + string(rune('0'+i+1)), fault.Throttled("paged", time.Now().Add(time.Second))
}

// TestSweepResumesWhereTheRateLimitCutItShort: a sweep the limiter cuts
// short keeps the orders it read, says it was throttled (the queue
// reschedules it), and the next run continues at the cursor the poll
// gave instead of listing from the start again.
func TestSweepResumesWhereTheRateLimitCutItShort(t *testing.T) {
	l := &pagedLister{orders: []*model.Order{
		apptest.NewOrder("store", "1", apptest.Line("1", "MUG", 1)),
		apptest.NewOrder("store", "2", apptest.Line("1", "MUG", 1)),
		apptest.NewOrder("store", "3", apptest.Line("1", "MUG", 1)),
	}}
	r, sup := sweepRig(t, l)
	ctx := context.Background()
	var th *fault.ThrottledError
	for run := 1; run <= 2; run++ {
		rep, err := r.S.Reconcile.SweepNow(ctx, "store", time.Time{})
		if !errors.As(err, &th) || rep.New != 1 {
			t.Fatalf("run %d: %+v %v; want one new order and a throttled error", run, rep, err)
		}
	}
	rep, err := r.S.Reconcile.SweepNow(ctx, "store", time.Time{})
	if err != nil || rep.New != 1 {
		t.Fatalf("last run: %+v %v", rep, err)
	}
	if len(l.cursors) != 3 || l.cursors[1] != "i:1" || l.cursors[2] != "i:2" {
		t.Fatalf("cursors %q: each run must resume where the last one stopped", l.cursors)
	}
	// Done: the next sweep lists from its lookback again.
	_, _ = r.S.Reconcile.SweepNow(ctx, "store", time.Time{})
	if l.cursors[3][:2] != "t:" {
		t.Fatalf("after a whole sweep: cursor %q; want the lookback's", l.cursors[3])
	}
	if r.Drain(); len(sup.Sent()) != 3 {
		t.Errorf("POs sent: %v, want one per order", sup.Sent())
	}
}
