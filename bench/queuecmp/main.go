// Command queuecmp runs one queue workload through dropgate's Redis queue
// (internal/store/redis) and through hibiken/asynq, one after the other
// on the same Redis, and prints the same figures for both: enqueue and
// processing throughput, and the latency from the start of an enqueue to
// the start of its handler.
//
//	cd bench && go run ./queuecmp -redis redis://127.0.0.1:6379/0 -jobs 20000 -producers 16 -workers 32
//	cd bench && go run ./queuecmp -jobs 3000 -rate 200          # latency at a steady, light load
//
// Each system is deployed the way it is meant to run: one client that
// enqueues (a gateway; asynq.Client) and one worker process with
// -workers handlers (a dropgate worker: one redis.Store and its Dequeue
// loops; asynq.Server with Concurrency -workers). Handlers do nothing but
// record the time. A job counts as processed once the queue has settled
// it: dropgate's Ack has returned; for asynq, once its queue holds no
// pending or active task (polled every millisecond after the last
// handler ran).
//
// This program lives in its own module so asynq never enters dropgate's
// go.mod. It imports dropgate's internal/store/redis all the same: Go's
// internal rule is about import paths, and this module's path,
// github.com/dropgate/dropgate/bench, is inside
// github.com/dropgate/dropgate (the way golang.org/x/tools/gopls uses
// golang.org/x/tools/internal). The replace directive in go.mod builds it
// against this checkout, so both sides always measure the code next to
// it.
package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// workload is what both systems are given.
type workload struct {
	jobs, producers, workers int
	rate                     float64 // jobs per second; 0: as fast as the producers go
	payload                  int     // bytes per job (at least 8: the enqueue time)
	// phased enqueues every job before the workers start, timing the two
	// apart; otherwise they run at once.
	phased bool
}

// system is one queue under test.
type system interface {
	name() string
	// open connects the producer side.
	open(ctx context.Context) error
	// startWorkers runs the worker process: each job's handler calls
	// rec.started with the payload; rec.finished is called once the job
	// is settled.
	startWorkers(ctx context.Context, workers int, rec *recorder) error
	enqueue(ctx context.Context, payload []byte) error
	// drain returns once the queue has settled every job whose handler
	// has run.
	drain(ctx context.Context) error
	close() error
}

// result is one system's figures.
type result struct {
	name     string
	enqueued time.Duration // first enqueue → last enqueue returned
	// processed is from the first enqueue (phased: from the workers'
	// start) to the last job settled.
	processed time.Duration
	lat       []time.Duration
}

func main() {
	url := flag.String("redis", envOr("REDIS_URL", "redis://127.0.0.1:6379/0"), "Redis `URL` both systems use")
	w := workload{}
	flag.IntVar(&w.jobs, "jobs", 20000, "jobs to run through each system")
	flag.IntVar(&w.producers, "producers", 16, "concurrent enqueuers")
	flag.IntVar(&w.workers, "workers", 32, "concurrent handlers in the worker process")
	flag.Float64Var(&w.rate, "rate", 0, "enqueue `rate` in jobs/s over all producers (0: as fast as they go)")
	flag.IntVar(&w.payload, "payload", 1024, "payload `bytes` per job")
	flag.BoolVar(&w.phased, "phased", false, "enqueue every job first, then start the workers: times each side alone (no latency)")
	only := flag.String("only", "", "run only dropgate or asynq")
	cpuprofile := flag.String("cpuprofile", "", "write this process's CPU profile (producers and workers, both systems) to `file`")
	poll := flag.Duration("asynq-poll", 0, "asynq's TaskCheckInterval: how long an idle asynq worker sleeps (0: asynq's default, 1s)")
	flag.Parse()
	w.payload = max(w.payload, 8)
	if w.jobs < 1 || w.producers < 1 || w.workers < 1 {
		log.Fatal("queuecmp: -jobs, -producers and -workers must be positive")
	}

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatalf("queuecmp: -cpuprofile: %v", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatalf("queuecmp: -cpuprofile: %v", err)
		}
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	opt, err := goredis.ParseURL(*url)
	if err != nil {
		log.Fatalf("queuecmp: -redis: %v", err)
	}
	rdb := goredis.NewClient(opt)
	defer rdb.Close()
	version, err := redisVersion(ctx, rdb)
	if err != nil {
		log.Fatalf("queuecmp: redis at %s: %v", opt.Addr, err)
	}
	tag := randomTag()
	var systems []system
	if *only == "" || *only == "dropgate" {
		systems = append(systems, &dropgateQueue{url: *url, prefix: "qcmp-" + tag, rdb: rdb})
	}
	if *only == "" || *only == "asynq" {
		systems = append(systems, &asynqQueue{url: *url, queue: "qcmp-" + tag, poll: *poll, rdb: rdb})
	}
	if len(systems) == 0 {
		log.Fatalf("queuecmp: -only %q: want dropgate or asynq", *only)
	}

	fmt.Printf("Redis %s at %s; %d jobs of %d bytes, %d producers, %d workers", version, opt.Addr, w.jobs, w.payload, w.producers, w.workers)
	if w.rate > 0 {
		fmt.Printf(", enqueued at %.0f jobs/s", w.rate)
	}
	if w.phased {
		fmt.Print("; phased: all enqueued, then processed")
	}
	fmt.Println()
	var results []result
	for _, s := range systems {
		r, err := run(ctx, s, w)
		if cerr := s.close(); err == nil {
			err = cerr
		}
		if err != nil {
			log.Fatalf("queuecmp: %s: %v", s.name(), err)
		}
		results = append(results, r)
	}
	report(os.Stdout, w, results)
}

// recorder collects what the handlers see.
type recorder struct {
	lat  []time.Duration
	n    atomic.Int64 // handlers started
	done atomic.Int64 // jobs settled
	all  chan struct{}
	want int64
}

func newRecorder(jobs int) *recorder {
	return &recorder{lat: make([]time.Duration, jobs), all: make(chan struct{}), want: int64(jobs)}
}

// started records the latency of the job whose payload this is.
func (r *recorder) started(payload []byte) {
	now := time.Now()
	enq := time.Unix(0, int64(binary.BigEndian.Uint64(payload)))
	if i := r.n.Add(1) - 1; i < int64(len(r.lat)) {
		r.lat[i] = now.Sub(enq)
	}
}

func (r *recorder) finished() {
	if r.done.Add(1) == r.want {
		close(r.all)
	}
}

// run puts the workload through s: the workers start first and go idle,
// then the producers enqueue; phased, the producers go first.
func run(ctx context.Context, s system, w workload) (result, error) {
	rec := newRecorder(w.jobs)
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	if err := s.open(ctx); err != nil {
		return result{}, err
	}
	if !w.phased {
		if err := s.startWorkers(wctx, w.workers, rec); err != nil {
			return result{}, err
		}
		time.Sleep(200 * time.Millisecond) // let the workers go idle
	}
	start := time.Now()
	if err := produce(ctx, s, w); err != nil {
		return result{}, err
	}
	r := result{name: s.name(), enqueued: time.Since(start)}
	if w.phased {
		start = time.Now()
		if err := s.startWorkers(wctx, w.workers, rec); err != nil {
			return result{}, err
		}
	}
	select {
	case <-rec.all:
	case <-time.After(10 * time.Minute):
		return result{}, fmt.Errorf("only %d of %d jobs processed after 10 minutes", rec.done.Load(), w.jobs)
	}
	if err := s.drain(ctx); err != nil {
		return result{}, err
	}
	r.processed = time.Since(start)
	r.lat = rec.lat[:min(int(rec.n.Load()), len(rec.lat))]
	slices.Sort(r.lat)
	return r, nil
}

// produce enqueues w.jobs jobs from w.producers goroutines, each payload
// starting with the time its enqueue began.
func produce(ctx context.Context, s system, w workload) error {
	var limiter *rate.Limiter
	if w.rate > 0 {
		limiter = rate.NewLimiter(rate.Limit(w.rate), 1)
	}
	var next, errs atomic.Int64
	var wg sync.WaitGroup
	for range w.producers {
		wg.Go(func() {
			payload := make([]byte, w.payload)
			for next.Add(1) <= int64(w.jobs) {
				if limiter != nil {
					_ = limiter.Wait(ctx)
				}
				binary.BigEndian.PutUint64(payload, uint64(time.Now().UnixNano()))
				if err := s.enqueue(ctx, payload); err != nil {
					if errs.Add(1) == 1 {
						log.Printf("%s: enqueue: %v", s.name(), err)
					}
				}
			}
		})
	}
	wg.Wait()
	if n := errs.Load(); n > 0 {
		return fmt.Errorf("%d enqueues failed", n)
	}
	return nil
}

func report(out io.Writer, w workload, rs []result) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "system\tenqueued jobs/s\tprocessed jobs/s\tlatency p50\tp90\tp99\tmax\t")
	for _, r := range rs {
		if w.phased {
			r.lat = nil // the time the backlog waited for the workers to start
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%s\t%s\t%s\t%s\t\n", r.name,
			float64(w.jobs)/r.enqueued.Seconds(), float64(w.jobs)/r.processed.Seconds(),
			pct(r.lat, 0.50), pct(r.lat, 0.90), pct(r.lat, 0.99), pct(r.lat, 1))
	}
	tw.Flush()
}

func pct(sorted []time.Duration, p float64) string {
	if len(sorted) == 0 {
		return "-"
	}
	d := sorted[int(float64(len(sorted)-1)*p)]
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0fµs", float64(d.Microseconds()))
	case d < time.Second:
		return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
	default:
		return fmt.Sprintf("%.2fs", d.Seconds())
	}
}

func redisVersion(ctx context.Context, rdb *goredis.Client) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	info, err := rdb.InfoMap(ctx, "server").Result()
	if err != nil {
		return "", err
	}
	return info["Server"]["redis_version"], nil
}

func randomTag() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
