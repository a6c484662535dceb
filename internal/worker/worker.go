// Package worker runs queue jobs: N goroutines dequeue, renew their lease
// while a handler works, and turn the handler's error into the queue's
// next step (DESIGN §2.5):
//
//	nil                → Ack
//	fault.Throttled    → reschedule at NotBefore, attempt given back
//	fault.Permanent    → dead letter now
//	anything else      → retry with exponential backoff and jitter, or
//	                     dead letter after the policy's last attempt
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/stage"
	"github.com/dropgate/dropgate/core/store"
)

// Handler does one job. It must be idempotent: a job may run twice.
type Handler func(ctx context.Context, j *store.Job) error

// Hooks observe outcomes (metrics).
type Hooks struct {
	// Done runs after every job with its outcome (ok, retry, throttled,
	// dead) and the handler's error.
	Done func(j *store.Job, outcome string, took time.Duration, err error)
	// Dead runs after a job was moved to the dead letters, so the
	// operator sees it as an exception.
	Dead func(ctx context.Context, j *store.Job, err error)
}

// Runner dispatches jobs to handlers by kind.
type Runner struct {
	Queue       store.Queue
	Queues      []string
	Concurrency int
	Lease       time.Duration
	Clock       clock.Clock
	Logger      *slog.Logger
	Hooks       Hooks
	// Policy returns the retry policy of a job (by its connector).
	Policy func(j *store.Job) connector.RetryPolicy

	mu       sync.RWMutex
	handlers map[string]Handler
	inFlight map[*store.Job]struct{} // jobs whose handler is running

	// The loops running and the contexts Run gave them, for the loops
	// started in place of waiting handlers (park).
	loops       sync.WaitGroup
	ctx, jobCtx context.Context
	standIns    atomic.Int64 // loops started by park and not yet stopped
}

// Handle registers the handler of a job kind.
func (r *Runner) Handle(kind string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.handlers == nil {
		r.handlers = map[string]Handler{}
	}
	r.handlers[kind] = h
}

func (r *Runner) handler(kind string) Handler {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.handlers[kind]
}

// Run works until ctx ends, then waits for jobs in progress to finish:
// their own contexts end grace after ctx, and a handler still running
// abandonWait after that ignores its context (a loop, a call without a
// timeout). Run then stops waiting for it, logs each job it abandons and
// returns, so a shutdown always ends in bounded time. An abandoned job's
// lease is no longer renewed: it expires and the job is delivered again,
// here after a restart or to another replica (at least once, never lost).
func (r *Runner) Run(ctx context.Context, grace time.Duration) error {
	if r.Clock == nil {
		r.Clock = clock.Real{}
	}
	if r.Logger == nil {
		r.Logger = slog.Default()
	}
	if r.Concurrency <= 0 {
		r.Concurrency = 1
	}
	if r.Lease <= 0 {
		r.Lease = 2 * time.Minute
	}
	// Jobs get a context that outlives ctx by grace, so a SIGTERM lets
	// them finish their current call instead of abandoning it half-done.
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	stop := context.AfterFunc(ctx, func() {
		time.AfterFunc(grace, cancelJobs)
	})
	defer stop()

	r.ctx, r.jobCtx = ctx, jobCtx
	for i := 0; i < r.Concurrency; i++ {
		r.startLoop()
	}
	stopped := make(chan struct{})
	go func() {
		r.loops.Wait()
		close(stopped)
	}()
	select {
	case <-stopped:
		return nil
	case <-jobCtx.Done(): // ctx ended, then grace passed
	}
	select {
	case <-stopped:
		return nil
	case <-time.After(abandonWait):
	}
	for _, j := range r.running() {
		r.Logger.Warn("shutdown: abandoning a job whose handler ignores its context; its lease will expire and it will be delivered again",
			"job", j.ID, "kind", j.Kind, "attempt", j.Attempt, "grace", grace)
	}
	return nil
}

// startLoop starts one more loop. park starts one while the waiting
// handler's own loop still counts, so the group is never at zero then.
func (r *Runner) startLoop() {
	r.loops.Add(1)
	go func() {
		defer r.loops.Done()
		r.loop(r.ctx, r.jobCtx)
	}()
}

// maxStandIns bounds the loops started for waiting handlers. A waiting
// handler holds a goroutine and its job's lease, nothing the handler
// count protects (CPU, connections), and waiters are bounded anyway by
// the batches they wait in (one open batch of max_sets per supplier). A
// bound near Concurrency would bring back the stall park exists for: a
// batch larger than the loops could not fill before its max_wait.
const maxStandIns = 4096

// park is job.Waiting in this runner: a handler about to wait for other
// jobs (a supplier batch filling up with them) gets a loop started in its
// place, so Concurrency handlers keep working. One is enough however often
// the job waits (*stood records it): the job held one place. Once the job
// is settled its own loop stops (see process), and the count is back. The
// loop count, not the handler's resume, is what matters, so resume does
// nothing here. Past maxStandIns a waiting handler keeps its place.
func (r *Runner) park(stood *atomic.Bool) (resume func()) {
	if stood.Load() || r.ctx.Err() != nil {
		return func() {}
	}
	if r.standIns.Add(1) > maxStandIns {
		r.standIns.Add(-1)
		return func() {}
	}
	stood.Store(true)
	r.startLoop()
	return func() {}
}

// abandonWait is how long after its context ended a handler is still
// waited for at shutdown: one honouring its context returns at once.
const abandonWait = time.Second

// track records j as running until the returned func is called.
func (r *Runner) track(j *store.Job) (untrack func()) {
	r.mu.Lock()
	if r.inFlight == nil {
		r.inFlight = map[*store.Job]struct{}{}
	}
	r.inFlight[j] = struct{}{}
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		delete(r.inFlight, j)
		r.mu.Unlock()
	}
}

// running returns the jobs whose handlers have not returned yet.
func (r *Runner) running() []*store.Job {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]*store.Job, 0, len(r.inFlight))
	for j := range r.inFlight {
		out = append(out, j)
	}
	return out
}

// fairEvery: one dequeue in fairEvery reverses the queue order, so under
// sustained load the lowest-priority queue (new webhooks) still gets at
// least that share of the workers while the others are never starved.
const fairEvery = 3

func (r *Runner) loop(ctx, jobCtx context.Context) {
	backoff := 100 * time.Millisecond
	reversed := make([]string, len(r.Queues))
	for i, q := range r.Queues {
		reversed[len(r.Queues)-1-i] = q
	}
	order := func(n int) []string {
		if n%fairEvery == fairEvery-1 {
			return reversed
		}
		return r.Queues
	}
	// next is a job the last settle leased along with it (store.Chainer).
	var next *store.Job
	defer func() {
		if next != nil {
			r.giveBack(ctx, next)
		}
	}()
	for n := 0; ctx.Err() == nil; n++ {
		j := next
		next = nil
		if j == nil {
			var err error
			j, err = r.Queue.Dequeue(ctx, order(n), r.Lease)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				// The store is down: back off (bounded) instead of spinning.
				r.Logger.Warn("dequeue failed", "err", err, "retry_in", backoff)
				select {
				case <-ctx.Done():
					return
				case <-time.After(backoff):
				}
				backoff = min(backoff*2, 10*time.Second)
				continue
			}
			backoff = 100 * time.Millisecond
			if j == nil {
				continue
			}
		}
		var stop bool
		stage.Job(jobCtx, j.Kind, func(jctx context.Context) {
			var queues []string
			if ctx.Err() == nil {
				queues = order(n + 1)
			}
			next, stop = r.process(jctx, j, queues)
		})
		if stop {
			return
		}
	}
}

// giveBack returns a job leased for a loop that is stopping: ready again
// at once, its attempt not counted. Should that fail, its lease expires
// and it is delivered again.
func (r *Runner) giveBack(ctx context.Context, j *store.Job) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := r.Queue.Retry(ctx, j, r.Clock.Now(), nil, false); err != nil {
		r.Logger.Warn("could not give back a job leased at shutdown; it returns when its lease expires", "job", j.ID, "err", err)
	}
}

// process runs one job and settles it with the queue. With queues set
// and a store.Chainer, the settle may lease the next job of queues in
// the same round trip; process returns it. If the handler waited and
// another loop was started in its place (park), the settle leases
// nothing and process reports that this loop is to stop: the one started
// for it goes on.
func (r *Runner) process(ctx context.Context, j *store.Job, queues []string) (next *store.Job, stop bool) {
	start := r.Clock.Now()
	hctx, cancel := context.WithCancel(ctx)
	renewDone := r.renew(hctx, cancel, j)
	untrack := r.track(j)
	var fx *store.Effects
	if _, ok := r.Queue.(store.Completer); ok {
		// The handler's writes are held and committed with its ack.
		fx = &store.Effects{}
	}
	var stood atomic.Bool
	park := func() func() { return r.park(&stood) }
	err := r.call(job.WithWaiting(store.WithEffects(hctx, fx), park), j)
	if fx != nil {
		fx.Close()
	}
	untrack()
	cancel()
	<-renewDone
	waited := stood.Load() // a loop was started in this handler's place
	if waited {
		queues = nil
	}
	outcome, next, serr := r.settle(ctx, j, fx, err, queues)
	if outcome == "dead" && serr == nil && r.Hooks.Dead != nil {
		r.Hooks.Dead(ctx, j, err)
	}
	if serr != nil {
		// The lease is gone or the store is down: the job comes back
		// after its lease expires. At-least-once, never lost.
		r.Logger.Warn("settling job failed", "job", j.ID, "kind", j.Kind, "err", serr)
	}
	if r.Hooks.Done != nil {
		r.Hooks.Done(j, outcome, r.Clock.Now().Sub(start), err)
	}
	if waited {
		r.standIns.Add(-1)
		return next, true
	}
	return next, false
}

// renew extends the lease at a third of its length until ctx ends; if the
// lease is lost the handler's context is cancelled.
func (r *Runner) renew(ctx context.Context, cancel context.CancelFunc, j *store.Job) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(r.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := r.Queue.Extend(ctx, j, r.Lease); err != nil {
					if errors.Is(err, store.ErrLeaseLost) {
						r.Logger.Warn("lease lost; abandoning job", "job", j.ID, "kind", j.Kind)
						cancel()
						return
					}
					r.Logger.Warn("lease renewal failed", "job", j.ID, "err", err)
				}
			}
		}
	}()
	return done
}

// call runs the handler, turning a panic into an error so one bad payload
// cannot take the process down.
func (r *Runner) call(ctx context.Context, j *store.Job) (err error) {
	h := r.handler(j.Kind)
	if h == nil {
		return fault.Permanentf("no handler for job kind %q", j.Kind)
	}
	defer func() {
		if p := recover(); p != nil {
			r.Logger.Error("job handler panicked", "job", j.ID, "kind", j.Kind, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("handler panic: %v", p)
		}
	}()
	return h(ctx, j)
}

// settle turns the handler's err into the queue's next step. A success
// settled through a store.Chainer may come back with the next job of
// queues, leased.
func (r *Runner) settle(ctx context.Context, j *store.Job, fx *store.Effects, err error, queues []string) (string, *store.Job, error) {
	if fx != nil && fx.Lost() == nil && len(queues) > 0 {
		if ch, ok := r.Queue.(store.Chainer); ok {
			if class, _ := fault.Classify(err); class == fault.ClassNone || class == fault.ClassPartial {
				next, cerr := ch.CompleteAndNext(ctx, j, fx, queues, r.Lease)
				if !errors.Is(cerr, store.ErrConflict) {
					return "ok", next, cerr
				}
				return "retry", nil, r.conflicted(ctx, j, cerr)
			}
		}
	}
	outcome, serr := r.settleOne(ctx, j, fx, err)
	return outcome, nil, serr
}

func (r *Runner) settleOne(ctx context.Context, j *store.Job, fx *store.Effects, err error) (string, error) {
	class, notBefore := fault.Classify(err)
	now := r.Clock.Now()
	if fx != nil {
		c := r.Queue.(store.Completer)
		if lost := fx.Lost(); lost != nil && (class == fault.ClassNone || class == fault.ClassPartial) {
			// Writes the handler made before a failed flush are gone
			// (a record changed under it): acking would keep only the
			// rest. Run it again on fresh data, attempt given back.
			fx.Take()
			r.Logger.Info("job's writes were lost at a flush; running it again", "job", j.ID, "kind", j.Kind, "err", lost)
			return "retry", r.Queue.Retry(ctx, j, now, lost, !errors.Is(lost, store.ErrConflict))
		}
		if class == fault.ClassNone || class == fault.ClassPartial {
			cerr := c.Complete(ctx, j, fx)
			if !errors.Is(cerr, store.ErrConflict) {
				return "ok", cerr
			}
			return "retry", r.conflicted(ctx, j, cerr)
		}
		// A failed attempt keeps what it wrote, as if written at once.
		if ferr := c.Complete(ctx, nil, fx); ferr != nil {
			r.Logger.Warn("writes of a failed attempt were not kept", "job", j.ID, "kind", j.Kind, "err", ferr)
		}
	}
	switch class {
	case fault.ClassNone, fault.ClassPartial:
		return "ok", r.Queue.Ack(ctx, j)
	case fault.ClassThrottled:
		return "throttled", r.Queue.Retry(ctx, j, notBefore, err, false)
	case fault.ClassPermanent:
		r.Logger.Warn("job failed permanently", "job", j.ID, "kind", j.Kind, "err", err)
		return "dead", r.Queue.Bury(ctx, j, err)
	}
	p := r.policy(j)
	if j.Attempt >= p.MaxAttempts {
		r.Logger.Warn("job out of attempts", "job", j.ID, "kind", j.Kind, "attempts", j.Attempt, "err", err)
		return "dead", r.Queue.Bury(ctx, j, fmt.Errorf("gave up after %d attempts: %w", j.Attempt, err))
	}
	at := now.Add(Backoff(p, j.Attempt))
	if notBefore.After(at) {
		at = notBefore
	}
	r.Logger.Info("job will be retried", "job", j.ID, "kind", j.Kind, "attempt", j.Attempt, "at", at, "err", err)
	return "retry", r.Queue.Retry(ctx, j, at, err, true)
}

// conflicted handles a commit refused because a record changed under the
// handler since it read it: the job runs again on fresh data, attempt
// given back.
func (r *Runner) conflicted(ctx context.Context, j *store.Job, cerr error) error {
	r.Logger.Info("job's writes conflicted; running it again", "job", j.ID, "kind", j.Kind, "err", cerr)
	return r.Queue.Retry(ctx, j, r.Clock.Now(), cerr, false)
}

// policy is the connector's backoff; the attempt limit is the job's own
// (set at enqueue from the same policy, or the queue's default).
func (r *Runner) policy(j *store.Job) connector.RetryPolicy {
	p := connector.DefaultRetry
	if r.Policy != nil {
		if q := r.Policy(j); q.MaxAttempts > 0 {
			p = q
		}
	}
	if j.MaxAttempts > 0 {
		p.MaxAttempts = j.MaxAttempts
	}
	return p
}

// Backoff is the delay after the n-th failed attempt (n ≥ 1): exponential
// from BaseDelay, capped at MaxDelay, with "equal jitter" (half fixed,
// half random) so retries of a burst spread out but never collapse to 0.
func Backoff(p connector.RetryPolicy, n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := p.BaseDelay
	if d <= 0 {
		d = time.Second
	}
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	if p.MaxDelay > 0 && d > p.MaxDelay {
		d = p.MaxDelay
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}
