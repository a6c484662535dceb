package redis

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/store"
)

// TestPartitionedQueue: a queue split in 6 partitions takes 480 jobs of
// 48 orders (groups) from 4 producers and 6 workers. Every partition is
// used; every order's jobs run in enqueue order; Stats reports one queue
// with the sum. On a cluster, the partitions' hash tags land on every
// master, so one queue no longer sits on one node.
func TestPartitionedQueue(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			o := tg.opts(t)
			o.Partitions = map[string]int{"orders": 6}
			prefix := testPrefix()
			t.Cleanup(func() { wipe(t, o, prefix) })
			producer := openPrefixed(t, o, prefix)
			defer producer.Close()
			worker := openPrefixed(t, o, prefix)
			defer worker.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // hang guard only
			defer cancel()

			const orders, perOrder = 48, 10
			var wg sync.WaitGroup
			for p := range 4 {
				wg.Go(func() {
					for n := range perOrder {
						for ord := p; ord < orders; ord += 4 {
							j := store.Job{Queue: "orders", Kind: "step", Group: "order-" + strconv.Itoa(ord),
								Payload: []byte(strconv.Itoa(n))}
							if _, err := producer.Enqueue(ctx, j); err != nil {
								t.Error(err)
								return
							}
						}
					}
				})
			}
			wg.Wait()

			st, err := producer.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var ready int64
			for _, q := range st {
				if q.Queue != "orders" {
					t.Errorf("Stats lists %q: partitions must add up under their queue", q.Queue)
				}
				ready += q.Ready + q.Waiting
			}
			if ready != orders*perOrder {
				t.Fatalf("Stats: %d ready+waiting, want %d", ready, orders*perOrder)
			}

			var mu sync.Mutex
			next := map[string]int{}
			parts := map[string]int{}
			done := make(chan struct{})
			total := 0
			for range 6 {
				wg.Go(func() {
					for {
						j, err := worker.Dequeue(ctx, []string{"orders"}, time.Minute)
						if err != nil {
							if !errors.Is(err, context.Canceled) {
								select {
								case <-done:
								default:
									t.Error(err)
								}
							}
							return
						}
						n, _ := strconv.Atoi(string(j.Payload))
						mu.Lock()
						if n != next[j.Group] {
							t.Errorf("%s: ran step %d, want %d: an order's jobs must keep their order", j.Group, n, next[j.Group])
						}
						next[j.Group] = n + 1
						parts[j.Queue]++
						mu.Unlock()
						if err := worker.Ack(ctx, j); err != nil {
							t.Error(err)
							return
						}
						mu.Lock()
						total++
						if total == orders*perOrder {
							close(done)
						}
						mu.Unlock()
					}
				})
			}
			select {
			case <-done:
			case <-ctx.Done():
				t.Fatalf("only %d of %d jobs ran", total, orders*perOrder)
			}
			cancel()
			wg.Wait()
			for p := range 6 {
				if parts[partitionName("orders", p)] == 0 {
					t.Errorf("partition %d ran no job: %v", p, parts)
				}
			}
			if len(parts) != 6 {
				t.Errorf("jobs ran in %v, want the 6 partitions of orders", parts)
			}

			if cc, ok := producer.rdb.(*goredis.ClusterClient); ok {
				nodes := map[string]bool{}
				for p := range 6 {
					key := producer.keys.queue(partitionName("orders", p)).ready
					slot, err := cc.ClusterKeySlot(context.Background(), key).Result()
					if err != nil {
						t.Fatal(err)
					}
					n, err := cc.MasterForKey(context.Background(), key)
					if err != nil {
						t.Fatal(err)
					}
					nodes[n.Options().Addr] = true
					t.Logf("partition %d: slot %d on %s", p, slot, n.Options().Addr)
				}
				if len(nodes) < 3 {
					t.Errorf("6 partitions sit on %d masters of 3", len(nodes))
				}
			}
		})
	}
}

// TestPartitionsChecked: bad partition counts are refused at Open.
func TestPartitionsChecked(t *testing.T) {
	for _, p := range []map[string]int{{"orders": 0}, {"orders": maxPartitions + 1}, {"a#b": 2}} {
		o := Options{URL: "redis://127.0.0.1:1/0", Partitions: p}
		if _, err := o.withDefaults(); err == nil {
			t.Errorf("partitions %v accepted", p)
		}
	}
	if got := logicalQueue("orders#3"); got != "orders" {
		t.Errorf("logicalQueue(orders#3) = %q", got)
	}
	if got := logicalQueue("a#b"); got != "a#b" {
		t.Errorf("logicalQueue(a#b) = %q", got)
	}
}
