package storetest

import (
	"sync"
)

var counterCases = []testCase{
	{"IncreaseFromOne", testCounterSequence},
	{"OnceKeyReturnsSameValue", testCounterOnce},
	{"Concurrent", testCounterConcurrent},
}

func (h *harness) next(name, once string) int64 {
	h.t.Helper()
	v, err := h.s.NextCounter(h.ctx, name, once)
	if err != nil {
		h.t.Fatalf("NextCounter(%s, %q): %v", name, once, err)
	}
	return v
}

func testCounterSequence(h *harness) {
	for want := int64(1); want <= 3; want++ {
		if got := h.next("isa:acme", ""); got != want {
			h.t.Fatalf("NextCounter = %d; want %d", got, want)
		}
	}
	if got := h.next("isa:globex", ""); got != 1 {
		h.t.Fatalf("another counter starts at %d; want 1", got)
	}
	if got := h.next("isa:acme", ""); got != 4 {
		h.t.Fatalf("NextCounter = %d; want 4", got)
	}
}

func testCounterOnce(h *harness) {
	a := h.next("isa:acme", "po-1042")
	if again := h.next("isa:acme", "po-1042"); again != a {
		h.t.Fatalf("same once key: %d then %d", a, again)
	}
	if b := h.next("isa:acme", ""); b != a+1 {
		h.t.Fatalf("after a once allocation: %d; want %d", b, a+1)
	}
	if c := h.next("isa:acme", "po-1043"); c != a+2 {
		h.t.Fatalf("new once key: %d; want %d", c, a+2)
	}
	if again := h.next("isa:acme", "po-1042"); again != a {
		h.t.Fatalf("once key later: %d; want %d", again, a)
	}
	// Once keys belong to their counter.
	if other := h.next("isa:globex", "po-1042"); other != 1 {
		h.t.Fatalf("same once key on another counter: %d; want 1", other)
	}
}

func testCounterConcurrent(h *harness) {
	const workers, each = 8, 20
	var mu sync.Mutex
	seen := map[int64]bool{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				v, err := h.s.NextCounter(h.ctx, "n", "")
				mu.Lock()
				if err != nil || seen[v] {
					h.t.Errorf("NextCounter = %d, %v (duplicate: %v)", v, err, seen[v])
				}
				seen[v] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for v := int64(1); v <= workers*each; v++ {
		if !seen[v] {
			h.t.Fatalf("value %d never handed out; got %d values", v, len(seen))
		}
	}
}
