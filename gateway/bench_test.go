package gateway

import (
	"bytes"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkWebhookIngest measures the webhook promise end to end over real
// HTTP on loopback: HMAC verification, dedupe and the durable enqueue
// (fsynced bbolt commit) before the 200. Run with
//
//	go test -run '^$' -bench WebhookIngest -benchtime 5000x ./gateway/
//
// It reports requests/s and latency percentiles.
func BenchmarkWebhookIngest(b *testing.B) {
	for _, clients := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			r := newRig(&testing.T{}, 1<<20)
			defer r.srv.Close()
			defer r.st.Close()
			body := []byte(`{"id": 9007199254740993, "email": "ada@example.com", "line_items": [{"id": 1, "sku": "MUG-BLK-11", "quantity": 2, "price": "14.95"}]}`)
			tr := &http.Transport{MaxIdleConnsPerHost: clients}
			client := &http.Client{Transport: tr}
			lat := make([]time.Duration, b.N)
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for c := 0; c < clients; c++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						req, _ := http.NewRequest(http.MethodPost, r.srv.URL+"/webhooks/shop", bytes.NewReader(body))
						req.Header = signed(body, fmt.Sprintf("bench-%d", i))
						t0 := time.Now()
						resp, err := client.Do(req)
						if err != nil {
							b.Error(err)
							return
						}
						resp.Body.Close()
						lat[i] = time.Since(t0)
						if resp.StatusCode != 200 {
							b.Errorf("status %d", resp.StatusCode)
							return
						}
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			pct := func(p float64) float64 { return float64(lat[int(float64(len(lat)-1)*p)].Microseconds()) / 1000 }
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}
