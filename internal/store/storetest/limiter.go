package storetest

import (
	"time"

	"github.com/dropgate/dropgate/core/store"
)

var limiterCases = []testCase{
	{"WithinBurstIsFree", testTakeBurst},
	{"OverBudgetWaitsAndSpendsNothing", testTakeOverBudget},
	{"Refills", testTakeRefills},
	{"DeferBlocksKey", testDefer},
	{"SyncReducesBudget", testSync},
	{"KeysIndependent", testKeysIndependent},
}

// twoPerSecond refills a token every 500ms, for the tests that wait for
// a refill.
var twoPerSecond = store.Limit{Rate: 2, Burst: 5}

// slowLimit refills a token every tokenTime: the tests that check the
// waits the limiter computes use it, so the refill during any stall of
// the test stays small against the waits, and the bounds account for it
// anyway.
var slowLimit = store.Limit{Rate: 0.1, Burst: 5}

const tokenTime = 10 * time.Second

func (h *harness) take(key string, n int) time.Duration {
	h.t.Helper()
	return h.takeLimit(key, n, twoPerSecond)
}

func (h *harness) takeLimit(key string, n int, l store.Limit) time.Duration {
	h.t.Helper()
	d, err := h.s.Take(h.ctx, key, n, l)
	if err != nil {
		h.t.Fatalf("Take(%s, %d): %v", key, n, err)
	}
	return d
}

// short takes n tokens of slowLimit from a bucket that was empty at
// emptied (read before the call that emptied it) and checks the refusal:
// the wait is `tokens` tokens less what refilled since, and what refilled
// lies between nothing and the time from emptied to the end of this call.
func (h *harness) short(what, key string, n int, tokens float64, emptied time.Time) {
	h.t.Helper()
	d := h.takeLimit(key, n, slowLimit)
	want := time.Duration(tokens * float64(tokenTime))
	lo, hi := want-time.Since(emptied)-clockTolerance, want+clockTolerance
	if d < lo || d > hi {
		h.t.Fatalf("%s: Take(%d) waits %s; want %s less the refill since the bucket emptied (%s)", what, n, d, want, time.Since(emptied))
	}
}

func testTakeBurst(h *harness) {
	for i := range 5 {
		if d := h.take("shop:acme", 1); d != 0 {
			h.t.Fatalf("Take %d within the burst of 5 = %s; want 0", i+1, d)
		}
	}
}

func testTakeOverBudget(h *harness) {
	emptied := time.Now()
	if d := h.takeLimit("shop:acme", 5, slowLimit); d != 0 {
		h.t.Fatalf("Take(5) of a full bucket = %s; want 0", d)
	}
	h.short("wait for 1 token", "shop:acme", 1, 1, emptied)
	h.short("wait for 3 tokens", "shop:acme", 3, 3, emptied)
	// Neither refusal spent anything: one token is still one token away
	// (had the 3 been spent, it would be four).
	h.short("wait for 1 token again", "shop:acme", 1, 1, emptied)
}

func testTakeRefills(h *harness) {
	var d time.Duration
	for attempt := 1; d == 0; attempt++ {
		emptied := time.Now()
		h.take("shop:acme", 5)
		d = h.take("shop:acme", 2)
		// Two tokens take a second to refill; only a test that stalled
		// that long may get them at once.
		if d == 0 && (time.Since(emptied) < time.Second-clockTolerance || attempt == 5) {
			h.t.Fatalf("an empty bucket gave 2 tokens %s after it emptied", time.Since(emptied))
		}
	}
	time.Sleep(d + clockTolerance)
	if d := h.take("shop:acme", 2); d != 0 {
		h.t.Fatalf("after waiting as told, Take = %s; want 0", d)
	}
}

func testDefer(h *harness) {
	until := time.Now().Add(time.Second)
	if err := h.s.Defer(h.ctx, "shop:acme", until); err != nil {
		h.t.Fatalf("Defer: %v", err)
	}
	before := time.Now()
	d := h.take("shop:acme", 1)
	if lo, hi := time.Until(until)-clockTolerance, until.Sub(before)+clockTolerance; d < lo || d > hi {
		h.t.Fatalf("Take on a deferred key = %s; want until the Defer ends, between %s and %s", d, lo, hi)
	}
	if d := h.take("shop:globex", 1); d != 0 {
		h.t.Fatalf("another key is blocked too: %s", d)
	}
	time.Sleep(time.Until(until) + clockTolerance)
	if d := h.take("shop:acme", 1); d != 0 {
		h.t.Fatalf("after the Defer ended, Take = %s; want 0", d)
	}
}

func testSync(h *harness) {
	// The platform says 4 of 5 are used: one token is left, not five.
	synced := time.Now()
	if err := h.s.Sync(h.ctx, "shop:acme", 4, 5, slowLimit); err != nil {
		h.t.Fatalf("Sync: %v", err)
	}
	if d := h.takeLimit("shop:acme", 1, slowLimit); d != 0 {
		h.t.Fatalf("Take of the one token left = %s; want 0", d)
	}
	h.short("Take after the budget the platform reported", "shop:acme", 1, 1, synced)
	if d := h.takeLimit("shop:globex", 5, slowLimit); d != 0 {
		h.t.Fatalf("Sync of one key changed another: %s", d)
	}
}

func testKeysIndependent(h *harness) {
	emptied := time.Now()
	h.takeLimit("a", 5, slowLimit)
	h.short("an empty bucket", "a", 1, 1, emptied)
	for _, key := range []string{"b", "c"} {
		if d := h.takeLimit(key, 5, slowLimit); d != 0 {
			h.t.Fatalf("key %s waits %s because of key a", key, d)
		}
	}
}
