package connectortest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// Route names the request that makes a capability's effect on the
// platform (POST /admin/api/2025-07/fulfillments.json): faults that must
// hit the effect are injected there.
type Route struct {
	Method     string
	Path       string // exact, or
	PathPrefix string
}

func (r Route) matches(q kit.Request) bool {
	return (r.Method == "" || strings.EqualFold(r.Method, q.Method)) &&
		(r.Path == "" || r.Path == q.Path) &&
		(r.PathPrefix == "" || strings.HasPrefix(q.Path, r.PathPrefix))
}

func (r Route) fault(f kit.Fault) kit.Fault {
	f.Method, f.Path, f.PathPrefix = r.Method, r.Path, r.PathPrefix
	return f
}

func (r Route) String() string { return strings.TrimSpace(r.Method + " " + r.Path + r.PathPrefix) }

// outbound is one capability that calls the platform, as the common
// cases see it.
type outbound struct {
	limit store.Limit
	setup func(r *Rig) outboundFixture
}

type outboundFixture struct {
	fake  *kit.Server
	write Route
	// next returns the operation on a fresh subject (a new order, SKU,
	// purchase order); i keeps subjects apart.
	next func(i int) operation
	// batch, when set, is one operation over n fresh subjects (a status
	// poll over many open POs): the load case runs it instead of n
	// operations.
	batch func(n int) operation
	// skipsRefused: a read the platform refuses is skipped, not failed (a
	// status poll over many POs must not stop at one bad order); it is
	// still never retried.
	skipsRefused bool
}

// operation is one call of the capability on one subject.
type operation struct {
	do func(ctx context.Context) error
	// effects counts what the call made happen on the platform for this
	// subject (fulfillments created, cancellations applied, quantities
	// changed); nil for a capability that only reads.
	effects func() int
}

// outboundCase is a rig with its fixture.
type outboundCase struct {
	t   T
	rig *Rig
	fx  outboundFixture
}

func (o outbound) start(t T) *outboundCase {
	t.Helper()
	rig := NewRig(t, o.limit)
	fx := o.setup(rig)
	if fx.fake == nil || fx.next == nil || (fx.write == Route{}) {
		t.Fatalf("harness: the fake, the write route and the subjects are needed")
	}
	return &outboundCase{t: t, rig: rig, fx: fx}
}

// runOutbound runs the cases every capability calling a platform shares.
func runOutbound(t T, o outbound) {
	t.Helper()
	if o.limit.Rate <= 0 || o.limit.Burst <= 0 {
		t.Fatalf("harness: Limit (the connector's rate limit, which the fake's quota matches) is needed")
	}
	t.Run("succeeds once, asking the limiter", func(t T) { o.start(t).succeeds() })
	t.Run("replay", func(t T) { o.start(t).replay() })
	t.Run("lost answer", func(t T) { o.start(t).lost(kit.Fault{Name: "lost", Status: http.StatusServiceUnavailable}) })
	t.Run("dropped answer", func(t T) { o.start(t).lost(kit.Fault{Name: "lost", Drop: true}) })
	t.Run("429 with Retry-After", func(t T) { o.start(t).retryAfter() })
	t.Run("429 without Retry-After", func(t T) { o.start(t).transient(http.StatusTooManyRequests) })
	t.Run("503", func(t T) { o.start(t).transient(http.StatusServiceUnavailable) })
	for _, status := range []int{400, 401, 403, 404, 422} {
		t.Run(fmt.Sprintf("%d not retried", status), func(t T) { o.start(t).refused(status) })
	}
	t.Run("no budget", func(t T) { o.start(t).noBudget() })
	t.Run("quota never exceeded", func(t T) {
		c := o.start(t)
		if probe := c.fx.next(0); probe.effects == nil && c.fx.batch == nil {
			// A read from a cursor of its own (a channel's poll) is one
			// per channel at a time: there is no load of them to share a
			// quota; "no budget" and the Retry-After cases cover it.
			t.Logf("a read without a batch form: no load case")
			return
		}
		c.underLoad(o.limit.Burst + 5)
	})
	t.Run("cancelled context", func(t T) { o.start(t).cancelledBefore() })
	t.Run("cancelled in flight", func(t T) { o.start(t).cancelledInFlight() })
}

func (c *outboundCase) now() time.Time { return c.rig.Clock.Now() }

// call runs op once and returns its error and the requests it made.
func (c *outboundCase) call(ctx context.Context, op operation) ([]kit.Request, error) {
	c.t.Helper()
	mark := c.fx.fake.LastSeq()
	var err error
	if safely(c.t, "the capability", func() { err = op.do(ctx) }) {
		c.t.Fatalf("cannot go on after a panic")
	}
	return c.fx.fake.Since(mark), err
}

func (c *outboundCase) effects(op operation, want int, when string) {
	c.t.Helper()
	if op.effects == nil {
		return
	}
	if got := op.effects(); got != want {
		c.t.Errorf("%s: %d effects on the platform, want %d", when, got, want)
	}
}

// settle retries op as the queue would (at its "not before", or a
// backoff step later) until it succeeds or fails permanently.
func (c *outboundCase) settle(op operation, when string) {
	c.t.Helper()
	for attempt := 1; attempt <= 30; attempt++ {
		_, err := c.call(context.Background(), op)
		if err == nil {
			return
		}
		class, notBefore := fault.Classify(err)
		if class == fault.ClassPermanent || class == fault.ClassPartial {
			c.t.Fatalf("%s: retry %d failed permanently: %v", when, attempt, err)
		}
		c.advance(notBefore)
	}
	c.t.Fatalf("%s: still failing after 30 retries", when)
}

// advance moves the clock to notBefore, or a backoff step on.
func (c *outboundCase) advance(notBefore time.Time) {
	if notBefore.After(c.now()) {
		c.rig.Clock.Set(notBefore)
	} else {
		c.rig.Clock.Advance(2 * time.Second)
	}
}

// retryable asserts err is an error the queue retries.
func (c *outboundCase) retryable(err error, when string) (fault.Class, time.Time) {
	c.t.Helper()
	class, notBefore := fault.Classify(err)
	switch {
	case err == nil:
		c.t.Errorf("%s: no error; the call cannot have succeeded", when)
	case class != fault.ClassRetryable && class != fault.ClassThrottled:
		c.t.Errorf("%s: %v (class %v); want a retryable error", when, err, class)
	}
	return class, notBefore
}

func (c *outboundCase) succeeds() {
	op := c.fx.next(1)
	tokens := c.rig.Limiter.Tokens()
	reqs, err := c.call(context.Background(), op)
	if err != nil {
		c.t.Fatalf("a call on a healthy platform: %v", err)
	}
	c.effects(op, 1, "after one call")
	if len(reqs) == 0 {
		c.t.Fatalf("the call made no request to the platform")
	}
	if got := c.rig.Limiter.Tokens() - tokens; got < len(reqs) {
		c.t.Errorf("%d requests but %d tokens from the limiter: every call must ask it first", len(reqs), got)
	}
	for _, r := range reqs {
		if r.Outcome&kit.Unauthorized != 0 {
			c.t.Errorf("%s %s was refused as unauthorized: the connector does not send the configured credentials", r.Method, r.Path)
		}
	}
	if n := c.fx.fake.QuotaViolations(); n != 0 {
		c.t.Errorf("the platform refused %d requests over its quota", n)
	}
	if !hasWrite(reqs, c.fx.write) && op.effects != nil {
		c.t.Errorf("no request matched the harness's write route %s", c.fx.write)
	}
}

func hasWrite(reqs []kit.Request, w Route) bool {
	for _, r := range reqs {
		if w.matches(r) {
			return true
		}
	}
	return false
}

func writes(reqs []kit.Request, w Route) int {
	n := 0
	for _, r := range reqs {
		if w.matches(r) {
			n++
		}
	}
	return n
}

func (c *outboundCase) replay() {
	op := c.fx.next(2)
	for i := range 3 {
		if _, err := c.call(context.Background(), op); err != nil {
			c.t.Fatalf("call %d of the same operation: %v", i+1, err)
		}
	}
	c.effects(op, 1, "after three calls of the same operation")
}

// lost: the platform acts and the answer never arrives; the retry must
// not act again.
func (c *outboundCase) lost(f kit.Fault) {
	op := c.fx.next(3)
	f.AfterHandling, f.Times = true, 1
	c.fx.fake.Inject(c.fx.write.fault(f))
	_, err := c.call(context.Background(), op)
	if c.fx.fake.Fired("lost") != 1 {
		c.t.Fatalf("no successful request matched the write route %s: the harness's route is wrong", c.fx.write)
	}
	if err != nil {
		if class, _ := fault.Classify(err); class == fault.ClassPermanent {
			c.t.Errorf("a lost answer is a permanent error (%v); the platform may well have acted: retry", err)
		}
	}
	c.effects(op, 1, "once the platform acted")
	if err != nil {
		c.settle(op, "after a lost answer")
	}
	c.effects(op, 1, "after the retry of a call whose answer was lost")
}

// retryAfter: a 429 with Retry-After is retried no sooner, by no one.
func (c *outboundCase) retryAfter() {
	op := c.fx.next(4)
	c.fx.fake.Inject(kit.Fault{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"7"}}, Times: 1})
	now := c.now()
	reqs, err := c.call(context.Background(), op)
	_, notBefore := c.retryable(err, "a 429 with Retry-After: 7")
	if len(reqs) != 1 {
		c.t.Errorf("%d requests after a 429: a 429 goes back to the queue, it is not retried in place", len(reqs))
	}
	if notBefore.Before(now.Add(7 * time.Second)) {
		c.t.Errorf("retry not before %v, earlier than the platform's Retry-After (%v)", notBefore, now.Add(7*time.Second))
	}
	c.effects(op, 0, "after a 429")
	// Any call of the same budget before then is held back, not sent:
	// the shared limiter learnt of the 429.
	c.rig.Clock.Advance(3 * time.Second)
	reqs, err = c.call(context.Background(), op)
	if len(reqs) != 0 {
		c.t.Errorf("a call 3s after a 429 with Retry-After: 7 reached the platform (%d requests): the shared limiter was not deferred", len(reqs))
	}
	c.retryable(err, "a call within the Retry-After")
	c.rig.Clock.Set(notBefore)
	c.settle(op, "after the Retry-After")
	c.effects(op, 1, "after the Retry-After")
}

// transient: a 429 without Retry-After or a 503 is retryable, not retried
// in place.
func (c *outboundCase) transient(status int) {
	op := c.fx.next(5)
	c.fx.fake.Inject(kit.Fault{Status: status, Times: 1})
	now := c.now()
	reqs, err := c.call(context.Background(), op)
	_, notBefore := c.retryable(err, fmt.Sprintf("a %d", status))
	if len(reqs) != 1 {
		c.t.Errorf("%d requests after a %d: it goes back to the queue, it is not retried in place", len(reqs), status)
	}
	if !notBefore.IsZero() && notBefore.Before(now) {
		c.t.Errorf("retry not before %v, in the past", notBefore)
	}
	c.effects(op, 0, fmt.Sprintf("after a %d", status))
	c.settle(op, fmt.Sprintf("after a %d", status))
	c.effects(op, 1, fmt.Sprintf("after a %d and a retry", status))
}

// refused: another 4xx on the write is permanent and not retried.
func (c *outboundCase) refused(status int) {
	op := c.fx.next(6)
	c.fx.fake.Inject(c.fx.write.fault(kit.Fault{Status: status}))
	reqs, err := c.call(context.Background(), op)
	class, _ := fault.Classify(err)
	switch {
	case c.fx.skipsRefused && (err == nil || class == fault.ClassPermanent):
	case err == nil || class != fault.ClassPermanent:
		c.t.Errorf("a %d on %s: %v; want a permanent error (it fails the same way however often it is retried)", status, c.fx.write, err)
	}
	if n := writes(reqs, c.fx.write); n != 1 {
		c.t.Errorf("a %d on %s: %d requests to it; want exactly 1, no retry", status, c.fx.write, n)
	}
	c.effects(op, 0, fmt.Sprintf("after a %d", status))
}

// noBudget: without budget in the shared limiter nothing is sent and the
// job is throttled until there is.
func (c *outboundCase) noBudget() {
	op := c.fx.next(7)
	c.rig.Limiter.Starve(true)
	now := c.now()
	reqs, err := c.call(context.Background(), op)
	class, notBefore := fault.Classify(err)
	if err == nil || class != fault.ClassThrottled || !notBefore.After(now) {
		c.t.Errorf("with no budget: %v (class %v, not before %v); want fault.Throttled until later", err, class, notBefore)
	}
	if len(reqs) != 0 {
		c.t.Errorf("with no budget, %d requests reached the platform", len(reqs))
	}
	c.effects(op, 0, "with no budget")
	c.rig.Limiter.Starve(false)
	c.settle(op, "once there is budget")
	c.effects(op, 1, "once there is budget")
}

// underLoad: more work than the platform's burst, retried as the queue
// would, never draws a 429 from the platform.
func (c *outboundCase) underLoad(n int) {
	ops := make([]operation, n)
	if c.fx.batch != nil {
		ops = []operation{c.fx.batch(n)}
	}
	for i := range ops {
		if ops[i].do == nil {
			ops[i] = c.fx.next(100 + i)
		}
	}
	pending, held := ops, 0
	for round := 0; len(pending) > 0; round++ {
		if round > 400 {
			_, err := c.call(context.Background(), pending[0])
			c.t.Fatalf("%d operations still pending after 400 rounds: %v", len(pending), err)
		}
		var again []operation
		var next time.Time
		for _, op := range pending {
			_, err := c.call(context.Background(), op)
			if err == nil {
				continue
			}
			class, notBefore := fault.Classify(err)
			if class == fault.ClassPermanent || class == fault.ClassPartial {
				c.t.Fatalf("under load: %v", err)
			}
			held++
			if notBefore.After(next) {
				next = notBefore
			}
			again = append(again, op)
		}
		pending = again
		if len(pending) > 0 {
			c.advance(next)
		}
	}
	if v := c.fx.fake.QuotaViolations(); v != 0 {
		c.t.Errorf("the platform refused %d requests over its quota: the connector does not keep to the shared limiter", v)
	}
	if held == 0 {
		c.t.Errorf("%d operations, more than the burst, and none was held back: the connector does not ask the limiter", n)
	}
	for i, op := range ops {
		if op.effects != nil && op.effects() != 1 {
			c.t.Errorf("operation %d: %d effects, want 1", i, op.effects())
		}
	}
}

func (c *outboundCase) cancelledBefore() {
	op := c.fx.next(8)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	reqs, err := c.call(ctx, op)
	if err == nil {
		c.t.Errorf("a call with a cancelled context succeeded")
	} else if class, _ := fault.Classify(err); class == fault.ClassPermanent {
		c.t.Errorf("a cancelled context is a permanent error (%v): the job would be dead-lettered for a shutdown", err)
	}
	if len(reqs) != 0 {
		c.t.Errorf("a call with a cancelled context sent %d requests", len(reqs))
	}
	c.effects(op, 0, "with a cancelled context")
}

// cancelledInFlight: the write is held until the caller cancels; the
// call returns, and a retry does the work once.
func (c *outboundCase) cancelledInFlight() {
	op := c.fx.next(9)
	arrived := make(chan struct{}, 1)
	c.fx.fake.Inject(c.fx.write.fault(kit.Fault{Name: "stall", Stall: true, Times: 1, Signal: arrived}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	returned := make(chan struct{})
	var guarded atomic.Bool
	go func() {
		select {
		case <-arrived:
			cancel()
		case <-returned:
			return
		}
		// Hang guard only: a connector that does not pass the context on
		// would otherwise hold the test until the binary's timeout.
		select {
		case <-returned:
		case <-time.After(30 * time.Second):
			guarded.Store(true)
			c.fx.fake.Close()
		}
	}()
	_, err := c.call(ctx, op)
	close(returned)
	if guarded.Load() {
		c.t.Fatalf("the call did not return 30s after its context was cancelled: it does not pass the context to its requests")
	}
	if c.fx.fake.Fired("stall") != 1 {
		c.t.Fatalf("the write route %s was never reached", c.fx.write)
	}
	if err == nil {
		c.t.Errorf("a call cancelled in flight reported success")
	} else if class, _ := fault.Classify(err); class == fault.ClassPermanent {
		c.t.Errorf("a call cancelled in flight is a permanent error: %v", err)
	}
	c.effects(op, 0, "after a call cancelled in flight")
	c.settle(op, "after a cancelled call")
	c.effects(op, 1, "after a cancelled call and a retry")
}
