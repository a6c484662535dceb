// Package reconcile is the channel sweep: every channel that can list its
// orders is asked, on a schedule, for the orders changed since its last
// sweep (minus a lookback, for clock skew and late writes), and whatever
// is not yet known goes through the same intake as a webhook — so a
// webhook and a sweep never make two orders. For a marketplace without
// webhooks the sweep is its poll. Orders a sweep finds that a webhook
// should have delivered mean the channel's webhooks stopped (WooCommerce
// disables a webhook after 5 failures, BigCommerce after 48 hours): an
// exception says so.
package reconcile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// Defaults of a channel's `reconcile:` block.
const (
	DefaultEvery    = 15 * time.Minute
	DefaultLookback = 2 * time.Hour
)

// webhookGrace is how old a change must be before a sweep counts it as
// missed by webhooks: a webhook for it may still be on its way.
const webhookGrace = 5 * time.Minute

// Settings are a channel's `reconcile:` block (zero values: defaults).
type Settings struct {
	Every    time.Duration
	Lookback time.Duration
	// DeepEvery, when set, is how often a scheduled sweep lists the whole
	// lookback; the others list from where the last one ended.
	DeepEvery time.Duration
	Disabled  bool
}

// Orders is what a sweep needs of the order service: the same intake and
// cancellation a webhook goes through.
type Orders interface {
	Intake(ctx context.Context, o *model.Order, cause model.Cause) error
	Cancel(ctx context.Context, channel string, ev connector.ChannelEvent, cause model.Cause) error
}

// Service runs sweeps.
type Service struct {
	d        *app.Deps
	orders   Orders
	settings map[string]Settings
}

// New returns the service; settings are the channels' reconcile blocks.
func New(d *app.Deps, orders Orders, settings map[string]Settings) *Service {
	return &Service{d: d, orders: orders, settings: settings}
}

// Sweep is one sweep of one channel: a scheduled slot, or an operator's
// run now (Since set, or Manual).
type Sweep struct {
	Channel string    `json:"channel"`
	Slot    int64     `json:"slot,omitempty"`
	Since   time.Time `json:"since,omitempty"`
	Manual  bool      `json:"manual,omitempty"`
}

// KindSweep runs one sweep; one per channel at a time (its group), once
// per slot across replicas (its unique key).
var KindSweep = job.Kind[Sweep]{Name: "channel.sweep", Queue: app.QueueInbound,
	Options: func(s Sweep) job.Options {
		o := job.Options{Group: "sweep:" + s.Channel, Key: "channel:" + s.Channel, MaxAttempts: 3}
		if !s.Manual {
			o.UniqueKey = "channel.sweep:" + s.Channel + ":" + strconv.FormatInt(s.Slot, 10)
		}
		return o
	},
	Subject: func(s Sweep) job.Subject { return job.Subject{Connector: s.Channel} },
}

// Register installs the sweep job.
func (s *Service) Register(m *job.Mux, _ *event.Table) {
	job.Handle(m, KindSweep, func(ctx context.Context, _ *store.Job, sw Sweep) error {
		_, err := s.run(ctx, sw)
		return err
	})
}

// Channels lists the channels swept, with their effective settings.
func (s *Service) Channels() map[string]Settings {
	out := map[string]Settings{}
	for name, c := range s.d.Channels {
		if _, ok := connector.As[connector.OrderPoller](c); !ok {
			continue
		}
		st := s.settings[name]
		if st.Disabled {
			continue
		}
		caps := connector.CapsOf(c)
		if st.Every <= 0 {
			st.Every = caps.PollEvery
		}
		if st.Every <= 0 {
			st.Every = DefaultEvery
		}
		if st.Lookback <= 0 {
			st.Lookback = caps.SweepLookback
		}
		if st.Lookback <= 0 {
			st.Lookback = DefaultLookback
		}
		if st.DeepEvery <= 0 {
			st.DeepEvery = caps.SweepDeepEvery
		}
		out[name] = st
	}
	return out
}

// Schedule queues the sweeps due at now: the slot of each channel's
// period, once across replicas.
func (s *Service) Schedule(ctx context.Context, now time.Time) error {
	var errs []error
	for name, st := range s.Channels() {
		sw := Sweep{Channel: name, Slot: now.Truncate(st.Every).Unix()}
		if err := job.Enqueue(ctx, s.d.Queue, KindSweep, sw, func(j *store.Job) { j.UniqueTTL = 2 * st.Every }); err != nil {
			errs = append(errs, fmt.Errorf("schedule sweep of %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// Report is what a sweep found.
type Report struct {
	Channel string    `json:"channel"`
	Since   time.Time `json:"since"`
	Orders  int       `json:"orders"`    // changed orders listed
	New     int       `json:"new"`       // taken in by this sweep
	Missed  int       `json:"missed"`    // of those, ones a webhook should have delivered
	Cancels int       `json:"cancelled"` // cancellations applied
}

// SweepNow runs a sweep of channel at once (`dropgate reconcile`), from
// since, or from the last sweep minus the lookback when since is zero. It
// waits (as long as ctx allows) for a sweep of the channel already running.
func (s *Service) SweepNow(ctx context.Context, channel string, since time.Time) (Report, error) {
	if _, ok := s.d.Channels[channel]; !ok {
		return Report{}, fault.Permanentf("reconcile: no channel %q", channel)
	}
	if _, ok := s.Channels()[channel]; !ok {
		return Report{}, fault.Permanentf("reconcile: channel %q cannot list its orders (or its sweep is disabled)", channel)
	}
	for {
		rep, err := s.run(ctx, Sweep{Channel: channel, Since: since, Manual: true})
		if !errors.Is(err, ErrBusy) {
			return rep, err
		}
		select {
		case <-ctx.Done():
			return rep, err
		case <-time.After(200 * time.Millisecond): // the running sweep holds it for seconds
		}
	}
}

// state is what a channel's sweeps remember.
type state struct {
	LastStart time.Time `json:"last_start"`
	// LastDeep is the start of the last sweep that listed the whole
	// lookback (channels with a DeepEvery).
	LastDeep time.Time `json:"last_deep,omitzero"`
	Cursor   string    `json:"cursor,omitempty"` // where the last sweep ended
	// Resume is where a sweep cut short by the rate limiter continues:
	// the orders before it were taken in already.
	Resume string `json:"resume,omitempty"`
	// ResumeShallow: the sweep cut short listed from the cursor, so its
	// end is no deep sweep.
	ResumeShallow bool `json:"resume_shallow,omitempty"`
}

const stateKind = "sweep"

// sweepClaim bounds how long a crashed sweep keeps the next one out.
const sweepClaim = 10 * time.Minute

// ErrBusy: another sweep of the channel is running.
var ErrBusy = errors.New("a sweep of this channel is running")

func (s *Service) run(ctx context.Context, sw Sweep) (Report, error) {
	st, ok := s.Channels()[sw.Channel]
	if !ok {
		return Report{}, nil // no longer swept (config changed)
	}
	// One sweep of a channel at a time, across replicas: two would both
	// find the same order new and count it twice as missed.
	key := "sweep:" + sw.Channel
	got, err := s.d.Claims.Claim(ctx, key, sweepClaim)
	if err != nil {
		return Report{}, err
	}
	if !got {
		if !sw.Manual {
			return Report{}, nil // the running one covers this slot
		}
		return Report{}, fault.Retryable(fmt.Errorf("reconcile %s: %w", sw.Channel, ErrBusy))
	}
	defer func() {
		if err := s.d.Claims.Release(app.Background(ctx), key); err != nil {
			s.d.Log.Warn("channel sweep: release", "channel", sw.Channel, "err", err)
		}
	}()
	return s.sweep(ctx, sw, st)
}

func (s *Service) sweep(ctx context.Context, sw Sweep, st Settings) (Report, error) {
	c := s.d.Channels[sw.Channel]
	poller, _ := connector.As[connector.OrderPoller](c)
	prev, version, err := s.loadState(ctx, sw.Channel)
	if err != nil {
		return Report{}, err
	}
	start := s.d.Now()
	since := sw.Since
	if since.IsZero() {
		since = start.Add(-st.Lookback)
		if !prev.LastStart.IsZero() {
			since = prev.LastStart.Add(-st.Lookback)
		}
	}
	cursor := poller.CursorAt(since)
	lastDeep, isShallow := start, shallow(sw, st, prev, start)
	if prev.Resume != "" && sw.Since.IsZero() {
		cursor, isShallow = prev.Resume, prev.ResumeShallow
	} else if isShallow {
		// Between deep sweeps, list from where the last sweep ended.
		since, cursor = prev.LastStart, prev.Cursor
	}
	if isShallow {
		lastDeep = prev.LastDeep
	}
	events, next, err := poller.PollOrders(ctx, cursor)
	var th *fault.ThrottledError
	// Cut short: some pages were read (events, or a cursor that moved).
	cut := errors.As(err, &th) && (len(events) > 0 || (next != "" && next != cursor))
	if err != nil && !cut {
		return Report{}, fmt.Errorf("reconcile %s: list orders: %w", sw.Channel, err)
	}
	rep := Report{Channel: sw.Channel, Since: since, Orders: len(events)}
	_, webhooks := connector.As[connector.WebhookVerifier](c)
	cause := model.Cause{Kind: model.CausePoll, Ref: sw.Channel + "/sweep"}
	for _, ev := range events {
		if err := s.apply(ctx, sw.Channel, ev, cause, webhooks, start, &rep); err != nil {
			return rep, err
		}
	}
	if taker, ok := c.(connector.PollTaker); ok && len(events) > 0 {
		if err := taker.TakenIn(ctx, events); err != nil {
			// The orders are in; the connector only reads them whole again.
			s.d.Log.Warn("channel sweep: connector could not note the orders taken in", "channel", sw.Channel, "err", err)
		}
	}
	if cut {
		// Keep what was taken in and come back when the budget is: the
		// job is rescheduled by the throttle, and resumes at next.
		if err := s.saveState(ctx, sw.Channel, state{LastStart: prev.LastStart, LastDeep: prev.LastDeep, Cursor: prev.Cursor, Resume: next, ResumeShallow: isShallow}, version); err != nil {
			return rep, err
		}
		s.d.Log.Info("channel sweep paused by the rate limit", "channel", sw.Channel, "orders", rep.Orders, "resume", next)
		return rep, fmt.Errorf("reconcile %s: list orders: %w", sw.Channel, err)
	}
	if err := s.saveState(ctx, sw.Channel, state{LastStart: start, LastDeep: lastDeep, Cursor: next}, version); err != nil {
		return rep, err
	}
	s.d.Log.Info("channel swept", "channel", sw.Channel, "since", since, "orders", rep.Orders, "new", rep.New, "missed", rep.Missed, "cancelled", rep.Cancels)
	if rep.Missed > 0 {
		return rep, s.webhooksStopped(ctx, sw.Channel, rep)
	}
	return rep, nil
}

// shallow reports whether a sweep lists from the last one's cursor
// rather than the whole lookback: a scheduled sweep of a channel with a
// DeepEvery, between deep sweeps. A manual run, a first sweep, and one
// after a sweep without a cursor list the lookback.
func shallow(sw Sweep, st Settings, prev state, start time.Time) bool {
	return st.DeepEvery > 0 && !sw.Manual && sw.Since.IsZero() && prev.Cursor != "" &&
		!prev.LastDeep.IsZero() && start.Sub(prev.LastDeep) < st.DeepEvery
}

// apply takes one listed order in through the webhook path.
func (s *Service) apply(ctx context.Context, channel string, ev connector.ChannelEvent, cause model.Cause, webhooks bool, start time.Time, rep *Report) error {
	if ev.Kind == connector.EventIgnored || ev.ChannelOrderID == "" {
		return nil
	}
	id := model.OrderID(channel, ev.ChannelOrderID)
	known, _, err := s.d.Orders.Get(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		known = nil
	case err != nil:
		return err
	}
	if ev.ProvesCancellation() {
		if known == nil || known.Order.Status != model.OrderCancelled {
			rep.Cancels++
		}
		return s.orders.Cancel(ctx, channel, ev, cause)
	}
	if ev.Order == nil {
		return nil
	}
	if known == nil {
		rep.New++
		// A change older than the grace a webhook needs to arrive was
		// missed by the channel's webhooks.
		if webhooks && !ev.At.IsZero() && ev.At.Before(start.Add(-webhookGrace)) {
			rep.Missed++
		}
	}
	return s.orders.Intake(ctx, ev.Order, cause)
}

// webhooksStopped raises (or updates) the channel's exception and tells
// the metrics.
func (s *Service) webhooksStopped(ctx context.Context, channel string, rep Report) error {
	reason := fmt.Sprintf("webhooks for channel %s appear to have stopped: %d order(s) found by the sweep of %s that no webhook delivered; check the webhook subscriptions on the platform",
		channel, rep.Missed, s.d.Now().Format("2006-01-02 15:04 MST"))
	id := "exc_" + ids.Derive(16, string(model.ExWebhooksStopped), channel)
	now := s.d.Now()
	_, err := s.d.Exceptions.Update(ctx, id, func(x *model.Exception) error {
		x.Reason, x.Status, x.ResolvedAt, x.Resolution = reason, "open", nil, ""
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		err = s.d.Events.Publish(ctx, nil, []model.Event{{Type: model.EvExceptionRaised, At: now,
			Exception: &model.Exception{ID: id, Kind: model.ExWebhooksStopped, Supplier: channel, Ref: channel, Reason: reason, Actions: []string{"resolve"}}}})
	}
	if err != nil {
		return err
	}
	return s.d.Events.Publish(ctx, nil, []model.Event{{Type: model.EvWebhooksMissed, At: now, Quantity: int64(rep.Missed), Data: map[string]string{"channel": channel}}})
}

func (s *Service) loadState(ctx context.Context, channel string) (state, int64, error) {
	rec, err := s.d.Records.GetRecord(ctx, stateKind, channel)
	if errors.Is(err, store.ErrNotFound) {
		return state{}, 0, nil
	}
	if err != nil {
		return state{}, 0, err
	}
	var st state
	if err := json.Unmarshal(rec.Data, &st); err != nil {
		s.d.Log.Warn("unreadable sweep state; sweeping from the lookback", "channel", channel, "err", err)
	}
	return st, rec.Version, nil
}

// saveState records the sweep; a concurrent one (a manual run beside the
// schedule) that saved first wins, which costs at most an overlap.
func (s *Service) saveState(ctx context.Context, channel string, st state, version int64) error {
	data, _ := json.Marshal(st)
	_, err := s.d.Records.PutRecord(ctx, store.Record{Kind: stateKind, ID: channel, Data: data, Version: version})
	if errors.Is(err, store.ErrConflict) {
		return nil
	}
	return err
}
