package embedded

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// BenchmarkOrderRecords is what the orders path asks of the store for
// records and raw bodies, from 16 callers at once: per op, a webhook's
// raw body (a blob), an order record (testdata/order.json, 5.6 KB of
// JSON) created under a random id, read back and written again.
// write-KiB/op is what the process handed to write syscalls (the
// commits' pages), from /proc/self/io.
func BenchmarkOrderRecords(b *testing.B) {
	order, err := os.ReadFile("testdata/order.json")
	if err != nil {
		b.Fatal(err)
	}
	body := order[:2200] // about a webhook's raw body
	s := openTemp(b)
	defer s.Close()
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ReportAllocs()
	w0, wOK := selfWchar()
	b.ResetTimer()
	for range 16 {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				id := fmt.Sprintf("ord_%016x", uint64(i)*0x9e3779b97f4a7c15) // scattered like random ids
				if err := s.PutBlob(ctx, "raw/"+id, body); err != nil {
					b.Error(err)
					return
				}
				rec := store.Record{Kind: "order", ID: id, Data: order, Index: map[string]string{"status": "routed"}}
				v, err := s.PutRecord(ctx, rec)
				if err != nil {
					b.Error(err)
					return
				}
				got, err := s.GetRecord(ctx, "order", id)
				if err != nil || len(got.Data) != len(order) {
					b.Errorf("read back %d bytes, %v", len(got.Data), err)
					return
				}
				rec.Version, rec.Index = v, map[string]string{"status": "sent"}
				if _, err := s.PutRecord(ctx, rec); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if w1, ok := selfWchar(); ok && wOK {
		b.ReportMetric(float64(w1-w0)/1024/float64(b.N), "write-KiB/op")
	}
	reportWrites(b, s)
}

// BenchmarkGetOrderRecord reads one order record (testdata/order.json).
func BenchmarkGetOrderRecord(b *testing.B) {
	order, err := os.ReadFile("testdata/order.json")
	if err != nil {
		b.Fatal(err)
	}
	s := openTemp(b)
	defer s.Close()
	ctx := context.Background()
	if _, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "ord_1", Data: order, Created: time.Now()}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if r, err := s.GetRecord(ctx, "order", "ord_1"); err != nil || len(r.Data) != len(order) {
			b.Fatalf("%d bytes, %v", len(r.Data), err)
		}
	}
}

// selfWchar is this process's wchar from /proc/self/io; false without it.
func selfWchar() (int64, bool) {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			x, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return x, err == nil
		}
	}
	return 0, false
}
