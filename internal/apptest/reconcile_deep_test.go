package apptest_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/apptest"
)

// cursorLister is a channel whose listing is costly: it declares a deep
// sweep every hour (Caps.SweepDeepEvery), returns a cursor of its own
// ("c:N") after each poll, and is told which events were taken in.
type cursorLister struct {
	mu      sync.Mutex
	cursors []string
	taken   []string
	polls   int
}

func (l *cursorLister) Name() string                { return "store" }
func (l *cursorLister) Type() string                { return "costly" }
func (l *cursorLister) CursorAt(t time.Time) string { return "t:" + t.UTC().Format(time.RFC3339) }

func (l *cursorLister) Capabilities() connector.Caps {
	return connector.Caps{Offers: []connector.Capability{connector.CapPollOrders},
		PollEvery: 5 * time.Minute, SweepLookback: 2 * time.Hour, SweepDeepEvery: time.Hour}
}

func (l *cursorLister) PollOrders(_ context.Context, cursor string) ([]connector.ChannelEvent, string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cursors = append(l.cursors, cursor)
	l.polls++
	n := strconv.Itoa(l.polls)
	o := apptest.NewOrder("store", n, apptest.Line("1", "MUG", 1))
	return []connector.ChannelEvent{{Kind: connector.EventOrderUpdated, ChannelOrderID: n, Order: o}}, "c:" + n, nil
}

func (l *cursorLister) TakenIn(_ context.Context, evs []connector.ChannelEvent) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ev := range evs {
		l.taken = append(l.taken, ev.ChannelOrderID)
	}
	return nil
}

func (l *cursorLister) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cursors[len(l.cursors)-1]
}

// TestScheduledSweepsListFromTheCursorBetweenDeepOnes: for a channel that
// declares SweepDeepEvery, the first scheduled sweep lists the lookback,
// the next ones continue at the cursor the last poll returned, and once
// SweepDeepEvery has passed one lists the lookback again (from the last
// sweep's start); a manual sweep always lists the lookback. Each sweep
// hands the events it took in back to the connector.
func TestScheduledSweepsListFromTheCursorBetweenDeepOnes(t *testing.T) {
	l := &cursorLister{}
	r, _ := sweepRig(t, l)
	ctx := context.Background()
	sweep := func(what, want string) {
		t.Helper()
		if err := r.S.Reconcile.Schedule(ctx, r.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		r.Drain()
		if got := l.last(); got != want {
			t.Fatalf("%s: polled from %q; want %q", what, got, want)
		}
	}
	lookback := func(start time.Time) string { return l.CursorAt(start.Add(-2 * time.Hour)) }
	first := r.Clock.Now()
	sweep("first sweep", lookback(first))
	prev := first
	for i := 1; i <= 11; i++ {
		r.Clock.Advance(5 * time.Minute)
		sweep("sweep "+strconv.Itoa(i+1), "c:"+strconv.Itoa(i))
		prev = r.Clock.Now()
	}
	r.Clock.Advance(5 * time.Minute) // an hour after the deep one
	sweep("the hourly deep sweep", lookback(prev))
	r.Clock.Advance(5 * time.Minute)
	sweep("after the deep sweep", "c:13")
	if _, err := r.S.Reconcile.SweepNow(ctx, "store", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := l.last(); !strings.HasPrefix(got, "t:") {
		t.Errorf("manual sweep polled from %q; want the lookback", got)
	}
	if len(l.taken) != len(l.cursors) {
		t.Errorf("events handed back %v for %d polls; want each poll's order", l.taken, len(l.cursors))
	}
}
