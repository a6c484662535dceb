package storetest

import (
	"errors"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

var leaseCases = []testCase{
	{"ExpiredLeaseRedelivers", testLeaseExpiry},
	{"StaleLeaseIsLost", testStaleLease},
	{"ExtendKeepsLease", testExtend},
	{"LeaseExpiresOnLastAttempt", testLastAttemptExpires},
}

func testLeaseExpiry(h *harness) {
	id := h.enqueue(newJob("q", "x"))
	first := h.dequeue(shortLease, "q")
	second := h.dequeue(longLease, "q") // after first's lease expires
	if second.ID != id {
		h.t.Fatalf("redelivered %s; want %s", second.ID, id)
	}
	if second.Attempt != first.Attempt+1 {
		h.t.Fatalf("Attempt = %d after reclaim; want %d", second.Attempt, first.Attempt+1)
	}
	if second.Lease == first.Lease {
		h.t.Fatal("reclaimed job got the same lease token")
	}
	if string(second.Payload) != "x" {
		h.t.Fatalf("Payload = %q", second.Payload)
	}
	h.ack(second)
	h.expectNone(quiet, "q")
}

func testStaleLease(h *harness) {
	h.enqueue(newJob("q", "x"))
	stale := h.dequeue(shortLease, "q")
	fresh := h.dequeue(longLease, "q")
	staleCopy := *stale
	for _, op := range []struct {
		name string
		do   func() error
	}{
		{"Ack", func() error { return h.s.Ack(h.ctx, &staleCopy) }},
		{"Retry", func() error { return h.s.Retry(h.ctx, &staleCopy, time.Now(), errorf("late"), true) }},
		{"Extend", func() error { return h.s.Extend(h.ctx, &staleCopy, longLease) }},
		{"Bury", func() error { return h.s.Bury(h.ctx, &staleCopy, errorf("late")) }},
	} {
		h.wantErr(op.name+" with a reclaimed lease", op.do(), store.ErrLeaseLost)
	}
	// The stale calls changed nothing: the fresh lease still works.
	h.ack(fresh)
	h.expectNone(quiet, "q")
	if dead := h.deadIDs(0); len(dead) != 0 {
		h.t.Fatalf("stale Bury created dead letters %v", dead)
	}
}

// testExtend: a lease extended before it runs out is kept past its
// original end; another worker sees nothing meanwhile. The extension is
// long (longLease), so no stall of the test can lose it; only the first
// Extend races the short lease, and a test stalled past that lease gets
// ErrLeaseLost, rightly, and tries again.
func testExtend(h *harness) {
	const lease = 2 * shortLease
	h.enqueue(newJob("q", "x"))
	for attempt := 1; ; attempt++ {
		j := h.dequeue(lease, "q")
		leased := time.Now()
		original := j.LeaseUntil
		err := h.s.Extend(h.ctx, j, longLease)
		if errors.Is(err, store.ErrLeaseLost) && time.Since(leased) > lease-clockTolerance && attempt < 5 {
			h.t.Logf("the test stalled %s, past the %s lease, before extending it; again", time.Since(leased), lease)
			continue
		}
		if err != nil {
			h.t.Fatalf("Extend %s into a %s lease: %v", time.Since(leased), lease, err)
		}
		if !j.LeaseUntil.After(original) {
			h.t.Fatalf("Extend left LeaseUntil at %s (was %s)", j.LeaseUntil, original)
		}
		// Another worker sees nothing, well past the original end.
		h.expectNone(time.Until(original)+lease, "q")
		prev := j.LeaseUntil
		if err := h.s.Extend(h.ctx, j, longLease); err != nil {
			h.t.Fatalf("second Extend: %v", err)
		}
		if j.LeaseUntil.Before(prev) {
			h.t.Fatalf("second Extend moved LeaseUntil back from %s to %s", prev, j.LeaseUntil)
		}
		h.ack(j)
		return
	}
}

func testLastAttemptExpires(h *harness) {
	j := newJob("q", "poison")
	j.MaxAttempts = 2
	id := h.enqueue(j)
	if got := h.dequeue(shortLease, "q"); got.Attempt != 1 {
		h.t.Fatalf("Attempt = %d; want 1", got.Attempt)
	}
	if got := h.dequeue(shortLease, "q"); got.Attempt != 2 {
		h.t.Fatalf("Attempt = %d; want 2", got.Attempt)
	}
	var dead *store.Job
	h.eventually(patience, "the job whose last lease expired is a dead letter", func() bool {
		d, err := h.s.DeadLetter(h.ctx, id)
		dead = d
		return err == nil
	})
	if len(dead.Errors) == 0 {
		h.t.Fatal("dead letter records no error for the expired lease")
	}
	if string(dead.Payload) != "poison" {
		h.t.Fatalf("Payload = %q", dead.Payload)
	}
	h.expectNone(quiet, "q")
}
