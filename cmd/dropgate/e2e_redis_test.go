package main

// Issue 3 with real processes and a real Redis: gateways and workers of
// the real binary scaled out on one private redis-server, under a burst
// of orders, a worker killed with SIGKILL, Redis itself killed and
// restarted, and a Shopify store whose rate limit the replicas share.
// Figures are logged; docs/BENCHMARKS.md ("Scaling out on Redis") has
// them with the command:
//
//	go test -run 'TestRedis' -v -count 1 ./cmd/dropgate/

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
)

// redisOrders is how many orders each multi-process scenario posts (the
// issue's figure).
const redisOrders = 5000

// redisPosters is how many deliveries the platform has in flight at once.
const redisPosters = 32

// burstResult is what a scenario measured, from the first post.
type burstResult struct {
	posted      time.Duration // the last first-200
	done        time.Duration // the last 850 on disk
	disruptedAt time.Duration // a third of the POs on disk: disrupt ran
}

// burst is one scenario's traffic: the deliveries, the rate the platform
// sends them at (0: all at once, redisPosters at a time) and what
// happens when a third of the POs are on disk.
type burst struct {
	ds      []delivery
	rate    float64
	disrupt func() error
}

// runBurst posts b.ds to the fleet's gateways and waits for every PO,
// running b.disrupt concurrently with the posting and the work once a
// third of the POs are written.
func runBurst(t *testing.T, f *fleet, b burst) (*platform, burstResult) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var res burstResult
	start := time.Now()
	w := watchOutbox(ctx, f.outbox(), len(b.ds))
	disrupted := make(chan error, 1)
	go func() {
		select {
		case <-w.third:
		case <-ctx.Done():
			disrupted <- nil
			return
		}
		res.disruptedAt = w.thirdAt.Sub(start)
		if b.disrupt == nil {
			disrupted <- nil
			return
		}
		disrupted <- b.disrupt()
	}()
	p := newPlatform(f.gatewayURLs())
	if err := p.postAll(b.ds, redisPosters, b.rate, 3*time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, at := range p.acked {
		res.posted = max(res.posted, at.Sub(start))
	}
	w.wait(t, 3*time.Minute)
	res.done = w.allAt.Sub(start)
	if err := <-disrupted; err != nil {
		t.Fatal(err)
	}
	return p, res
}

// TestRedisFleetExactlyOncePO: 2 gateways and 3 workers on one Redis,
// 5,000 distinct orders posted concurrently over both gateways: every
// order gets exactly one 850, and no control number is used twice.
func TestRedisFleetExactlyOncePO(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process burst")
	}
	r := startRedis(t, false)
	f := newFleet(t, r, 2, 3)
	ds := signedDeliveries(t, redisOrders)
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
}

// TestRedisFleetWorkerKill9: the same, and one of the three workers is
// killed with SIGKILL once a third of the POs are written. Its jobs come
// back when their leases expire and the other two finish everything;
// the send is idempotent, so a PO it had half sent is rewritten with the
// same name and control number.
func TestRedisFleetWorkerKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process burst")
	}
	r := startRedis(t, false)
	f := newFleet(t, r, 2, 3)
	rdb := goredis.NewClient(&goredis.Options{Addr: r.addr()})
	defer rdb.Close()
	ds := signedDeliveries(t, redisOrders)
	var (
		killAt   time.Time
		atKill   int
		orphans  []leasedJob
		fates    []jobFate
		trackErr error
	)
	p, res := runBurst(t, f, burst{ds: ds, disrupt: func() error {
		f.workers[0].kill9()
		killAt, atKill = time.Now(), countPOs(f.outbox())
		// Once every live worker has renewed its leases (every third of
		// the lease), the leases that still expire within a lease of the
		// kill are the dead worker's.
		time.Sleep(fleetLease / 2)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if orphans, trackErr = unrenewedLeases(ctx, rdb, killAt.Add(fleetLease)); trackErr == nil {
			fates, trackErr = follow(ctx, rdb, orphans)
		}
		return trackErr
	}})
	// A job taken back only after its lease ran out was the dead
	// worker's: a live worker would have renewed it.
	var reclaimed int
	var back, again, acked []time.Duration
	for i, j := range orphans {
		if fates[i].reclaimed.After(j.until) {
			reclaimed++
			back = append(back, fates[i].reclaimed.Sub(killAt))
			again = append(again, fates[i].released.Sub(killAt))
			acked = append(acked, fates[i].acked.Sub(killAt))
		}
	}
	t.Logf("%d orders through 2 gateways + 3 workers, one worker SIGKILLed at %v with %d of %d POs written; the other two finished at %v (%.0f orders/s overall), %v after the kill; %s",
		len(ds), res.disruptedAt.Round(time.Millisecond), atKill, len(ds), res.done.Round(time.Millisecond),
		float64(len(ds))/res.done.Seconds(), (res.done - res.disruptedAt).Round(time.Millisecond), p.summary())
	t.Logf("the killed worker held %d leased jobs; %d came back when their lease (%v) expired: ready again %s after the kill, leased by another worker %s, acknowledged %s (behind the backlog of their queue)",
		len(orphans), reclaimed, fleetLease, spread(back), spread(again), spread(acked))
	if reclaimed == 0 {
		t.Fatalf("the killed worker held no job that had to be reclaimed (%d leases found): the test proves nothing", len(orphans))
	}
	checkExactlyOnePO(t, f.outbox(), ds)
	if n := f.deadLetters(); n != 0 {
		t.Errorf("%d dead letters", n)
	}
}

// redisOutage is how long Redis stays down in TestRedisFleetRedisRestart.
const redisOutage = 3 * time.Second

// TestRedisFleetRedisRestart: the same on a Redis that fsyncs its
// append-only file before every reply, with orders arriving at a steady
// rate; once a third of the POs are written, Redis is killed with SIGKILL
// and restarted on the same port and directory a few seconds later. The
// gateways answer 503 meanwhile and the platform delivers again (same
// delivery id) until it gets a 200. Every delivery answered 200 becomes
// exactly one PO.
func TestRedisFleetRedisRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process burst")
	}
	r := startRedis(t, true)
	f := newFleet(t, r, 2, 3)
	ds := signedDeliveries(t, redisOrders)
	var down, up time.Time
	var atKill int
	var load, resumed time.Duration
	// Orders arrive at 250/s, a little faster than this fleet writes POs
	// with every Redis write fsynced, so orders keep arriving while Redis
	// is down.
	p, res := runBurst(t, f, burst{ds: ds, rate: 250, disrupt: func() error {
		r.stop(syscall.SIGKILL)
		down, atKill = time.Now(), countPOs(f.outbox())
		time.Sleep(redisOutage)
		restart := time.Now()
		if err := r.restart(); err != nil {
			return err
		}
		up = time.Now()
		load = up.Sub(restart)
		atUp := countPOs(f.outbox())
		for countPOs(f.outbox()) == atUp && time.Since(up) < time.Minute {
			time.Sleep(10 * time.Millisecond)
		}
		resumed = time.Since(up)
		return nil
	}})
	var before int
	for _, at := range p.acked {
		if at.Before(down) {
			before++
		}
	}
	t.Logf("%d orders at 250/s through 2 gateways + 3 workers on Redis with appendfsync always: Redis SIGKILLed at %v with %d POs written and %d deliveries acknowledged; restarted %v later and answering %v after that (start-up and AOF load); the next PO %v after that (the workers' back-off); all 200 at %v, all 850s at %v (%.0f orders/s overall)",
		len(ds), res.disruptedAt.Round(time.Millisecond), atKill, before, redisOutage, load.Round(time.Millisecond),
		resumed.Round(time.Millisecond), res.posted.Round(time.Millisecond), res.done.Round(time.Millisecond), float64(len(ds))/res.done.Seconds())
	t.Logf("during the outage: %d answers 503 to %d distinct deliveries; %s", p.unavailable.Load(), p.unavailableDeliveries(), p.summary())
	if p.unavailable.Load() == 0 {
		t.Errorf("no delivery was answered 503 while Redis was down: the outage missed the traffic")
	}
	if p.other.Load() != 0 {
		t.Errorf("answers other than 200 and 503: %s", p.summary())
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

// The Shopify scenario: shopOrders orders each need 3 REST calls to push
// their fulfillment (list the order's fulfillments, list its fulfillment
// orders, create), about 240 calls, while the bucket admits 40 + 2/s:
// more work than shopWindow can drain, so the bucket is the bottleneck
// from the first call to the last.
const (
	shopOrders = 80
	shopWindow = 30 * time.Second
)

// TestRedisFleetSharesShopifyLimit: three worker replicas push
// fulfillments to one Shopify store, whose REST bucket (40 calls, leaking
// 2/s, per shop and app) answers 429 to any call over it. The replicas
// share one limiter in Redis, so together they draw no 429 and use at
// least 90 % of what the bucket allows over the window (40 + 2 × seconds).
//
// Fulfillments rather than the inventory sync: each order is an
// independent job, so all three replicas compete for the bucket at once,
// which is what a shared limiter is for; the sync is one job at a time.
func TestRedisFleetSharesShopifyLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-process, 30 s window")
	}
	r := startRedis(t, false)
	sf := newShopFleet(t, r, 3, (shopOrders+shopifyfake.DefaultBucketSize-1)/shopifyfake.DefaultBucketSize)
	ids := make([]uint64, shopOrders)
	bodies := make([][]byte, shopOrders)
	for i := range ids {
		ids[i], bodies[i] = sf.order()
	}
	posted := time.Now()
	for _, b := range bodies {
		sf.webhook(b)
	}
	var t0 time.Time
	for deadline := time.Now().Add(30 * time.Second); t0.IsZero(); time.Sleep(10 * time.Millisecond) {
		if calls := sf.log.snapshot(); len(calls) > 0 {
			t0 = calls[0].at
		} else if time.Now().After(deadline) {
			t.Fatal("no call reached the store within 30s of the webhooks")
		}
	}
	time.Sleep(time.Until(t0.Add(shopWindow)) + 500*time.Millisecond)
	calls := sf.log.snapshot()

	var admitted, steady, throttled, created int
	paths := map[string]int{}
	for _, c := range calls {
		if c.status == http.StatusTooManyRequests {
			throttled++
			continue
		}
		d := c.at.Sub(t0)
		if d >= shopWindow {
			continue
		}
		admitted++
		if d >= shopWindow/3 {
			steady++
		}
		paths[c.method+" "+shopPathKind(c.path)]++
		if c.method == http.MethodPost && strings.HasSuffix(c.path, "/fulfillments.json") && c.status == http.StatusCreated {
			created++
		}
	}
	allowed := shopifyfake.DefaultBucketSize + shopifyfake.DefaultLeakRate*shopWindow.Seconds()
	share := float64(admitted) / allowed
	var fulfilled, doubled int
	for _, id := range ids {
		switch n := len(sf.fake.Fulfillments(id)); {
		case n == 1:
			fulfilled++
		case n > 1:
			doubled++
		}
	}
	t.Logf("3 workers, one Shopify bucket (40, 2/s): first call %v after the webhooks; in the %v from it %d calls admitted of %.0f allowed (%.1f %%), %.2f calls/s over the last %v (allowed 2); %d 429s",
		t0.Sub(posted).Round(time.Millisecond), shopWindow, admitted, allowed, 100*share,
		float64(steady)/(shopWindow*2/3).Seconds(), shopWindow*2/3, throttled)
	// A push is three calls, reserved together (httpclient.Reserve), so
	// the calls admitted are pushes carried through, not restarts: at
	// most the pushes in flight when the window closes are incomplete.
	useful := float64(3*created) / float64(max(admitted, 1))
	t.Logf("%d fulfillments created in the window, %.0f %% of the calls admitted (3 calls each); calls by endpoint: %v",
		created, 100*useful, paths)
	if useful < 0.85 {
		t.Errorf("only %.0f %% of the admitted calls created fulfillments: pushes are being throttled halfway and restarted", 100*useful)
	}
	if throttled != 0 || sf.fake.Throttled(loopShop) != 0 {
		t.Errorf("the store answered 429 %d times (fake: %d): the replicas overdrew the shared bucket", throttled, sf.fake.Throttled(loopShop))
	}
	if share < 0.9 {
		t.Errorf("the replicas used %.1f %% of the calls the bucket allowed; want at least 90 %%", 100*share)
	}
	if fulfilled == shopOrders {
		t.Errorf("every order was fulfilled within the window: the bucket was not the bottleneck, the test proves nothing")
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
