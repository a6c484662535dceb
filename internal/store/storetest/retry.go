package storetest

import (
	"strings"
	"time"
)

var retryCases = []testCase{
	{"RetryLaterNotBeforeRunAt", testRetryLater},
	{"RetryUncountedKeepsAttempt", testRetryUncounted},
	{"RetryInThePastRunsNow", testRetryPast},
	{"ErrorsRecordedPerAttempt", testErrorsRecorded},
}

func testRetryLater(h *harness) {
	const delay = 500 * time.Millisecond
	id := h.enqueue(newJob("q", "x"))
	j := h.dequeue(longLease, "q")
	start := time.Now()
	h.retry(j, start.Add(delay), errorf("supplier said 503"), true)
	got := h.dueAt(start.Add(delay), "q")
	if got.ID != id || got.Attempt != 2 {
		h.t.Fatalf("got %s attempt %d; want %s attempt 2", got.ID, got.Attempt, id)
	}
	if len(got.Errors) != 1 {
		h.t.Fatalf("Errors = %v; want one", got.Errors)
	}
	e := got.Errors[0]
	if e.Attempt != 1 || !strings.Contains(e.Error, "supplier said 503") {
		h.t.Fatalf("Errors[0] = %+v; want attempt 1, \"supplier said 503\"", e)
	}
	h.near("Errors[0].At", e.At, start, skew)
}

func testRetryUncounted(h *harness) {
	h.enqueue(newJob("q", "x"))
	j := h.dequeue(longLease, "q")
	h.retry(j, time.Now(), errorf("throttled"), false)
	if got := h.dequeue(longLease, "q"); got.Attempt != 1 {
		h.t.Fatalf("Attempt = %d after an uncounted retry; want 1", got.Attempt)
	} else {
		h.retry(got, time.Now(), errorf("failed"), true)
	}
	if got := h.dequeue(longLease, "q"); got.Attempt != 2 {
		h.t.Fatalf("Attempt = %d after a counted retry; want 2", got.Attempt)
	}
}

func testRetryPast(h *harness) {
	h.enqueue(newJob("q", "x"))
	j := h.dequeue(longLease, "q")
	h.retry(j, time.Now().Add(-time.Hour), errorf("again"), true)
	if got := h.dequeue(longLease, "q"); got.ID != j.ID || got.Attempt != 2 {
		h.t.Fatalf("after a retry with a past runAt got %s attempt %d; want %s attempt 2", got.ID, got.Attempt, j.ID)
	}
}

func testErrorsRecorded(h *harness) {
	id := h.enqueue(newJob("q", "x"))
	for i := 1; i <= 2; i++ {
		j := h.dequeue(longLease, "q")
		h.retry(j, time.Now(), errorf("failure %d", i), true)
	}
	j := h.dequeue(longLease, "q")
	h.bury(j, errorf("failure 3"))
	dead, err := h.s.DeadLetter(h.ctx, id)
	if err != nil {
		h.t.Fatalf("DeadLetter: %v", err)
	}
	if len(dead.Errors) != 3 {
		h.t.Fatalf("Errors = %+v; want 3", dead.Errors)
	}
	for i, e := range dead.Errors {
		want := errorf("failure %d", i+1).Error()
		if e.Attempt != i+1 || !strings.Contains(e.Error, want) || e.At.IsZero() {
			h.t.Fatalf("Errors[%d] = %+v; want attempt %d, %q, a time", i, e, i+1, want)
		}
		if i > 0 && e.At.Before(dead.Errors[i-1].At) {
			h.t.Fatalf("Errors out of order: %+v", dead.Errors)
		}
	}
}
