package gateway

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/metrics"
	redisstore "github.com/dropgate/dropgate/internal/store/redis"
	"github.com/dropgate/dropgate/internal/testutil"
)

// BenchmarkWebhookIngest measures the webhook promise end to end over real
// HTTP on loopback: HMAC verification, dedupe and the durable enqueue
// (fsynced bbolt commit) before the 200. Run with
//
//	go test -run '^$' -bench WebhookIngest -benchtime 5000x ./gateway/
//
// It reports requests/s and latency percentiles. 64 senders is the
// measure docs/BENCHMARKS.md compares; at 256 more deliveries share each
// commit (its fsync), as when a platform redelivers after an outage.
func BenchmarkWebhookIngest(b *testing.B) {
	for _, clients := range []int{1, 16, 64, 256} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			r := newRig(&testing.T{}, 1<<20)
			defer r.srv.Close()
			defer r.st.Close()
			before, busy0, write0 := r.st.Commits(), r.st.CommitBusy(), r.st.CommitWriteTime()
			elapsed := benchIngest(b, r.srv.URL, clients)
			// The commit loop's share of the run, and its share writing
			// and syncing: how near the single committer is to its bound.
			b.ReportMetric(float64(r.st.CommitBusy()-busy0)/float64(elapsed), "commit-busy")
			b.ReportMetric(float64(r.st.CommitWriteTime()-write0)/float64(elapsed), "commit-write")
			// Deliveries per commit is what the group commit achieves:
			// each commit is an fsync the 200s behind it waited for.
			b.ReportMetric(float64(r.st.Commits()-before)/float64(b.N), "commits/op")
		})
	}
}

// BenchmarkWebhookIngestBare is the floor the ingest benchmarks are
// measured against, in the same run: bare net/http on loopback that reads
// the body, checks the same HMAC in constant time and answers 200,
// storing nothing. The ratio ingest/bare is what dropgate's verify,
// dedupe and durable enqueue cost.
//
//	go test -run '^$' -bench 'WebhookIngest(Bare)?$' -benchtime 5000x -count 3 ./gateway/
func BenchmarkWebhookIngestBare(b *testing.B) {
	for _, clients := range []int{1, 16, 64, 256} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
				if err != nil {
					http.Error(w, "read", http.StatusBadRequest)
					return
				}
				if _, err := (hmacChannel{secret}).VerifyWebhook(r.Header, body); err != nil {
					http.Error(w, "signature", http.StatusUnauthorized)
					return
				}
				w.WriteHeader(http.StatusOK)
			}))
			defer srv.Close()
			benchIngest(b, srv.URL, clients)
		})
	}
}

// BenchmarkWebhookIngestRedis is BenchmarkWebhookIngest with the Redis
// store: the 200 waits for Redis to acknowledge the enqueue script (the
// job, its dedupe key and its wake-up, atomically), so what that is worth
// is Redis's fsync policy (README, "Scaling out on Redis"). It uses
// $REDIS_URL (default redis://127.0.0.1:6379/0) under a fresh key prefix
// it deletes afterwards.
//
//	go test -run '^$' -bench WebhookIngestRedis -benchtime 5000x ./gateway/
func BenchmarkWebhookIngestRedis(b *testing.B) {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	for _, clients := range []int{1, 16, 64, 256} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			srvURL, rdb := newRedisIngest(b, url)
			cpu0 := redisCPU(b, rdb)
			benchIngest(b, srvURL, clients)
			// The redis-server's own CPU per webhook (INFO cpu), on a
			// Redis nothing else uses meanwhile.
			b.ReportMetric((redisCPU(b, rdb)-cpu0)*1e6/float64(b.N), "redis-cpu-us/op")
		})
	}
}

// redisCPU is the redis-server process's CPU time so far in seconds (INFO
// cpu: used_cpu_sys + used_cpu_user); 0 when INFO fails.
func redisCPU(b *testing.B, rdb *goredis.Client) float64 {
	info, err := rdb.Info(context.Background(), "cpu").Result()
	if err != nil {
		b.Logf("redis INFO cpu: %v", err)
		return 0
	}
	return testutil.RedisInfoCPU(info)
}

// newRedisIngest serves the gateway on a Redis store under a fresh prefix
// and returns its URL and a client of the same Redis; cleanups close them
// and delete the prefix's keys.
func newRedisIngest(b *testing.B, url string) (string, *goredis.Client) {
	b.Helper()
	opt, err := goredis.ParseURL(url)
	if err != nil {
		b.Fatal(err)
	}
	rdb := goredis.NewClient(opt)
	b.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		testutil.Unavailable(b, "redis at REDIS_URL=%s: %v", url, err)
	}
	prefix := "dgbench-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	b.Cleanup(func() { deletePrefix(b, rdb, prefix) })
	st, err := redisstore.Open(context.Background(), redisstore.Options{URL: url, Prefix: prefix})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	s := &Server{Intake: intakeOn(st), Ping: st.Ping, Channels: map[string]connector.Connector{"shop": hmacChannel{secret}}, MaxBodyBytes: 1 << 20,
		AdminToken: "tok", Clock: clock.Real{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.New(st),
		Admin: http.NotFoundHandler()}
	srv := httptest.NewServer(s.Handler())
	b.Cleanup(srv.Close)
	return srv.URL, rdb
}

// deletePrefix removes every key under prefix, a page at a time.
func deletePrefix(b *testing.B, rdb *goredis.Client, prefix string) {
	ctx := context.Background()
	var cursor uint64
	for {
		keys, next, err := rdb.Scan(ctx, cursor, prefix+":*", 1000).Result()
		if err != nil {
			b.Logf("cleaning up %s: %v", prefix, err)
			return
		}
		if len(keys) > 0 {
			rdb.Unlink(ctx, keys...)
		}
		if cursor = next; cursor == 0 {
			return
		}
	}
}

// benchIngest posts b.N signed deliveries, each with its own delivery id
// and its own order (a store's webhooks are mostly for different orders:
// one order id for all would put every job in one group, which the Redis
// store parks behind the first without announcing it), from clients
// concurrent senders to the gateway at url. It returns the time they took.
func benchIngest(b *testing.B, url string, clients int) time.Duration {
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = fmt.Appendf(nil, `{"id": %d, "email": "ada@example.com", "line_items": [{"id": 1, "sku": "MUG-BLK-11", "quantity": 2, "price": "14.95"}]}`, 9007199254740993+i)
	}
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
				body := bodies[i]
				req, _ := http.NewRequest(http.MethodPost, url+"/webhooks/shop", bytes.NewReader(body))
				req.Header = signed(body, fmt.Sprintf("bench-%d", i))
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				// Drained, so the connection is reused as a platform's
				// sender would: an unread body closes it.
				_, _ = io.Copy(io.Discard, resp.Body)
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
	return elapsed
}
