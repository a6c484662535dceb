package redis

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/store"
)

// Benchmarks against $REDIS_URL and, when set, $REDIS_CLUSTER_ADDRS:
//
//	go test -run '^$' -bench . -benchtime 3s ./internal/store/redis/
//
// Figures and the machine they came from: docs/BENCHMARKS.md.

const benchWorkers = 32

var payload = bytes.Repeat([]byte("x"), 1024) // a small webhook body

func forTargets(b *testing.B, run func(b *testing.B, o Options)) {
	for _, tg := range targets {
		b.Run(tg.name, func(b *testing.B) { run(b, tg.opts(b)) })
	}
}

// BenchmarkEnqueue: concurrent producers (GOMAXPROCS×16 goroutines, like a
// gateway under a webhook burst), 1 KiB payloads. Concurrent calls share
// pipelines (group.go): round-trips/job below 1 is that sharing.
func BenchmarkEnqueue(b *testing.B) {
	forTargets(b, func(b *testing.B, o Options) {
		s := openTest(b, o)
		defer s.Close()
		rt := &roundTrips{}
		s.rdb.AddHook(rt)
		ctx := context.Background()
		b.SetParallelism(16)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.Enqueue(ctx, store.Job{Queue: "ingest", Kind: "webhook", Payload: payload, Key: "shop:acme"}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
		b.ReportMetric(float64(rt.n.Load())/float64(b.N), "round-trips/job")
	})
}

// BenchmarkEnqueueDequeueAck: producers and 32 workers (two processes'
// worth, each with its own client) at once; a job counts when acked.
func BenchmarkEnqueueDequeueAck(b *testing.B) {
	forTargets(b, func(b *testing.B, o Options) {
		prefix := testPrefix()
		b.Cleanup(func() { wipe(b, o, prefix) })
		producer := openPrefixed(b, o, prefix)
		defer producer.Close()
		workers := []*Store{openPrefixed(b, o, prefix), openPrefixed(b, o, prefix)}
		var trips roundTrips
		for _, s := range append([]*Store{producer}, workers...) {
			s.rdb.AddHook(&trips)
		}
		for _, w := range workers {
			defer w.Close()
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var acked atomic.Int64
		done := make(chan struct{})
		total := int64(b.N)
		var wg sync.WaitGroup
		b.ResetTimer()
		for i := range benchWorkers {
			w := workers[i%len(workers)]
			wg.Go(func() {
				for {
					j, err := w.Dequeue(ctx, []string{"orders", "ingest"}, time.Minute)
					if err != nil {
						return
					}
					if err := w.Ack(ctx, j); err != nil {
						b.Error(err)
						return
					}
					if acked.Add(1) == total {
						close(done)
					}
				}
			})
		}
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := producer.Enqueue(ctx, store.Job{Queue: "ingest", Kind: "webhook", Payload: payload}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		<-done
		b.StopTimer()
		cancel()
		wg.Wait()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
		b.ReportMetric(float64(trips.n.Load())/float64(b.N), "roundtrips/job")
	})
}

// BenchmarkDequeueLatency: one enqueue at a time into an idle worker of
// another client listening on three queues; reports the median and the
// 99th percentile of enqueue start → Dequeue return.
func BenchmarkDequeueLatency(b *testing.B) {
	forTargets(b, func(b *testing.B, o Options) {
		prefix := testPrefix()
		b.Cleanup(func() { wipe(b, o, prefix) })
		producer := openPrefixed(b, o, prefix)
		defer producer.Close()
		worker := openPrefixed(b, o, prefix)
		defer worker.Close()
		b.ResetTimer()
		lat := wakeLatencies(b, producer, worker, b.N)
		b.StopTimer()
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	})
}

// BenchmarkLimiterTake: decisions per second, concurrent callers on one
// key (one slot: the worst case), granted and refused.
func BenchmarkLimiterTake(b *testing.B) {
	forTargets(b, func(b *testing.B, o Options) {
		for _, tc := range []struct {
			name  string
			limit store.Limit
		}{
			{"granted", store.Limit{Rate: 1e9, Burst: 1 << 30}},
			{"refused", store.Limit{Rate: 0.001, Burst: 1}},
		} {
			b.Run(tc.name, func(b *testing.B) {
				s := openTest(b, o)
				defer s.Close()
				ctx := context.Background()
				b.SetParallelism(16)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := s.Take(ctx, "shop:acme", 1, tc.limit); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.StopTimer()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
			})
		}
	})
}

// roundTrips counts commands and pipelines sent (Pub/Sub reads aside):
// a figure of the design that does not move with the machine's load.
// roundTrips counts the client's round trips; with mine set, only those
// made with a context from counted (the store's own background work,
// its wake-up subscription or reaper, uses the same client).
type roundTrips struct {
	n    atomic.Int64
	mine bool
	mu   sync.Mutex
	seen []string // what was counted, for a failure's message
}

type countedKey struct{}

// counted marks ctx's round trips as the ones a mine roundTrips counts.
func counted(ctx context.Context) context.Context { return context.WithValue(ctx, countedKey{}, true) }

func (r *roundTrips) count(ctx context.Context, cmds ...goredis.Cmder) {
	if len(cmds) == 1 && connInit[cmds[0].Name()] {
		// A new pool connection's handshake (under load the pool grows
		// while another goroutine holds a connection): not the call's.
		return
	}
	if !r.mine || ctx.Value(countedKey{}) != nil {
		r.n.Add(1)
		names := make([]string, len(cmds))
		for i, c := range cmds {
			names[i] = fmt.Sprint(c.Args()[:min(2, len(c.Args()))])
		}
		r.mu.Lock()
		r.seen = append(r.seen, strings.Join(names, " | "))
		r.mu.Unlock()
	}
}

// connInit names the commands go-redis sends on a connection it opens.
var connInit = map[string]bool{"hello": true, "auth": true, "client": true, "select": true}

// trips lists the round trips counted, one line each.
func (r *roundTrips) trips() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.seen, "\n")
}

func (r *roundTrips) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (r *roundTrips) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		r.count(ctx, cmd)
		return next(ctx, cmd)
	}
}

func (r *roundTrips) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		r.count(ctx, cmds...)
		return next(ctx, cmds)
	}
}
