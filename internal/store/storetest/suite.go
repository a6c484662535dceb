// Package storetest is the conformance suite of core/store: every driver
// (embedded, redis, …) runs it from its own tests and must pass all of it.
//
//	func TestConformance(t *testing.T) {
//		storetest.RunFactory(t, storetest.Factory{Open: open, Reopen: reopen})
//	}
//
// The suite knows nothing of any driver. It asserts no speed: what must
// happen is awaited (a driver may reclaim leases or expire keys on a
// periodic sweep within a few seconds) with patience as a hang guard;
// what must not happen before an instant is checked against clock
// readings taken around the calls, so a stalled test or a loaded machine
// cannot fail it; waits the limiter computes are checked against the
// time that passed between the calls. A driver whose clock (a server's)
// is more than clockTolerance off the test's will fail the "not before"
// checks.
//
// A driver that also polls (looks for work without being told) must set
// its polling interval above patience in its Factory: the wake-up test
// then proves notification, not polling.
//
// Beyond the comments in core/store, the suite pins down these choices,
// which every driver must share:
//   - the first delivery of a job has Attempt 1; Retry with countAttempt
//     false gives the attempt back, so the next delivery repeats the number;
//   - Enqueue with the ID of a job still stored returns ErrDuplicate;
//   - a job whose lease expires on its last attempt (MaxAttempts) is
//     dead-lettered, not delivered again;
//   - Ack, Retry, Extend and Bury with a lease that was reclaimed return
//     ErrLeaseLost; Extend updates j.LeaseUntil;
//   - groups are scoped to their queue; a replayed job joins the tail;
//   - PutRecord with Version 0 keeps rec.Created when it is set;
//   - ready jobs of one queue (without groups) are delivered oldest first;
//   - QueueStats.Keys may be nil; when a driver fills it, it counts the
//     queue's ready, scheduled and waiting jobs per Job.Key.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// Factory makes the stores the suite runs against.
type Factory struct {
	// Open returns a fresh, empty store, isolated from every other store
	// it returns (subtests run in parallel unless Serial is set). The
	// suite closes it.
	Open func(t *testing.T) store.Store
	// Reopen closes old and returns a store over the same data, as a new
	// process would see it. Nil when the driver cannot; the durability
	// tests are then skipped.
	Reopen func(t *testing.T, old store.Store) store.Store
	// Serial runs the subtests one at a time.
	Serial bool
}

// Run runs the suite without the durability tests.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	RunFactory(t, Factory{Open: open})
}

// RunFactory runs the whole suite.
func RunFactory(t *testing.T, f Factory) {
	if f.Open == nil {
		t.Fatal("storetest: Factory.Open is nil")
	}
	sections := []struct {
		name  string
		cases []testCase
	}{
		{"Queue", queueCases},
		{"Leases", leaseCases},
		{"Retry", retryCases},
		{"DeadLetters", deadLetterCases},
		{"Unique", uniqueCases},
		{"Groups", groupCases},
		{"Concurrency", concurrencyCases},
		{"Stats", statsCases},
		{"Records", recordCases},
		{"Counters", counterCases},
		{"Blobs", blobCases},
		{"Claims", claimCases},
		{"Limiter", limiterCases},
		{"Durability", durabilityCases},
		{"Complete", completeCases},
	}
	for _, sec := range sections {
		t.Run(sec.name, func(t *testing.T) {
			if !f.Serial {
				t.Parallel()
			}
			for _, tc := range sec.cases {
				t.Run(tc.name, func(t *testing.T) {
					if !f.Serial {
						t.Parallel()
					}
					tc.run(newHarness(t, f))
				})
			}
		})
	}
}

// testCase is one promise of the interface.
type testCase struct {
	name string
	run  func(h *harness)
}

// Timing. The bounds are generous on purpose: they catch a driver that
// never does something, not one that is slow.
const (
	// patience is how long to wait for something that must happen.
	patience = 10 * time.Second
	// quiet is how long to watch for something that must not happen.
	quiet = 300 * time.Millisecond
	// longLease is a lease no test outlives.
	longLease = time.Minute
	// shortLease is a lease tests let expire.
	shortLease = 500 * time.Millisecond
	// skew bounds disagreement between the test's clock and the driver's
	// (a server clock) when comparing recorded timestamps.
	skew = 5 * time.Second
	// clockTolerance is how far the driver's clock may be off the test's
	// in the "not before" checks, where skew would hide a real bug.
	clockTolerance = 100 * time.Millisecond
)

// harness is one test's store and context.
type harness struct {
	t   *testing.T
	f   Factory
	s   store.Store
	ctx context.Context
}

func newHarness(t *testing.T, f Factory) *harness {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	h := &harness{t: t, f: f, ctx: ctx}
	h.s = f.Open(t)
	if h.s == nil {
		t.Fatal("storetest: Open returned nil")
	}
	t.Cleanup(func() {
		if err := h.s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h
}

// reopen simulates a restart; the test is skipped when unsupported.
func (h *harness) reopen() {
	h.t.Helper()
	if h.f.Reopen == nil {
		h.t.Skip("driver does not support Reopen")
	}
	h.s = h.f.Reopen(h.t, h.s)
	if h.s == nil {
		h.t.Fatal("storetest: Reopen returned nil")
	}
}

func (h *harness) needReopen() {
	h.t.Helper()
	if h.f.Reopen == nil {
		h.t.Skip("driver does not support Reopen")
	}
}
