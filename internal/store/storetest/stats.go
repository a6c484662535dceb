package storetest

import (
	"maps"
	"reflect"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

var statsCases = []testCase{
	{"DepthsPerQueue", testStats},
}

func testStats(h *harness) {
	keyed := func(j store.Job, key string) store.Job { j.Key = key; return j }
	h.enqueue(keyed(newJob("q", "a"), "supplier:acme"))
	h.enqueue(keyed(newJob("q", "b"), "supplier:acme"))
	later := keyed(newJob("q", "later"), "supplier:globex")
	later.RunAt = time.Now().Add(time.Hour)
	h.enqueue(later)
	h.enqueue(keyed(groupJob("q", "g", "head"), "shop:x"))
	h.enqueue(keyed(groupJob("q", "g", "behind"), "shop:x"))
	h.enqueue(newJob("other", "elsewhere"))
	time.Sleep(100 * time.Millisecond)

	// check compares the depths and, when the driver counts them (Keys is
	// optional), the pending jobs per rate-limit key.
	check := func(when string, want store.QueueStats, keys map[string]int64) {
		h.t.Helper()
		got := h.stats("q")
		if got.Keys != nil && !maps.Equal(nonZero(got.Keys), keys) {
			h.t.Fatalf("%s: Stats(q).Keys = %v; want %v", when, got.Keys, keys)
		}
		got.OldestAge, got.Keys = 0, nil
		want.Queue = "q"
		if !reflect.DeepEqual(got, want) {
			h.t.Fatalf("%s: Stats(q) = %+v; want %+v", when, got, want)
		}
	}
	check("after enqueue", store.QueueStats{Ready: 3, Scheduled: 1, Waiting: 1},
		map[string]int64{"supplier:acme": 2, "supplier:globex": 1, "shop:x": 2})
	if age := h.stats("q").OldestAge; age < 80*time.Millisecond || age > time.Minute {
		h.t.Fatalf("OldestAge = %s; the oldest ready job was enqueued over 100ms ago", age)
	}
	if st := h.stats("other"); st.Ready != 1 {
		h.t.Fatalf("Stats(other) = %+v; want ready 1", st)
	}

	running := h.dequeue(longLease, "q") // a: oldest first
	check("one in flight", store.QueueStats{Ready: 2, Scheduled: 1, Waiting: 1, InFlight: 1},
		map[string]int64{"supplier:acme": 1, "supplier:globex": 1, "shop:x": 2})
	h.bury(h.dequeue(longLease, "q"), errorf("bad")) // b
	check("one dead", store.QueueStats{Ready: 1, Scheduled: 1, Waiting: 1, InFlight: 1, Dead: 1},
		map[string]int64{"supplier:globex": 1, "shop:x": 2})
	h.retry(running, time.Now().Add(time.Hour), errorf("later"), true)
	check("one retrying", store.QueueStats{Ready: 1, Scheduled: 2, Waiting: 1, Dead: 1},
		map[string]int64{"supplier:acme": 1, "supplier:globex": 1, "shop:x": 2})
}

func nonZero(m map[string]int64) map[string]int64 {
	out := map[string]int64{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}
