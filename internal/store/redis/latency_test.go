package redis

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// targets are the Redis deployments a test runs against.
var targets = []struct {
	name string
	opts func(testing.TB) Options
}{
	{"standalone", standaloneOptions},
	{"cluster", clusterOptions},
}

// TestDequeueWakesAcrossClients: an idle worker of one process picks up a
// job another process enqueues, through Pub/Sub, not polling: the
// worker's idle Dequeue looks again on its own only after an hour, so
// every trial that returns was woken by the announcement. The worker
// listens on three queues (in three slots on a cluster) and the job lands
// in the last. The latencies are logged; docs/BENCHMARKS.md has the
// figures (BenchmarkDequeueLatency).
func TestDequeueWakesAcrossClients(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			o := tg.opts(t)
			prefix := testPrefix()
			t.Cleanup(func() { wipe(t, o, prefix) })
			producer := openPrefixed(t, o, prefix)
			defer producer.Close()
			o.IdleRecheck = time.Hour
			worker := openPrefixed(t, o, prefix)
			defer worker.Close()

			lat := wakeLatencies(t, producer, worker, 20)
			t.Logf("enqueue → idle dequeue in another client: median %s, max %s (%v)", lat[len(lat)/2], lat[len(lat)-1], lat)
		})
	}
}

// waiting counts the Dequeue calls of s registered as idle.
func (s *Store) waiting() int {
	s.note.mu.Lock()
	defer s.note.mu.Unlock()
	return len(s.note.waiters)
}

// wakeLatencies measures n enqueue → idle-dequeue round trips, sorted.
// Each enqueue waits until the worker's Dequeue has registered as idle.
func wakeLatencies(tb testing.TB, producer, worker *Store, n int) []time.Duration {
	tb.Helper()
	ctx := context.Background()
	queues := []string{"orders", "outbound", "ingest"}
	lat := make([]time.Duration, 0, n)
	for i := range n {
		type result struct {
			j   *store.Job
			err error
			at  time.Time
		}
		out := make(chan result, 1)
		go func() {
			dctx, cancel := context.WithTimeout(ctx, time.Minute)
			defer cancel()
			j, err := worker.Dequeue(dctx, queues, time.Minute)
			out <- result{j, err, time.Now()}
		}()
		for worker.waiting() == 0 {
			select {
			case r := <-out:
				tb.Fatalf("Dequeue returned before anything was enqueued: %v, %v", r.j, r.err)
			case <-time.After(time.Millisecond):
			}
		}
		start := time.Now()
		if _, err := producer.Enqueue(ctx, store.Job{Queue: "ingest", Kind: "webhook", Payload: []byte(fmt.Sprint(i))}); err != nil {
			tb.Fatalf("Enqueue: %v", err)
		}
		r := <-out
		if r.err != nil {
			tb.Fatalf("idle Dequeue, trial %d: %v; the Enqueue did not wake it", i, r.err)
		}
		lat = append(lat, r.at.Sub(start))
		if err := worker.Ack(ctx, r.j); err != nil {
			tb.Fatalf("Ack: %v", err)
		}
	}
	slices.Sort(lat)
	return lat
}
