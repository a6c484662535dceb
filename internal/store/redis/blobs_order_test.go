package redis

import (
	"context"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/store"
)

// blobTrips enqueues one job with a blob, alone and through EnqueueBatch,
// and returns, for each, the round trips (pipelines) that carried the
// blob's SET and the job's script, in the order they were sent.
func blobTrips(t *testing.T, s *Store) [][]string {
	t.Helper()
	ctx := context.Background()
	job := func(key string) store.Job {
		return store.Job{Queue: "q", Blobs: []store.Blob{{Key: key, Data: []byte("body")}}}
	}
	if err := s.register(ctx, "q"); err != nil {
		t.Fatal(err)
	}
	h := &roundTrips{}
	s.rdb.AddHook(h)
	var out [][]string
	for _, enqueue := range []func(store.Job) error{
		func(j store.Job) error { _, err := s.Enqueue(ctx, j); return err },
		func(j store.Job) error {
			_, errs, err := s.EnqueueBatch(ctx, []store.Job{j})
			if err == nil {
				err = errs[0]
			}
			return err
		},
	} {
		h.mu.Lock()
		from := len(h.seen)
		h.mu.Unlock()
		if err := enqueue(job("raw/" + testPrefix())); err != nil {
			t.Fatal(err)
		}
		h.mu.Lock()
		var trips []string
		for _, trip := range h.seen[from:] {
			if strings.Contains(trip, "[set ") || strings.Contains(trip, "[evalsha ") {
				trips = append(trips, trip)
			}
		}
		h.mu.Unlock()
		out = append(out, trips)
	}
	return out
}

// On Cluster a pipeline is split by node and its parts run side by side,
// so a job's blobs are written, and answered, in a round trip before the
// one that sends its script: no worker can lease the job before its blob
// is there to read.
func TestClusterJobBlobsLandBeforeTheJob(t *testing.T) {
	s := openTest(t, clusterOptions(t))
	for i, trips := range blobTrips(t, s) {
		ok := len(trips) >= 2 && strings.Contains(trips[0], "[set ") && !strings.Contains(trips[0], "[evalsha ")
		// The script may go twice: a node that has not seen it yet
		// refuses it unrun (NOSCRIPT). The blob is not sent again.
		for _, trip := range trips[min(1, len(trips)):] {
			ok = ok && strings.Contains(trip, "[evalsha ") && !strings.Contains(trip, "[set ")
		}
		if !ok {
			t.Errorf("call %d: round trips %q; want the SET alone, then the script", i, trips)
		}
	}
}

// On one server a pipeline runs in the order it was written: the blob
// rides in the job's own round trip, just before its script.
func TestJobBlobsRideWithTheScript(t *testing.T) {
	s := openTest(t, standaloneOptions(t))
	for i, trips := range blobTrips(t, s) {
		set, script := -1, -1
		if len(trips) == 1 {
			set, script = strings.Index(trips[0], "[set "), strings.Index(trips[0], "[evalsha ")
		}
		if set < 0 || script < set {
			t.Errorf("call %d: round trips %q; want one, the SET before the script", i, trips)
		}
	}
}
