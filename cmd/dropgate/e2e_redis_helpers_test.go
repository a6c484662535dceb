package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/dropgate/dropgate/core/model"
)

// fleet is dropgate scaled out: gateway and worker processes of the real
// binary sharing one Redis and one supplier outbox, in a copy of the
// repository's configs.
type fleet struct {
	t        *testing.T
	dir      string
	gateways []*server
	workers  []*server
}

// fleetLease is workers.lease in the fleet's config: short, so a job of
// a killed worker comes back within seconds.
const fleetLease = 5 * time.Second

// newFleet writes the demo config with the store in r and starts the
// gateway and worker processes.
func newFleet(t *testing.T, r *redisServer, gateways, workers int, edits ...func(config string) error) *fleet {
	t.Helper()
	dir := workdir(t)
	writeRedisDemoConfig(t, dir, r.url())
	for _, edit := range edits {
		if err := edit(filepath.Join(dir, "configs", "demo.yaml")); err != nil {
			t.Fatal(err)
		}
	}
	f := &fleet{t: t, dir: dir}
	for range gateways {
		f.gateways = append(f.gateways, startServerWith(t, dir, serveOpts{role: "gateway"}))
	}
	f.addWorkers(workers)
	return f
}

// writeRedisDemoConfig rewrites dir's configs/demo.yaml (a copy of the
// repository's) to keep the queue and the store in Redis at url, with a
// short lease. Everything else, the Shopify channel and the X12 supplier
// acme with its directory outbox, stays the demo's.
func writeRedisDemoConfig(t *testing.T, dir, url string) {
	t.Helper()
	path := filepath.Join(dir, "configs", "demo.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := string(b)
	for _, r := range []struct{ old, new string }{
		{"store:\n  driver: embedded\n  path: \"${DROPGATE_DATA_DIR:-./var}/dropgate.db\"\n", fmt.Sprintf("store: { driver: redis, url: %q }\n", url)},
		{"workers:\n", fmt.Sprintf("workers:\n  lease: %s\n", fleetLease)},
	} {
		if strings.Count(cfg, r.old) != 1 {
			t.Fatalf("configs/demo.yaml no longer has %q once; update writeRedisDemoConfig", r.old)
		}
		cfg = strings.Replace(cfg, r.old, r.new, 1)
	}
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}

// addWorkers starts n more worker processes.
func (f *fleet) addWorkers(n int) {
	f.t.Helper()
	for range n {
		f.workers = append(f.workers, startServerWith(f.t, f.dir, serveOpts{role: "worker"}))
	}
}

func (f *fleet) outbox() string { return filepath.Join(f.dir, "var", "outbox", "acme") }

func (f *fleet) gatewayURLs() []string {
	var urls []string
	for _, g := range f.gateways {
		urls = append(urls, g.url)
	}
	return urls
}

// deadLetters counts the dead letters, through a gateway's admin API.
func (f *fleet) deadLetters() int {
	f.t.Helper()
	var out struct {
		DeadLetters []json.RawMessage `json:"dead_letters"`
	}
	if err := demoAdmin(f.gateways[0].url, "/dead-letters?limit=100", &out); err != nil {
		f.t.Fatal(err)
	}
	for _, d := range out.DeadLetters {
		f.t.Logf("dead letter: %.500s", d)
	}
	return len(out.DeadLetters)
}

// platform posts deliveries the way Shopify does: spread over the
// gateways (a load balancer), and every delivery not answered 200 is sent
// again, with the same delivery id, until it is (Shopify waits longer
// between attempts; the test has no hours to spare).
type platform struct {
	client *http.Client
	urls   []string
	// Outcomes of every attempt.
	ok, unavailable, other, failed atomic.Int64
	// acked[i] is when delivery i was first answered 200; acks counts
	// the deliveries answered 200 so far.
	acked  []time.Time
	acks   atomic.Int64
	mu     sync.Mutex
	saw503 map[int]bool
	waits  []ackWait
}

// ackWait is a whenAcked caller: ch is closed once n deliveries are
// acknowledged.
type ackWait struct {
	n  int64
	ch chan struct{}
}

// whenAcked returns a channel closed once n deliveries have been answered
// 200: scenarios disrupt the fleet on that event, whatever the speed of
// the machine, so the disruption always lands in the middle of the
// traffic.
func (p *platform) whenAcked(n int) <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch := make(chan struct{})
	if p.acks.Load() >= int64(n) {
		close(ch)
		return ch
	}
	p.waits = append(p.waits, ackWait{int64(n), ch})
	return ch
}

// acknowledged records delivery i's first 200 and fires the waits it
// completes.
func (p *platform) acknowledged(i int) {
	p.acked[i] = time.Now()
	n := p.acks.Add(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	kept := p.waits[:0]
	for _, w := range p.waits {
		if n >= w.n {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	p.waits = kept
}

func newPlatform(urls []string) *platform {
	tr := &http.Transport{MaxIdleConnsPerHost: 256}
	return &platform{client: &http.Client{Transport: tr, Timeout: 15 * time.Second}, urls: urls, saw503: map[int]bool{}}
}

// postAll delivers ds and returns when every delivery got its 200 (an
// error if the deadline passed first). With perSecond 0 it is a flash
// sale: clients senders post back to back, each moving on once its
// delivery is answered 200. Otherwise orders arrive at perSecond whatever
// happens to earlier ones, as a store's do, each retried on its own
// (at most 1,024 at once).
func (p *platform) postAll(ds []delivery, clients int, perSecond float64, within time.Duration) error {
	p.acked = make([]time.Time, len(ds))
	deadline := time.Now().Add(within)
	var wg sync.WaitGroup
	errc := make(chan error, len(ds))
	if perSecond == 0 {
		var next atomic.Int64
		for range clients {
			wg.Go(func() {
				for i := int(next.Add(1) - 1); i < len(ds); i = int(next.Add(1) - 1) {
					if err := p.deliver(ds[i], i, deadline); err != nil {
						errc <- err
						return
					}
				}
			})
		}
	} else {
		pace := rate.NewLimiter(rate.Limit(perSecond), 1)
		inFlight := make(chan struct{}, 1024)
		for i := range ds {
			_ = pace.Wait(context.Background())
			inFlight <- struct{}{}
			wg.Go(func() {
				defer func() { <-inFlight }()
				if err := p.deliver(ds[i], i, deadline); err != nil {
					errc <- err
				}
			})
		}
	}
	wg.Wait()
	close(errc)
	return <-errc
}

func (p *platform) deliver(d delivery, i int, deadline time.Time) error {
	backoff := 100 * time.Millisecond
	for attempt := 0; ; attempt++ {
		code, err := p.post(d, p.urls[(i+attempt)%len(p.urls)])
		switch {
		case err != nil:
			p.failed.Add(1)
		case code == http.StatusOK:
			p.ok.Add(1)
			p.acknowledged(i)
			return nil
		case code == http.StatusServiceUnavailable:
			p.unavailable.Add(1)
			p.mu.Lock()
			p.saw503[i] = true
			p.mu.Unlock()
		default:
			p.other.Add(1)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("delivery %d: no 200 after %d attempts (last: %d %v)", i, attempt+1, code, err)
		}
		time.Sleep(backoff)
		backoff = min(2*backoff, time.Second)
	}
}

func (p *platform) post(d delivery, url string) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url+"/webhooks/shop", bytes.NewReader(d.body))
	if err != nil {
		return 0, err
	}
	req.Header = d.headers.Clone()
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func (p *platform) summary() string {
	return fmt.Sprintf("attempts: %d answered 200, %d 503, %d other status, %d transport errors",
		p.ok.Load(), p.unavailable.Load(), p.other.Load(), p.failed.Load())
}

// unavailableDeliveries counts the deliveries that were answered 503 at
// least once.
func (p *platform) unavailableDeliveries() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.saw503)
}

// countPOs counts finished 850s (the transport writes a temporary name
// and renames it, so a partial file is never counted).
func countPOs(dir string) int {
	entries, _ := os.ReadDir(dir)
	n := 0
	for _, e := range entries {
		switch {
		case !strings.HasSuffix(e.Name(), ".850.x12"):
		case strings.HasPrefix(e.Name(), "PO"):
			n++
		case strings.HasPrefix(e.Name(), "B"): // a batch: its sets
			n += len(posInBatch(filepath.Join(dir, e.Name())))
		}
	}
	return n
}

// waitPOs waits until dir holds want 850s and returns when that was
// seen, failing the test after within (a hang guard, not a speed limit).
func waitPOs(t *testing.T, dir string, want int, within time.Duration) time.Time {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		n := countPOs(dir)
		if n >= want {
			return time.Now()
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d POs in %s after %v", n, want, dir, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitUntil polls cond every 10ms until it holds, and reports false if it
// still does not after within (a hang guard, not a speed limit).
func waitUntil(within time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(within); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// checkExactlyOnePO asserts the outbox holds exactly one 850 per
// delivery (acme carries both lines of the sample order, so each order
// is one PO), named by its PO number and carrying it in BEG03, and that
// the interchange control numbers are exactly 1…n: a PO sent twice with
// a fresh number would leave a gap (its first file is overwritten) and a
// number above n, and two POs sharing a number would collide.
func checkExactlyOnePO(t *testing.T, outbox string, ds []delivery) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(outbox, "*.850.x12"))
	want := map[string]bool{}
	for _, d := range ds {
		want[model.PONumber(d.orderID, "acme", 1)] = true
	}
	ctrl := map[int]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc := string(b)
		if len(doc) < 106 || !strings.HasPrefix(doc, "ISA*") {
			t.Errorf("%s is not an X12 interchange", f)
			continue
		}
		isa13, err := strconv.Atoi(doc[90:99])
		if err != nil {
			t.Errorf("%s: ISA13 %q: %v", f, doc[90:99], err)
		}
		if prev, dup := ctrl[isa13]; dup {
			t.Errorf("control number %d used by %s and %s", isa13, filepath.Base(prev), filepath.Base(f))
		}
		ctrl[isa13] = f
		i := strings.Index(doc, "BEG*00*DS*")
		if i < 0 {
			t.Errorf("%s has no BEG", f)
			continue
		}
		po := strings.SplitN(doc[i+len("BEG*00*DS*"):], "*", 2)[0]
		if !want[po] || filepath.Base(f) != po+".850.x12" {
			t.Errorf("%s holds PO %s, which is not one of this run's or not its name", filepath.Base(f), po)
		}
		delete(want, po)
	}
	if len(files) != len(ds) {
		t.Errorf("%d PO files for %d orders", len(files), len(ds))
	}
	if len(want) != 0 {
		missing := make([]string, 0, len(want))
		for po := range want {
			missing = append(missing, po)
		}
		sort.Strings(missing)
		t.Errorf("%d orders without a PO, e.g. %v", len(missing), missing[:min(5, len(missing))])
	}
	for n := 1; n <= len(ds); n++ {
		if _, ok := ctrl[n]; !ok {
			t.Errorf("control number %d is missing: numbers were allocated beyond one per PO", n)
			break
		}
	}
}

// signedDeliveries builds n distinct orders/create deliveries of the
// demo's channel.
func signedDeliveries(t *testing.T, n int) []delivery {
	t.Helper()
	c := shop(t)
	ds := make([]delivery, n)
	seen := map[string]bool{}
	for i := range ds {
		ds[i] = newDelivery(t, c)
		if seen[ds[i].orderID] {
			t.Fatalf("sample order id repeated: %s", ds[i].orderID)
		}
		seen[ds[i].orderID] = true
	}
	return ds
}
