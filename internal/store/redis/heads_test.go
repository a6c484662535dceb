package redis

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/store"
)

// TestClaimOffersEachHeadOnce: concurrent leases of one process are
// offered different heads, in ready order, and a head is offered again
// once its lease has its answer.
func TestClaimOffersEachHeadOnce(t *testing.T) {
	var c headCache
	now := time.Now()
	heads := []string{"m1", "m2", "m3"}
	for _, want := range heads {
		if got := c.claim("q", heads, now); got != want {
			t.Fatalf("claim = %q; want %q", got, want)
		}
	}
	if got := c.claim("q", heads, now); got != "" {
		t.Fatalf("claim with every head held = %q; want none", got)
	}
	if got := c.claim("other", heads, now); got != "m1" {
		t.Fatalf("claim on another queue = %q; want m1 (holds are per queue)", got)
	}
	c.release("q", "m2")
	if got := c.claim("q", heads, now); got != "m2" {
		t.Fatalf("claim after m2's release = %q; want m2", got)
	}
	// A claim never released (no path should leave one) holds its head
	// back for heldFor at most.
	if got := c.claim("q", heads, now.Add(heldFor)); got != "m1" {
		t.Fatalf("claim once the holds are heldFor old = %q; want m1 again", got)
	}
}

// openLeaseTest opens a store whose idle Dequeue never looks again by
// itself, so only an announcement or a wake-up moves it.
func openLeaseTest(t *testing.T) *Store {
	t.Helper()
	o := standaloneOptions(t)
	o.IdleRecheck = time.Hour
	s := openTest(t, o)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func enqueueIDs(t *testing.T, s *Store, queue string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, err := s.Enqueue(context.Background(), store.Job{ID: id, Queue: queue}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLeaseTakesOfferedJobBehindHeldHead: while another lease of the
// process holds the head, a lease takes the next job, the one it was
// offered, and leaves the head ready for the lease that holds it.
func TestLeaseTakesOfferedJobBehindHeldHead(t *testing.T) {
	s := openLeaseTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang fails, it does not time anything
	defer cancel()
	enqueueIDs(t, s, "q", "a1", "a2", "a3")
	heads, err := s.peek(ctx, []string{"q"})
	if err != nil || len(heads[0]) != 3 {
		t.Fatalf("peek = %v, %v; want the 3 jobs", heads, err)
	}
	first := s.heads.claim("q", heads[0], time.Now()) // a lease in flight holds a1
	if idOfReady(first) != "a1" {
		t.Fatalf("first claim = %q; want a1's member", first)
	}
	j, err := s.Dequeue(ctx, []string{"q"}, time.Minute)
	if err != nil || j.ID != "a2" {
		t.Fatalf("Dequeue = %+v, %v; want a2, offered behind the held a1", j, err)
	}
	if st := queueStats(t, s, "q"); st.Ready != 2 || st.InFlight != 1 {
		t.Fatalf("queue: %+v; want a1 and a3 ready, a2 in flight", st)
	}
	s.heads.release("q", first)
	j, err = s.Dequeue(ctx, []string{"q"}, time.Minute)
	if err != nil || j.ID != "a1" {
		t.Fatalf("Dequeue after the release = %+v, %v; want a1, the head", j, err)
	}
}

// TestLeaseWaitsWhileEveryHeadIsHeld: a Dequeue that finds every known
// head held by another lease of its process sends nothing and waits; the
// holder's lease, seeing jobs left, wakes it, and it takes the next.
func TestLeaseWaitsWhileEveryHeadIsHeld(t *testing.T) {
	s := openLeaseTest(t)
	ctx := context.Background()
	// Enqueued before the first Dequeue subscribes: no announcement of
	// them ever reaches this process, so only the holder's wake-up can
	// end the wait below.
	enqueueIDs(t, s, "q", "a1", "a2", "a3")
	d1, err := s.Dequeue(ctx, []string{"q"}, time.Minute)
	if err != nil || d1.ID != "a1" {
		t.Fatalf("Dequeue = %+v, %v; want a1", d1, err)
	}
	known := s.heads.get("q")
	if len(known) != 2 {
		t.Fatalf("heads known after the lease: %q; want a2 and a3", known)
	}
	held := []string{s.heads.claim("q", known, time.Now()), s.heads.claim("q", known, time.Now())}
	misses := s.LeaseMisses()

	wctx, cancel := context.WithTimeout(ctx, time.Minute) // a hang fails, it does not time anything
	defer cancel()
	gets := idleDequeue(wctx, t, s, "q")
	if st := queueStats(t, s, "q"); st.Ready != 2 || st.InFlight != 1 {
		t.Fatalf("queue while every head is held: %+v; want a2 and a3 still ready", st)
	}
	if n := s.LeaseMisses(); n != misses {
		t.Fatalf("lease scripts that leased nothing: %d more; want none sent while every head is held", n-misses)
	}
	for _, m := range held {
		s.heads.release("q", m)
	}
	next, err := s.CompleteAndNext(ctx, d1, &store.Effects{}, []string{"q"}, time.Minute)
	if err != nil || next == nil || next.ID != "a2" {
		t.Fatalf("CompleteAndNext = %+v, %v; want a2", next, err)
	}
	gets("a3")
}

// TestLeaseAfterJobDeletedByHand: a ready entry whose job was deleted by
// hand is dropped, and the lease goes on to the next job, reading the
// queue again when this process knew no other head; it does not wait for
// an announcement.
func TestLeaseAfterJobDeletedByHand(t *testing.T) {
	s := openLeaseTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang fails, it does not time anything
	defer cancel()
	enqueueIDs(t, s, "q", "g1", "g2", "g3", "g4")
	heads, err := s.peek(ctx, []string{"q"})
	if err != nil || len(heads[0]) != 4 {
		t.Fatalf("peek = %v, %v; want the 4 jobs", heads, err)
	}
	q := s.keys.queue("q")
	if err := s.rdb.Del(ctx, q.job("g1"), q.job("g3")).Err(); err != nil {
		t.Fatal(err)
	}
	// Other heads known: the next of them.
	misses := s.LeaseMisses()
	j, err := s.Dequeue(ctx, []string{"q"}, time.Minute)
	if err != nil || j.ID != "g2" {
		t.Fatalf("Dequeue = %+v, %v; want g2, after g1's entry is dropped", j, err)
	}
	if n := s.LeaseMisses() - misses; n != 1 {
		t.Fatalf("lease scripts that leased nothing: %d; want 1, the one that found g1 gone", n)
	}
	// None known but the deleted one: a fresh look finds g4.
	s.heads.set("q", []string{heads[0][2]}, s.heads.since("q"), time.Now())
	j, err = s.Dequeue(ctx, []string{"q"}, time.Minute)
	if err != nil || j.ID != "g4" {
		t.Fatalf("Dequeue = %+v, %v; want g4, after g3's entry is dropped", j, err)
	}
	if st := queueStats(t, s, "q"); st.Ready != 0 || st.InFlight != 2 {
		t.Fatalf("queue: %+v; want nothing ready, g2 and g4 in flight", st)
	}
}

// TestChainedLeaseAfterMissWakesWaiter: CompleteAndNext whose guess was
// stale leases from the heads the miss named, and when jobs are left it
// wakes a Dequeue that went idle finding every head held.
func TestChainedLeaseAfterMissWakesWaiter(t *testing.T) {
	s := openLeaseTest(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang fails, it does not time anything
	defer cancel()
	enqueueIDs(t, s, "q", "a1", "a2", "a3", "a4")
	d1, err := s.Dequeue(ctx, []string{"q"}, time.Minute)
	if err != nil || d1.ID != "a1" {
		t.Fatalf("Dequeue = %+v, %v; want a1", d1, err)
	}
	all := s.heads.get("q") // a2, a3, a4
	if len(all) != 3 {
		t.Fatalf("heads known: %q; want a2, a3, a4", all)
	}
	if d2, err := s.Dequeue(ctx, []string{"q"}, time.Minute); err != nil || d2.ID != "a2" {
		t.Fatalf("Dequeue = %+v, %v; want a2", d2, err)
	}
	// a3 and a4 held: a Dequeue goes idle.
	held := []string{s.heads.claim("q", all[1:], time.Now()), s.heads.claim("q", all[1:], time.Now())}
	gets := idleDequeue(ctx, t, s, "q")
	for _, m := range held {
		s.heads.release("q", m)
	}
	// A stale guess: a2, leased already. The miss names a3 and a4.
	s.heads.set("q", all[:1], s.heads.since("q"), time.Now())
	next, err := s.CompleteAndNext(ctx, d1, &store.Effects{}, []string{"q"}, time.Minute)
	if err != nil || next == nil || next.ID != "a3" {
		t.Fatalf("CompleteAndNext = %+v, %v; want a3, from the heads its miss named", next, err)
	}
	gets("a4")
}

// idleDequeue starts a Dequeue of queue and returns once it is waiting,
// idle; the function it returns checks the job that Dequeue gets.
func idleDequeue(ctx context.Context, t *testing.T, s *Store, queue string) func(want string) {
	t.Helper()
	got := make(chan *store.Job, 1)
	errs := make(chan error, 1)
	go func() {
		j, err := s.Dequeue(ctx, []string{queue}, time.Minute)
		if err != nil {
			errs <- err
			return
		}
		got <- j
	}()
	for s.waiting() == 0 {
		time.Sleep(time.Millisecond)
	}
	return func(want string) {
		t.Helper()
		select {
		case j := <-got:
			if j.ID != want {
				t.Fatalf("the waiting Dequeue got %s; want %s", j.ID, want)
			}
		case err := <-errs:
			t.Fatalf("the waiting Dequeue: %v; want %s, woken by the lease that saw it left", err, want)
		}
	}
}

// TestDequeueOfSeveralQueuesUsesKnownHeads: a worker serving several
// queues leases with the heads its last leases returned and reads only the
// queues it knows nothing about; a queue known empty is not read either.
// (Reads of ready sets are counted: the reaper's are its own.)
// Before, it read every queue's heads before each lease.
func TestDequeueOfSeveralQueuesUsesKnownHeads(t *testing.T) {
	o := standaloneOptions(t)
	o.IdleRecheck = time.Hour
	// A stopped clock: "known empty" lasts knownEmptyFor, and a slow
	// machine must not let it lapse between the leases.
	o.Clock = clock.NewFake(time.Now())
	s := openTest(t, o)
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	// The subscription's start forgets every queue known empty: have it
	// behind us, as a running worker does. Messages arrive in order, so
	// once an announcement is in, the subscription's start was handled.
	s.subscribe()
	// enqueued enqueues ids on queue and waits for their announcements: one
	// that arrived late would make a queue seen empty unknown again, and
	// read.
	enqueued := func(queue string, ids ...string) {
		t.Helper()
		want := s.heads.since(queue) + uint64(len(ids))
		enqueueIDs(t, s, queue, ids...)
		for deadline := time.Now().Add(30 * time.Second); s.heads.since(queue) < want; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s's announcement never arrived", queue)
			}
		}
	}
	enqueued("warm", "w1")
	enqueued("a", "a1", "a2", "a3")
	enqueued("b", "b1", "b2")
	queues := []string{"a", "b", "c"}
	h := &cmdLog{names: []string{"zrange"}}
	s.rdb.AddHook(h)
	reads := func() []string {
		h.mu.Lock()
		defer h.mu.Unlock()
		// The reaper's reads of the schedule and the leases are its own.
		var r []string
		for _, c := range h.reads {
			if strings.Contains(c, ":ready ") {
				r = append(r, c)
			}
		}
		h.reads = nil
		return r
	}
	lease := func(want string) {
		t.Helper()
		j, err := s.Dequeue(ctx, queues, time.Minute)
		if err != nil || j.ID != want {
			t.Fatalf("Dequeue: %v, %v; want %s", j, err, want)
		}
	}
	lease("a1") // knows nothing yet: reads all three
	if got := reads(); len(got) != 3 {
		t.Fatalf("first Dequeue read %q; want the three queues", got)
	}
	lease("a2")
	lease("a3")
	lease("b1")
	lease("b2")
	// a's and b's heads came back with their leases, and c was seen empty.
	if got := reads(); len(got) != 0 {
		t.Errorf("later Dequeue calls read %q; want none: the heads were known", got)
	}
	// A job announced on c makes c unknown: it alone is read.
	enqueued("c", "c1")
	lease("c1")
	if got := reads(); len(got) != 1 || !strings.Contains(got[0], s.keys.queue("c").ready) {
		t.Errorf("Dequeue after c's announcement read %q; want c's ready set alone", got)
	}
}
