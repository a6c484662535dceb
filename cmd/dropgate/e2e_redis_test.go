package main

// Issue 3 with real processes and a real Redis: gateways and workers of
// the real binary scaled out on one private redis-server, under a burst
// of orders, a worker killed with SIGKILL, Redis itself killed and
// restarted, and a Shopify store whose rate limit the replicas share.
// Every disruption is triggered by an event (so many deliveries
// acknowledged, a worker holding leases, so many 503s answered), never by
// the clock, so the scenarios hold on a slow, loaded machine. The plain
// `go test ./...` runs them with 200 orders; the soak
// (DROPGATE_SOAK=1, set by .ci/run) with the 5,000. Figures are
// logged; docs/BENCHMARKS.md ("Scaling out on Redis") has them with the
// command:
//
//	DROPGATE_SOAK=1 go test -run 'TestRedis' -v -count 1 ./cmd/dropgate/

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
	"github.com/dropgate/dropgate/internal/testutil"
)

// fleetScale is how big the multi-process scenarios are.
type fleetScale struct {
	orders     int     // orders each burst posts
	rate       float64 // TestRedisFleetRedisRestart's arrival rate, orders/s
	refusals   int64   // 503s the gateways answer before Redis comes back
	shopOrders int     // TestRedisFleetSharesShopifyLimit's orders
}

// scale is the soak's size (the figures) with DROPGATE_SOAK=1,
// otherwise 200 orders: enough for every process to take part and for
// each disruption to land in the middle of the traffic.
func scale() fleetScale {
	if testutil.Soak() {
		return fleetScale{orders: 5000, rate: 250, refusals: 100, shopOrders: 32}
	}
	return fleetScale{orders: 200, rate: 150, refusals: 20, shopOrders: 14}
}

// redisPosters is how many deliveries the platform has in flight at once.
const redisPosters = 32

// patience bounds every wait of these scenarios: a hang guard, far above
// what the slowest machine needs, never a speed requirement.
const patience = 3 * time.Minute

// burstResult is what a scenario measured, from the first post.
type burstResult struct {
	posted      time.Duration // the last first-200
	done        time.Duration // the last 850 on disk
	disruptedAt time.Duration // the trigger-th 200: disrupt started
}

// burst is one scenario's traffic: the deliveries, the rate the platform
// sends them at (0: all at once, redisPosters at a time) and what
// happens once trigger of them have been answered 200.
type burst struct {
	ds      []delivery
	rate    float64
	trigger int
	disrupt func(p *platform) error
}

// runBurst posts b.ds to the fleet's gateways and waits for every PO,
// running b.disrupt concurrently with the posting and the work once
// b.trigger deliveries are acknowledged.
func runBurst(t *testing.T, f *fleet, b burst) (*platform, burstResult) {
	t.Helper()
	var res burstResult
	p := newPlatform(f.gatewayURLs())
	start := time.Now()
	stop := make(chan struct{})
	defer close(stop)
	disrupted := make(chan error, 1)
	if b.disrupt == nil {
		disrupted <- nil
	} else {
		reached := p.whenAcked(b.trigger)
		go func() {
			select {
			case <-reached:
			case <-stop:
				return
			}
			res.disruptedAt = time.Since(start)
			disrupted <- b.disrupt(p)
		}()
	}
	if err := p.postAll(b.ds, redisPosters, b.rate, patience); err != nil {
		t.Fatal(err)
	}
	for _, at := range p.acked {
		res.posted = max(res.posted, at.Sub(start))
	}
	res.done = waitPOs(t, f.outbox(), len(b.ds), patience).Sub(start)
	if err := <-disrupted; err != nil {
		t.Fatal(err)
	}
	return p, res
}

// TestRedisFleetExactlyOncePO: 2 gateways and 3 workers on one Redis,
// distinct orders posted concurrently over both gateways: every order
// gets exactly one 850, and no control number is used twice.
func TestRedisFleetExactlyOncePO(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process burst")
	}
	t.Parallel()
	r := startRedis(t, false)
	f := newFleet(t, r, 2, 3)
	ds := signedDeliveries(t, scale().orders)
	p, res := runBurst(t, f, burst{ds: ds})
	t.Logf("%d orders through 2 gateways + 3 workers: all 200 in %v (%.0f webhooks/s), all 850s in %v (%.0f orders/s); %s",
		len(ds), res.posted.Round(time.Millisecond), float64(len(ds))/res.posted.Seconds(),
		res.done.Round(time.Millisecond), float64(len(ds))/res.done.Seconds(), p.summary())
	if p.unavailable.Load()+p.other.Load()+p.failed.Load() != 0 {
		t.Errorf("with Redis up every delivery should be answered 200 at once; %s", p.summary())
	}
	checkExactlyOnePO(t, f.outbox(), ds)
	if n := f.deadLetters(); n != 0 {
		t.Errorf("%d dead letters", n)
	}
	checkWorkerOps(t, f, len(ds))
}

// checkWorkerOps: each worker answers health and metrics, and no more (no
// webhooks, no admin API); their job counters together cover at least
// the webhook and the PO send of every order, which the gateways, taking
// no jobs, do not count.
func checkWorkerOps(t *testing.T, f *fleet, orders int) {
	t.Helper()
	var jobs float64
	for i, w := range f.workers {
		if w.url == "" {
			t.Fatalf("worker %d serves no health or metrics", i)
		}
		for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/api/v1/orders": 404, "/ui/": 404} {
			resp, err := http.Get(w.url + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("worker %d: GET %s answered %d, want %d", i, path, resp.StatusCode, want)
			}
		}
		resp, err := http.Post(w.url+"/webhooks/shop", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("worker %d took a webhook: %d", i, resp.StatusCode)
		}
		jobs += metricSum(w.url, "dropgate_jobs_total{")
	}
	var gatewayJobs float64
	for _, g := range f.gateways {
		gatewayJobs += metricSum(g.url, "dropgate_jobs_total{")
	}
	if jobs < float64(2*orders) || gatewayJobs != 0 {
		t.Errorf("workers counted %.0f jobs for %d orders (want at least 2 each), gateways %.0f", jobs, orders, gatewayJobs)
	}
}

// TestRedisFleetWorkerKill9: 2 gateways and one worker take the burst;
// once a third of the deliveries are acknowledged, the worker is killed
// with SIGKILL at a moment it holds leases (frozen first, to know which),
// and two fresh workers take over. The dead worker's jobs come back only
// when their leases expire, and the two finish everything; the send is
// idempotent, so a PO it had half sent is rewritten with the same name
// and control number.
func TestRedisFleetWorkerKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process burst")
	}
	t.Parallel()
	fleetWorkerKill9(t, false)
}

// TestRedisFleetWorkerKill9Batched: the same with the supplier's POs
// batched into shared interchanges. A PO whose job the killed worker held
// after its interchange was written finds its place in the batch journal
// (on Redis) when another worker runs it again: each PO is in exactly one
// interchange. The kill waits for the first interchange, so it lands
// while they are going out.
func TestRedisFleetWorkerKill9Batched(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process burst")
	}
	t.Parallel()
	fleetWorkerKill9(t, true)
}

func fleetWorkerKill9(t *testing.T, batched bool) {
	r := startRedis(t, false)
	var edits []func(string) error
	if batched {
		edits = append(edits, func(config string) error {
			return addToSupplier(config, "acme", "    batch: { max_sets: 16, max_wait: 20ms }\n")
		})
	}
	f := newFleet(t, r, 2, 1, edits...)
	rdb := goredis.NewClient(&goredis.Options{Addr: r.addr()})
	defer rdb.Close()
	ds := signedDeliveries(t, scale().orders)
	var (
		killAt  time.Time
		atKill  int
		orphans []leasedJob
		fates   []jobFate
	)
	p, res := runBurst(t, f, burst{ds: ds, trigger: len(ds) / 3, disrupt: func(*platform) error {
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		// Batched, the kill waits for interchanges to be going out, so it
		// can land between one's write and its POs' commits.
		if batched && !waitUntil(patience, func() bool { return countPOs(f.outbox()) > 0 }) {
			return fmt.Errorf("no interchange written in %v", patience)
		}
		var err error
		if orphans, err = killHoldingLeases(ctx, rdb, f.workers[0]); err != nil {
			return err
		}
		killAt, atKill = time.Now(), countPOs(f.outbox())
		f.addWorkers(2)
		fates, err = follow(ctx, rdb, orphans)
		return err
	}})
	var back, again, acked []time.Duration
	for i, j := range orphans {
		// Observed after the fact, so never before the instant it
		// happened: a job taken back before its lease ran out was taken
		// from a holder the store still had to consider alive.
		if fates[i].reclaimed.Before(j.until) {
			t.Errorf("job %s of the killed worker was taken back at %s, before its lease ran out at %s",
				j.id, fates[i].reclaimed.Format(time.StampMicro), j.until.Format(time.StampMicro))
		}
		back = append(back, fates[i].reclaimed.Sub(killAt))
		again = append(again, fates[i].released.Sub(killAt))
		acked = append(acked, fates[i].acked.Sub(killAt))
	}
	t.Logf("%d orders through 2 gateways + 1 worker, the worker SIGKILLed after %d acknowledgements (%v in) holding %d leases, with %d of %d POs written; 2 new workers finished at %v (%.0f orders/s overall); %s",
		len(ds), len(ds)/3, res.disruptedAt.Round(time.Millisecond), len(orphans), atKill, len(ds), res.done.Round(time.Millisecond),
		float64(len(ds))/res.done.Seconds(), p.summary())
	t.Logf("its %d jobs came back when their lease (%v) expired: ready again %s after the kill, leased by another worker %s, acknowledged %s (behind the backlog of their queue)",
		len(orphans), fleetLease, spread(back), spread(again), spread(acked))
	if batched {
		checkExactlyOnePOBatched(t, f.outbox(), ds)
	} else {
		checkExactlyOnePO(t, f.outbox(), ds)
	}
	if n := f.deadLetters(); n != 0 {
		t.Errorf("%d dead letters", n)
	}
}

// TestRedisFleetRedisRestart: the same on a Redis that fsyncs its
// append-only file before every reply, with orders arriving at a steady
// rate. Once a third of them are acknowledged, Redis is killed with
// SIGKILL; it is restarted on the same port and directory once the
// gateways have answered 503 to a number of deliveries, which the
// platform keeps delivering again (same delivery id) until it gets a 200.
// Every delivery answered 200 becomes exactly one PO.
func TestRedisFleetRedisRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process burst")
	}
	t.Parallel()
	sc := scale()
	r := startRedis(t, true)
	f := newFleet(t, r, 2, 3)
	ds := signedDeliveries(t, sc.orders)
	var down, up time.Time
	var atKill int
	var load time.Duration
	p, res := runBurst(t, f, burst{ds: ds, rate: sc.rate, trigger: len(ds) / 3, disrupt: func(p *platform) error {
		r.stop(syscall.SIGKILL)
		down, atKill = time.Now(), countPOs(f.outbox())
		if !waitUntil(patience, func() bool { return p.unavailable.Load() >= sc.refusals }) {
			return fmt.Errorf("Redis down for %v and only %d answers 503: %s", patience, p.unavailable.Load(), p.summary())
		}
		restart := time.Now()
		if err := r.restart(); err != nil {
			return err
		}
		up = time.Now()
		load = up.Sub(restart)
		return nil
	}})
	var before int
	for _, at := range p.acked {
		if at.Before(down) {
			before++
		}
	}
	t.Logf("%d orders at %.0f/s through 2 gateways + 3 workers on Redis with appendfsync always: Redis SIGKILLed at %v with %d POs written and %d deliveries acknowledged; down %v (until %d answers 503), answering %v after its restart (start-up and AOF load); all 200 at %v, all 850s at %v (%.0f orders/s overall)",
		len(ds), sc.rate, res.disruptedAt.Round(time.Millisecond), atKill, before, up.Sub(down).Round(time.Millisecond), sc.refusals, load.Round(time.Millisecond),
		res.posted.Round(time.Millisecond), res.done.Round(time.Millisecond), float64(len(ds))/res.done.Seconds())
	t.Logf("during the outage: %d answers 503 to %d distinct deliveries; %s", p.unavailable.Load(), p.unavailableDeliveries(), p.summary())
	if p.other.Load() != 0 {
		t.Errorf("answers other than 200 and 503: %s", p.summary())
	}
	var refusedThenAccepted int
	for i := range ds {
		if p.saw503[i] && !p.acked[i].IsZero() {
			refusedThenAccepted++
		}
	}
	if refusedThenAccepted == 0 {
		t.Errorf("no delivery answered 503 during the outage was accepted after it: %s", p.summary())
	}
	checkExactlyOnePO(t, f.outbox(), ds)
	if n := f.deadLetters(); n != 0 {
		t.Errorf("%d dead letters", n)
	}
}

// spread formats the range of durations, "–" when there are none.
func spread(ds []time.Duration) string {
	if len(ds) == 0 {
		return "–"
	}
	lo, hi := slices.Min(ds), slices.Max(ds)
	return fmt.Sprintf("%v–%v", lo.Round(time.Millisecond), hi.Round(time.Millisecond))
}

// TestRedisFleetSharesShopifyLimit: three worker replicas push
// fulfillments to one Shopify store, whose REST bucket (40 calls, leaking
// 2/s, per shop and app) answers 429 to any call over it. Each order
// needs 3 calls (list the order's fulfillments, list its fulfillment
// orders, create), and there are more calls than the bucket holds, so
// the replicas must hold calls back: they share one limiter in Redis,
// and together they draw no 429, fulfil every order exactly once, and
// spend their calls on whole pushes. How much of the allowance they used
// is logged (it depends on the machine's speed).
//
// Fulfillments rather than the inventory sync: each order is an
// independent job, so all three replicas compete for the bucket at once,
// which is what a shared limiter is for; the sync is one job at a time.
func TestRedisFleetSharesShopifyLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process, waits on the bucket")
	}
	t.Parallel()
	orders := scale().shopOrders
	if 3*orders <= shopifyfake.DefaultBucketSize {
		t.Fatalf("%d orders need %d calls, which the bucket of %d holds: the test would prove nothing", orders, 3*orders, shopifyfake.DefaultBucketSize)
	}
	r := startRedis(t, false)
	sf := newShopFleet(t, r, 3, (orders+shopifyfake.DefaultBucketSize-1)/shopifyfake.DefaultBucketSize)
	ids := make([]uint64, orders)
	bodies := make([][]byte, orders)
	for i := range ids {
		ids[i], bodies[i] = sf.order()
	}
	posted := time.Now()
	for _, b := range bodies {
		sf.webhook(b)
	}
	fulfilledAll := waitUntil(patience, func() bool {
		for _, id := range ids {
			if len(sf.fake.Fulfillments(id)) == 0 {
				return false
			}
		}
		return true
	})
	calls := sf.log.snapshot()
	if len(calls) == 0 {
		t.Fatal("dropgate never called the store")
	}
	t0, tn := calls[0].at, calls[len(calls)-1].at

	var admitted, throttled, created int
	paths := map[string]int{}
	for _, c := range calls {
		if c.status == http.StatusTooManyRequests {
			throttled++
			continue
		}
		admitted++
		paths[c.method+" "+shopPathKind(c.path)]++
		if c.method == http.MethodPost && strings.HasSuffix(c.path, "/fulfillments.json") && c.status == http.StatusCreated {
			created++
		}
	}
	var fulfilled, doubled int
	for _, id := range ids {
		switch n := len(sf.fake.Fulfillments(id)); {
		case n == 1:
			fulfilled++
		case n > 1:
			doubled++
		}
	}
	span := tn.Sub(t0)
	allowed := shopifyfake.DefaultBucketSize + shopifyfake.DefaultLeakRate*span.Seconds()
	t.Logf("3 workers, one Shopify bucket (40, 2/s): first call %v after the webhooks; %d calls admitted over %v, of %.0f the bucket allowed (%.1f %%); %d 429s",
		t0.Sub(posted).Round(time.Millisecond), admitted, span.Round(time.Millisecond), allowed, 100*float64(admitted)/allowed, throttled)
	// A push is three calls, reserved together (httpclient.Reserve), so
	// every admitted call belongs to a push carried through, unless
	// pushes were throttled halfway and restarted.
	useful := float64(3*created) / float64(max(admitted, 1))
	t.Logf("%d fulfillments created, %.0f %% of the calls admitted (3 calls each); calls by endpoint: %v", created, 100*useful, paths)
	if !fulfilledAll {
		t.Errorf("after %v only %d of %d orders were fulfilled", patience, fulfilled+doubled, orders)
	}
	if useful < 0.85 {
		t.Errorf("only %.0f %% of the admitted calls created fulfillments: pushes are being throttled halfway and restarted", 100*useful)
	}
	if throttled != 0 || sf.fake.Throttled(loopShop) != 0 {
		t.Errorf("the store answered 429 %d times (fake: %d): the replicas overdrew the shared bucket", throttled, sf.fake.Throttled(loopShop))
	}
	if doubled != 0 {
		t.Errorf("%d orders were fulfilled twice", doubled)
	}
}

// shopPathKind names an Admin API path without its version and ids.
func shopPathKind(p string) string {
	var out []string
	for i, seg := range strings.Split(strings.TrimPrefix(p, "/admin/api/"), "/") {
		if i == 0 {
			continue // the version
		}
		if seg != "" && strings.Trim(seg, "0123456789") == "" || strings.Trim(strings.TrimSuffix(seg, ".json"), "0123456789") == "" {
			seg = "{id}" + strings.TrimPrefix(seg, strings.TrimSuffix(seg, ".json"))
		}
		out = append(out, seg)
	}
	return strings.Join(out, "/")
}
