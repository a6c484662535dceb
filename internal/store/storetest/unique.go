package storetest

import (
	"time"

	"github.com/dropgate/dropgate/core/store"
)

var uniqueCases = []testCase{
	{"DuplicateStoresNothing", testUniqueDuplicate},
	{"TTLExpires", testUniqueTTL},
	{"TTLOutlivesAck", testUniqueTTLOutlivesAck},
	{"LifetimeKeyReleasedByAck", testUniqueLifetime},
}

func uniqueJob(payload, key string, ttl time.Duration) store.Job {
	j := newJob("q", payload)
	j.UniqueKey, j.UniqueTTL = key, ttl
	return j
}

func testUniqueDuplicate(h *harness) {
	id := h.enqueue(uniqueJob("first", "shopify:webhook:1", time.Hour))
	_, err := h.s.Enqueue(h.ctx, uniqueJob("second", "shopify:webhook:1", time.Hour))
	h.wantErr("Enqueue with a remembered unique key", err, store.ErrDuplicate)
	// A different key is unaffected.
	other := h.enqueue(uniqueJob("other", "shopify:webhook:2", time.Hour))

	seen := map[string]string{}
	for range 2 {
		j := h.dequeue(longLease, "q")
		seen[j.ID] = string(j.Payload)
		h.ack(j)
	}
	if seen[id] != "first" || seen[other] != "other" {
		h.t.Fatalf("delivered %v; want %s=first and %s=other", seen, id, other)
	}
	h.expectNone(quiet, "q")
}

func testUniqueTTL(h *harness) {
	const ttl = 300 * time.Millisecond
	start := time.Now()
	h.enqueue(uniqueJob("first", "k", ttl))
	stored := []string{"first"}
	// Within the TTL the key is a duplicate; a test that stalled past it
	// may legitimately store the job.
	if _, err := h.s.Enqueue(h.ctx, uniqueJob("dup", "k", ttl)); err == nil {
		if d := time.Since(start); d < ttl-clockTolerance {
			h.t.Fatalf("Enqueue %s into the key's %s TTL stored a duplicate", d, ttl)
		}
		stored = append(stored, "dup")
	} else {
		h.wantErr("Enqueue within the TTL", err, store.ErrDuplicate)
	}
	var accepted time.Duration
	h.eventually(patience, "unique key forgotten after its TTL", func() bool {
		_, err := h.s.Enqueue(h.ctx, uniqueJob("after ttl", "k", time.Hour))
		if err == nil {
			accepted = time.Since(start)
			return true
		}
		h.wantErr("Enqueue before the TTL ended", err, store.ErrDuplicate)
		return false
	})
	stored = append(stored, "after ttl")
	if accepted < ttl-clockTolerance {
		h.t.Fatalf("key forgotten %s after enqueue; TTL is %s", accepted, ttl)
	}
	// Exactly these jobs were stored: the rejected attempts left nothing.
	for _, want := range stored {
		j := h.dequeue(longLease, "q")
		if string(j.Payload) != want {
			h.t.Fatalf("delivered %q; want %q", j.Payload, want)
		}
		h.ack(j)
	}
	h.expectNone(quiet, "q")
}

func testUniqueTTLOutlivesAck(h *harness) {
	// A webhook dedupe window: the platform's retry after we processed the
	// first delivery is still a duplicate.
	h.enqueue(uniqueJob("first", "k", time.Hour))
	h.ack(h.dequeue(longLease, "q"))
	_, err := h.s.Enqueue(h.ctx, uniqueJob("redelivered", "k", time.Hour))
	h.wantErr("Enqueue after Ack within the TTL", err, store.ErrDuplicate)
}

func testUniqueLifetime(h *harness) {
	h.enqueue(uniqueJob("first", "po:1042", 0))
	_, err := h.s.Enqueue(h.ctx, uniqueJob("dup", "po:1042", 0))
	h.wantErr("Enqueue while the job waits", err, store.ErrDuplicate)
	j := h.dequeue(longLease, "q")
	_, err = h.s.Enqueue(h.ctx, uniqueJob("dup", "po:1042", 0))
	h.wantErr("Enqueue while the job runs", err, store.ErrDuplicate)
	h.retry(j, time.Now(), errorf("again"), true)
	j = h.dequeue(longLease, "q")
	_, err = h.s.Enqueue(h.ctx, uniqueJob("dup", "po:1042", 0))
	h.wantErr("Enqueue after a retry", err, store.ErrDuplicate)
	h.ack(j)
	h.enqueue(uniqueJob("second", "po:1042", 0))
	if got := h.dequeue(longLease, "q"); string(got.Payload) != "second" {
		h.t.Fatalf("delivered %q; want \"second\"", got.Payload)
	}
}
