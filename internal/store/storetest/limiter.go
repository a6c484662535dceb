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

// twoPerSecond refills a token every 500ms: slow enough that a stalled
// call cannot push a wait outside its bounds.
var twoPerSecond = store.Limit{Rate: 2, Burst: 5}

func (h *harness) take(key string, n int) time.Duration {
	h.t.Helper()
	d, err := h.s.Take(h.ctx, key, n, twoPerSecond)
	if err != nil {
		h.t.Fatalf("Take(%s, %d): %v", key, n, err)
	}
	return d
}

// within fails unless lo ≤ d ≤ hi.
func (h *harness) within(what string, d, lo, hi time.Duration) {
	h.t.Helper()
	if d < lo || d > hi {
		h.t.Fatalf("%s = %s; want between %s and %s", what, d, lo, hi)
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
	if d := h.take("shop:acme", 5); d != 0 {
		h.t.Fatalf("Take(5) of a full bucket = %s; want 0", d)
	}
	h.within("wait for 1 token", h.take("shop:acme", 1), time.Nanosecond, 500*time.Millisecond)
	h.within("wait for 3 tokens", h.take("shop:acme", 3), time.Second, 1500*time.Millisecond)
	// Neither refusal spent anything: one token is still at most 500ms away
	// (had the 3 been spent, it would be ~2s).
	h.within("wait for 1 token again", h.take("shop:acme", 1), time.Nanosecond, 500*time.Millisecond)
}

func testTakeRefills(h *harness) {
	h.take("shop:acme", 5)
	d := h.take("shop:acme", 2)
	if d <= 0 {
		h.t.Fatal("empty bucket gave 2 tokens")
	}
	time.Sleep(d + 50*time.Millisecond)
	if d := h.take("shop:acme", 2); d != 0 {
		h.t.Fatalf("after waiting as told, Take = %s; want 0", d)
	}
}

func testDefer(h *harness) {
	const block = 2 * time.Second
	until := time.Now().Add(block)
	if err := h.s.Defer(h.ctx, "shop:acme", until); err != nil {
		h.t.Fatalf("Defer: %v", err)
	}
	h.within("Take on a deferred key", h.take("shop:acme", 1), block-time.Second, block)
	if d := h.take("shop:globex", 1); d != 0 {
		h.t.Fatalf("another key is blocked too: %s", d)
	}
	time.Sleep(time.Until(until) + 50*time.Millisecond)
	if d := h.take("shop:acme", 1); d != 0 {
		h.t.Fatalf("after the Defer ended, Take = %s; want 0", d)
	}
}

func testSync(h *harness) {
	// The platform says 4 of 5 are used: one token is left, not five.
	if err := h.s.Sync(h.ctx, "shop:acme", 4, 5, twoPerSecond); err != nil {
		h.t.Fatalf("Sync: %v", err)
	}
	if d := h.take("shop:acme", 1); d != 0 {
		h.t.Fatalf("Take of the one token left = %s; want 0", d)
	}
	h.within("Take after the budget the platform reported", h.take("shop:acme", 1), time.Nanosecond, 500*time.Millisecond)
	if d := h.take("shop:globex", 5); d != 0 {
		h.t.Fatalf("Sync of one key changed another: %s", d)
	}
}

func testKeysIndependent(h *harness) {
	h.take("a", 5)
	if d := h.take("a", 1); d == 0 {
		h.t.Fatal("an empty bucket gave a token")
	}
	for _, key := range []string{"b", "c"} {
		if d := h.take(key, 5); d != 0 {
			h.t.Fatalf("key %s waits %s because of key a", key, d)
		}
	}
}
