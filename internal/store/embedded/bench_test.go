package embedded

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// webhookBody is the size of a typical Shopify order webhook.
var webhookBody = bytes.Repeat([]byte("x"), 4<<10)

// BenchmarkBoltCommit is the floor under every durable write: one tiny
// transaction, committed and synced (in the log, or bbolt's file with
// withoutLog), on this machine's disk.
func BenchmarkBoltCommit(b *testing.B) {
	s := openTemp(b)
	defer s.Close()
	for b.Loop() {
		if err := s.w.do(func(tx *wtx) error {
			return tx.Bucket(bucketBlobs).Put([]byte("k"), []byte("v"))
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEnqueue is one webhook at a time: every op is a full commit
// and fsync.
func BenchmarkEnqueue(b *testing.B) {
	s := openTemp(b)
	defer s.Close()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Enqueue(ctx, store.Job{Queue: "ingest", Kind: "webhook", Payload: webhookBody}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
	reportWrites(b, s)
}

// reportWrites reports node writes (pwrite calls, one per dirty B+tree
// node) and commits (fsync pairs) per op: unlike time, they do not depend
// on the machine's load or disk.
func reportWrites(b *testing.B, s *Store) {
	st := s.db.Stats()
	b.ReportMetric(float64(st.TxStats.GetWrite())/float64(b.N), "writes/op")
	b.ReportMetric(float64(s.w.commits.Load())/float64(b.N), "commits/op")
}

// BenchmarkEnqueueParallel is many webhook requests at once: commits are
// shared, each caller still returns only after its own job is durable.
func BenchmarkEnqueueParallel(b *testing.B) {
	for _, callers := range []int{16, 64} {
		b.Run(fmt.Sprintf("callers=%d", callers), func(b *testing.B) {
			s := openTemp(b)
			defer s.Close()
			ctx := context.Background()
			b.ReportAllocs()
			// RunParallel starts parallelism × GOMAXPROCS goroutines.
			b.SetParallelism(max(1, callers/runtime.GOMAXPROCS(0)))
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.Enqueue(ctx, store.Job{Queue: "ingest", Kind: "webhook", Payload: webhookBody}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
			reportWrites(b, s)
		})
	}
}

// BenchmarkEnqueueWebhooks is the gateway's ingest as the store sees it:
// 64 concurrent callers enqueue what a webhook delivery becomes (a small
// raw body, the delivery's metadata, a dedupe key held for 72 hours, the
// order's group). writes/commit is the pages each shared commit writes
// and syncs.
func BenchmarkEnqueueWebhooks(b *testing.B) {
	s := openTemp(b)
	defer s.Close()
	ctx := context.Background()
	body := []byte(`{"id": 9007199254740993, "email": "ada@example.com", "line_items": [{"id": 1, "sku": "MUG-BLK-11", "quantity": 2, "price": "14.95"}]}`)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range 64 {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				d := "bench-" + strconv.FormatInt(i, 10)
				j := store.Job{Queue: "ingest", Kind: "webhook", Payload: body, Group: "shop/9007199254740993",
					UniqueKey: "webhook:shop:" + d, UniqueTTL: 72 * time.Hour,
					Meta: map[string]string{"connector": "shop", "topic": "orders/create", "delivery": d,
						"received_at": time.Now().UTC().Format(time.RFC3339Nano), "order_ref": "9007199254740993"}}
				if _, err := s.Enqueue(ctx, j); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
	reportWrites(b, s)
	st := s.db.Stats()
	b.ReportMetric(float64(st.TxStats.GetWrite())/float64(s.w.commits.Load()), "writes/commit")
}

// BenchmarkEnqueueDequeueAck is the whole life of a job with producers
// and workers running together: three durable writes per job. log=off
// is bbolt syncing each commit, the reference for the redo log.
func BenchmarkEnqueueDequeueAck(b *testing.B) {
	for _, n := range []struct {
		log                bool
		producers, workers int
	}{{true, 1, 1}, {false, 1, 1}, {true, 16, 16}, {false, 16, 16}} {
		name := fmt.Sprintf("log=%s/producers=%d/workers=%d", map[bool]string{true: "on", false: "off"}[n.log], n.producers, n.workers)
		b.Run(name, func(b *testing.B) {
			var opts []Option
			if !n.log {
				opts = append(opts, withoutLog())
			}
			s := openTemp(b, opts...)
			defer s.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			b.ReportAllocs()
			var next, acked atomic.Int64
			total := int64(b.N)
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for range n.producers {
				wg.Go(func() {
					for next.Add(1) <= total {
						if _, err := s.Enqueue(ctx, store.Job{Queue: "orders", Payload: webhookBody}); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			for range n.workers {
				wg.Go(func() {
					for {
						j, err := s.Dequeue(ctx, []string{"orders"}, time.Minute)
						if err != nil {
							return
						}
						if err := s.Ack(ctx, j); err != nil {
							b.Error(err)
							return
						}
						if acked.Add(1) == total {
							cancel()
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
			reportWrites(b, s)
		})
	}
}

// BenchmarkListRecordsByIndex pages through one status among 100k orders.
func BenchmarkListRecordsByIndex(b *testing.B) {
	const n = 100_000
	s := openTemp(b)
	defer s.Close()
	seedRecords(b, s, n)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		recs, _, err := s.ListRecords(ctx, "order", store.Query{Field: "status", Value: "on_hold", Limit: 50})
		if err != nil || len(recs) != 50 {
			b.Fatalf("%d, %v", len(recs), err)
		}
	}
}

// seedRecords writes n orders in large transactions (PutRecord would
// commit each), every 100th on hold.
func seedRecords(b *testing.B, s *Store, n int) {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for lo := 0; lo < n; lo += 10_000 {
		err := s.w.do(func(tx *wtx) error {
			kb, err := kindBucket(tx, "order")
			if err != nil {
				return err
			}
			for i := lo; i < min(lo+10_000, n); i++ {
				status := "open"
				if i%100 == 0 {
					status = "on_hold"
				}
				created := base.Add(time.Duration(i) * time.Second).UnixNano()
				v := &recordValue{Data: []byte(`{"total":"19.99"}`), Index: map[string]string{"status": status},
					Version: 1, Created: created, Updated: created}
				if err := writeRecord(kb, fmt.Sprintf("order-%06d", i), nil, v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
