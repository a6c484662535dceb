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
// job another process enqueues, through Pub/Sub, not polling. The worker
// listens on three queues (in three slots on a cluster) and the job lands
// in the last. The bound is a generous liveness check; the figures are in
// docs/BENCHMARKS.md (BenchmarkDequeueLatency).
func TestDequeueWakesAcrossClients(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			o := tg.opts(t)
			prefix := testPrefix()
			t.Cleanup(func() { wipe(t, o, prefix) })
			producer := openPrefixed(t, o, prefix)
			defer producer.Close()
			worker := openPrefixed(t, o, prefix)
			defer worker.Close()

			lat := wakeLatencies(t, producer, worker, 20, 50*time.Millisecond)
			median := lat[len(lat)/2]
			t.Logf("enqueue → idle dequeue in another client: median %s, max %s (%v)", median, lat[len(lat)-1], lat)
			if median > 100*time.Millisecond {
				t.Fatalf("median wake-up %s; want well under 100ms", median)
			}
		})
	}
}

// wakeLatencies measures n enqueue → idle-dequeue round trips, sorted.
func wakeLatencies(tb testing.TB, producer, worker *Store, n int, idle time.Duration) []time.Duration {
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
			dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			j, err := worker.Dequeue(dctx, queues, time.Minute)
			out <- result{j, err, time.Now()}
		}()
		time.Sleep(idle) // let the worker go idle
		start := time.Now()
		if _, err := producer.Enqueue(ctx, store.Job{Queue: "ingest", Kind: "webhook", Payload: []byte(fmt.Sprint(i))}); err != nil {
			tb.Fatalf("Enqueue: %v", err)
		}
		r := <-out
		if r.err != nil {
			tb.Fatalf("Dequeue: %v", r.err)
		}
		lat = append(lat, r.at.Sub(start))
		if err := worker.Ack(ctx, r.j); err != nil {
			tb.Fatalf("Ack: %v", err)
		}
	}
	slices.Sort(lat)
	return lat
}
