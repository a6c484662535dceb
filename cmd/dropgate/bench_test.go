package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"
)

// BenchmarkOrdersTo850 measures the whole foundation flow through the real
// binary on the embedded store: signed Shopify webhooks posted by 16
// clients, each verified, durably queued, decoded, routed, and written as
// an X12 850 in the supplier's outbox. It reports orders/s (first post to
// last 850 on disk) and the per-order latency from post to 850.
//
//	go test -run '^$' -bench OrdersTo850 -benchtime 1000x ./cmd/dropgate/
func BenchmarkOrdersTo850(b *testing.B) {
	t := &testing.T{}
	dir, err := os.MkdirTemp("", "dropgate-bench-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := copyConfigs(dir); err != nil {
		b.Fatal(err)
	}
	var env []string
	if p := os.Getenv("DROPGATE_BENCH_CPUPROFILE"); p != "" {
		env = append(env, "DROPGATE_CPUPROFILE="+p)
	}
	s := startServer(t, dir, env...)
	if len(env) > 0 {
		defer s.stop(t) // a graceful stop writes the profile
	} else {
		defer s.kill9()
	}
	c := shop(t)
	ds := make([]delivery, b.N)
	for i := range ds {
		ds[i] = newDelivery(t, c)
	}
	posted := make([]time.Time, b.N)
	commits0, _ := strconv.ParseFloat(metricValue(t, s.url, "dropgate_store_commits_total"), 64)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	next := make(chan int)
	go func() {
		for i := range ds {
			next <- i
		}
		close(next)
	}()
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				posted[i] = time.Now()
				if code, err := ds[i].post(s.url); err != nil || code != 200 {
					b.Errorf("post %d: %d %v", i, code, err)
				}
			}
		}()
	}
	// Watch the outbox: the time each order's 850 appears. One directory
	// listing per look, not a stat per order: a watcher that stats every
	// pending order every few milliseconds takes a core from the server.
	want := make(map[string]int, b.N)
	for i := range ds {
		want[filepath.Base(poFile(dir, ds[i].orderID))] = i
	}
	outbox := filepath.Dir(poFile(dir, ds[0].orderID))
	done := make([]time.Duration, b.N)
	seen := 0
	deadline := time.Now().Add(10 * time.Minute)
	for seen < b.N && time.Now().Before(deadline) {
		entries, _ := os.ReadDir(outbox)
		now := time.Now()
		for _, e := range entries {
			i, ok := want[e.Name()]
			if !ok || done[i] != 0 || posted[i].IsZero() {
				continue
			}
			done[i] = now.Sub(posted[i])
			seen++
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	wg.Wait()
	b.StopTimer()
	if seen < b.N {
		b.Fatalf("only %d of %d orders produced an 850", seen, b.N)
	}
	sort.Slice(done, func(i, j int) bool { return done[i] < done[j] })
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "orders/s")
	b.ReportMetric(float64(done[len(done)/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(done[len(done)*99/100].Milliseconds()), "p99-ms")
	b.ReportMetric(0, "ns/op")
	if c, err := strconv.ParseFloat(metricValue(t, s.url, "dropgate_store_commits_total"), 64); err == nil {
		// Commits while the orders ran (and any sync work they caused).
		b.ReportMetric((c-commits0)/float64(b.N), "commits/order")
	}
}

func copyConfigs(dir string) error {
	if err := os.MkdirAll(filepath.Join(dir, "configs"), 0o755); err != nil {
		return err
	}
	for _, f := range []string{"demo.yaml", "demo-catalog.csv"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "configs", f))
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if err := os.WriteFile(filepath.Join(dir, "configs", f), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
