package storetest

import (
	"bytes"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

var durabilityCases = []testCase{
	{"JobsSurvive", testJobsSurvive},
	{"LeasedJobComesBack", testLeasedComesBack},
	{"AckedJobStaysGone", testAckedStaysGone},
	{"DeadLettersSurvive", testDeadSurvive},
	{"UniqueKeysSurvive", testUniqueSurvive},
	{"CountersSurvive", testCountersSurvive},
	{"RecordsBlobsClaimsSurvive", testRecordsSurvive},
}

func testJobsSurvive(h *harness) {
	h.needReopen()
	in := store.Job{Queue: "q", Kind: "webhook", Payload: []byte("body"), Meta: map[string]string{"a": "b"}}
	id := h.enqueue(in)
	later := newJob("q", "later")
	later.RunAt = time.Now().Add(time.Hour)
	h.enqueue(later)
	g1 := h.enqueue(groupJob("q", "g", "g1"))
	h.enqueue(groupJob("q", "g", "g2"))
	h.reopen()

	got := h.dequeue(longLease, "q")
	if got.ID != id || !bytes.Equal(got.Payload, in.Payload) || got.Meta["a"] != "b" || got.Kind != "webhook" {
		h.t.Fatalf("after reopen got %+v; want %s", got, id)
	}
	if next := h.dequeue(longLease, "q"); next.ID != g1 {
		h.t.Fatalf("after reopen got %s; want the group head %s", next.ID, g1)
	}
	h.expectNone(quiet, "q") // g2 behind g1, later in an hour
	if st := h.stats("q"); st.Scheduled != 1 || st.Waiting != 1 || st.InFlight != 2 {
		h.t.Fatalf("Stats after reopen: %+v; want scheduled 1, waiting 1, in flight 2", st)
	}
}

func testLeasedComesBack(h *harness) {
	h.needReopen()
	id := h.enqueue(newJob("q", "in flight at shutdown"))
	first := h.dequeue(shortLease, "q")
	h.reopen()
	got := h.dequeue(longLease, "q")
	if got.ID != id || got.Attempt != first.Attempt+1 {
		h.t.Fatalf("after reopen got %s attempt %d; want %s attempt %d", got.ID, got.Attempt, id, first.Attempt+1)
	}
	h.ack(got)
	h.expectNone(quiet, "q")
}

func testAckedStaysGone(h *harness) {
	h.needReopen()
	h.enqueue(newJob("q", "done"))
	keep := h.enqueue(newJob("q", "pending"))
	h.ack(h.dequeue(longLease, "q"))
	h.reopen()
	if got := h.dequeue(longLease, "q"); got.ID != keep {
		h.t.Fatalf("after reopen got %s (%q); want %s", got.ID, got.Payload, keep)
	}
	h.expectNone(quiet, "q")
}

func testDeadSurvive(h *harness) {
	h.needReopen()
	id := h.enqueue(newJob("q", "dead"))
	h.bury(h.dequeue(longLease, "q"), errorf("bad"))
	h.reopen()
	d, err := h.s.DeadLetter(h.ctx, id)
	if err != nil || string(d.Payload) != "dead" || len(d.Errors) != 1 {
		h.t.Fatalf("DeadLetter after reopen: %+v, %v", d, err)
	}
	if st := h.stats("q"); st.Dead != 1 {
		h.t.Fatalf("Stats.Dead after reopen = %d", st.Dead)
	}
	if err := h.s.Replay(h.ctx, id); err != nil {
		h.t.Fatalf("Replay after reopen: %v", err)
	}
	if got := h.dequeue(longLease, "q"); got.ID != id || got.Attempt != 1 {
		h.t.Fatalf("replayed: %s attempt %d", got.ID, got.Attempt)
	}
}

func testUniqueSurvive(h *harness) {
	h.needReopen()
	h.enqueue(uniqueJob("lifetime", "life", 0))
	h.enqueue(uniqueJob("ttl", "window", time.Hour))
	h.reopen()
	for _, key := range []string{"life", "window"} {
		_, err := h.s.Enqueue(h.ctx, uniqueJob("dup", key, time.Hour))
		h.wantErr("Enqueue of "+key+" after reopen", err, store.ErrDuplicate)
	}
}

func testCountersSurvive(h *harness) {
	h.needReopen()
	h.next("isa", "")
	h.next("isa", "")
	once := h.next("isa", "po-1")
	h.reopen()
	if got := h.next("isa", ""); got != once+1 {
		h.t.Fatalf("after reopen NextCounter = %d; want %d (never reused)", got, once+1)
	}
	if got := h.next("isa", "po-1"); got != once {
		h.t.Fatalf("once key after reopen = %d; want %d", got, once)
	}
}

func testRecordsSurvive(h *harness) {
	h.needReopen()
	v := h.put(store.Record{Kind: "order", ID: "1", Data: []byte("x"), Index: map[string]string{"status": "open"}})
	if err := h.s.PutBlob(h.ctx, "b", []byte("blob")); err != nil {
		h.t.Fatalf("PutBlob: %v", err)
	}
	h.claim("forever", 0)
	h.reopen()
	if r := h.get("order", "1"); r.Version != v || string(r.Data) != "x" {
		h.t.Fatalf("record after reopen: %+v", r)
	}
	if got := h.listAll("order", store.Query{Field: "status", Value: "open"}); len(got) != 1 {
		h.t.Fatalf("index after reopen: %v", got)
	}
	if b, err := h.s.GetBlob(h.ctx, "b"); err != nil || string(b) != "blob" {
		h.t.Fatalf("blob after reopen: %q, %v", b, err)
	}
	if h.claim("forever", 0) {
		h.t.Fatal("claim lost on reopen")
	}
}
