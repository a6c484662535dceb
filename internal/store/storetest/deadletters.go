package storetest

import (
	"bytes"
	"maps"
	"slices"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

var deadLetterCases = []testCase{
	{"BuryKeepsEverything", testBuryKeeps},
	{"NewestFirstPaged", testDeadPaged},
	{"ReplayRunsAgain", testReplay},
	{"DiscardDeletes", testDiscard},
	{"UnknownIDs", testDeadUnknown},
}

func testBuryKeeps(h *harness) {
	in := store.Job{
		Queue: "outbound", Kind: "po.send", Payload: []byte("ISA*00*...~"),
		Meta: map[string]string{"supplier": "acme", "po": "PO-1042"}, Key: "supplier:acme",
	}
	before := time.Now()
	id := h.enqueue(in)
	j := h.dequeue(longLease, "outbound")
	h.retry(j, time.Now(), errorf("timeout"), true)
	j = h.dequeue(longLease, "outbound")
	h.bury(j, errorf("rejected: bad SKU"))
	after := time.Now()

	dead, err := h.s.DeadLetter(h.ctx, id)
	if err != nil {
		h.t.Fatalf("DeadLetter: %v", err)
	}
	if dead.ID != id || dead.Queue != in.Queue || dead.Kind != in.Kind || dead.Key != in.Key {
		h.t.Fatalf("dead letter %+v; want the buried job's identity", dead)
	}
	if !bytes.Equal(dead.Payload, in.Payload) || !maps.Equal(dead.Meta, in.Meta) {
		h.t.Fatalf("dead letter payload %q meta %v; want %q %v", dead.Payload, dead.Meta, in.Payload, in.Meta)
	}
	if len(dead.Errors) != 2 || dead.Errors[0].Attempt != 1 || dead.Errors[1].Attempt != 2 {
		h.t.Fatalf("Errors = %+v; want attempts 1 and 2", dead.Errors)
	}
	if dead.Attempt != 2 {
		h.t.Fatalf("Attempt = %d; want 2", dead.Attempt)
	}
	h.near("CreatedAt", dead.CreatedAt, before, after.Sub(before)+skew)
	h.near("DeadAt", dead.DeadAt, after, after.Sub(before)+skew)
	if dead.DeadAt.Before(dead.CreatedAt) {
		h.t.Fatalf("DeadAt %s before CreatedAt %s", dead.DeadAt, dead.CreatedAt)
	}
	h.expectNone(quiet, "outbound")
	if st := h.stats("outbound"); st.Dead != 1 {
		h.t.Fatalf("Stats.Dead = %d; want 1", st.Dead)
	}
}

func testDeadPaged(h *harness) {
	var buried []string
	for i := range 5 {
		id := h.enqueue(newJob("q", string(rune('a'+i))))
		j := h.dequeue(longLease, "q")
		if j.ID != id {
			h.t.Fatalf("dequeued %s; want %s", j.ID, id)
		}
		h.bury(j, errorf("dead %d", i))
		buried = append(buried, id)
		time.Sleep(5 * time.Millisecond) // distinct DeadAt even at millisecond resolution
	}
	want := slices.Clone(buried)
	slices.Reverse(want) // newest first

	page1, next, err := h.s.DeadLetters(h.ctx, "", 2)
	if err != nil {
		h.t.Fatalf("DeadLetters: %v", err)
	}
	if len(page1) != 2 || next == "" {
		h.t.Fatalf("first page: %d jobs, cursor %q; want 2 and a cursor", len(page1), next)
	}
	if page1[0].ID != want[0] || page1[1].ID != want[1] {
		h.t.Fatalf("first page %s, %s; want %s, %s", page1[0].ID, page1[1].ID, want[0], want[1])
	}
	if got := h.deadIDs(2); !slices.Equal(got, want) {
		h.t.Fatalf("pages of 2: %v; want %v (newest first)", got, want)
	}
	if got := h.deadIDs(100); !slices.Equal(got, want) {
		h.t.Fatalf("one page: %v; want %v (newest first)", got, want)
	}
}

func testReplay(h *harness) {
	id := h.enqueue(newJob("q", "again"))
	for range 2 {
		j := h.dequeue(longLease, "q")
		h.retry(j, time.Now(), errorf("nope"), true)
	}
	j := h.dequeue(longLease, "q")
	h.bury(j, errorf("gave up"))
	if err := h.s.Replay(h.ctx, id); err != nil {
		h.t.Fatalf("Replay: %v", err)
	}
	got := h.dequeue(longLease, "q")
	if got.ID != id || string(got.Payload) != "again" {
		h.t.Fatalf("replayed job %s %q; want %s \"again\"", got.ID, got.Payload, id)
	}
	if got.Attempt != 1 {
		h.t.Fatalf("Attempt = %d after Replay; want 1 (attempts reset)", got.Attempt)
	}
	if !got.DeadAt.IsZero() {
		h.t.Fatalf("replayed job has DeadAt %s", got.DeadAt)
	}
	_, err := h.s.DeadLetter(h.ctx, id)
	h.wantErr("DeadLetter after Replay", err, store.ErrNotFound)
	if ids := h.deadIDs(0); len(ids) != 0 {
		h.t.Fatalf("dead letters after Replay: %v", ids)
	}
	if st := h.stats("q"); st.Dead != 0 || st.InFlight != 1 {
		h.t.Fatalf("Stats after Replay: %+v; want dead 0, in flight 1", st)
	}
	h.ack(got)
	h.expectNone(quiet, "q")
}

func testDiscard(h *harness) {
	id := h.enqueue(newJob("q", "bin"))
	h.bury(h.dequeue(longLease, "q"), errorf("bad"))
	if err := h.s.Discard(h.ctx, id); err != nil {
		h.t.Fatalf("Discard: %v", err)
	}
	_, err := h.s.DeadLetter(h.ctx, id)
	h.wantErr("DeadLetter after Discard", err, store.ErrNotFound)
	h.wantErr("Replay after Discard", h.s.Replay(h.ctx, id), store.ErrNotFound)
	if ids := h.deadIDs(0); len(ids) != 0 {
		h.t.Fatalf("dead letters after Discard: %v", ids)
	}
	if st := h.stats("q"); st.Dead != 0 {
		h.t.Fatalf("Stats.Dead = %d after Discard", st.Dead)
	}
	h.expectNone(quiet, "q")
}

func testDeadUnknown(h *harness) {
	h.wantErr("Replay(unknown)", h.s.Replay(h.ctx, "no-such-job"), store.ErrNotFound)
	_, err := h.s.DeadLetter(h.ctx, "no-such-job")
	h.wantErr("DeadLetter(unknown)", err, store.ErrNotFound)
	if err := h.s.Discard(h.ctx, "no-such-job"); err != nil {
		h.wantErr("Discard(unknown)", err, store.ErrNotFound)
	}
	// A live job is not a dead letter.
	id := h.enqueue(newJob("q", "alive"))
	_, err = h.s.DeadLetter(h.ctx, id)
	h.wantErr("DeadLetter(live job)", err, store.ErrNotFound)
	h.wantErr("Replay(live job)", h.s.Replay(h.ctx, id), store.ErrNotFound)
	if ids := h.deadIDs(0); len(ids) != 0 {
		h.t.Fatalf("dead letters: %v", ids)
	}
	if j, _, err := h.s.DeadLetters(h.ctx, "", 10); err != nil || len(j) != 0 {
		h.t.Fatalf("DeadLetters on none: %v, %v", j, err)
	}
}
