// Package channelsync keeps what the channels show in step with the
// suppliers' offers and the open orders: quantities and prices, pushed in
// batches, only what changed.
package channelsync

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/inventory"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/pricing"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
)

// Channel sync: the quantities and prices each channel shows follow the
// suppliers' offers and the open orders.
//
// One job kind, inventory.sync, recomputes everything: the available
// quantity (core/inventory) and the price (core/pricing) of every merchant
// SKU in the catalog. It compares them with what was last pushed to each
// channel, kept per channel and SKU in the store, and queues only the
// differences, in batches (push.go). A batch records what the channel
// accepted, so neither a restart nor another replica pushes anything
// twice. inventory.sync is queued by ScheduleSync (after a feed, an 846,
// an order created or cancelled; bursts coalesce into one job per
// window) and by the periodic full recompute (inventory.sync_every).

// Recompute is one recompute of what every channel should show. Key is
// its identity: the coalescing window or the periodic tick it belongs to.
type Recompute struct {
	Key string `json:"key"`
}

// Job kinds of the channel sync.
var (
	// KindSync recomputes and queues the differences. Recomputes run one
	// at a time (their group).
	KindSync = job.Kind[Recompute]{Name: "inventory.sync", Queue: app.QueueOutbound,
		Options: func(r Recompute) job.Options {
			return job.Options{Group: "inventory.sync", UniqueKey: r.Key, MaxAttempts: 5}
		},
	}
	// KindInventoryPush is one batch of quantities to one channel.
	KindInventoryPush = pushKind("inventory.push", "inventory")
	// KindPricePush is one batch of prices to one channel.
	KindPricePush = pushKind("price.push", "prices")
)

// Defaults of Settings.
const (
	DefaultSyncWindow = 10 * time.Second
	DefaultSyncBatch  = 50
)

// Settings configure the channel sync. With both blocks nil the sync is
// off and ScheduleSync does nothing.
type Settings struct {
	Inventory *inventory.Config
	Pricing   *pricing.Config
	// Window coalesces ScheduleSync calls: every call within one window
	// makes one job, which runs when the window closes (default 10s).
	Window time.Duration
	// Batch is the number of updates one push job carries (default 50,
	// the number of items Shopify reads back per inventory call).
	Batch int
}

// Service keeps the channels' quantities and prices in step.
type Service struct {
	d   *app.Deps
	cfg Settings
}

// New returns the service; it refuses channels named in the settings
// that are not configured or cannot take the push.
func New(d *app.Deps, cfg Settings) (*Service, error) {
	s := &Service{d: d, cfg: cfg}
	if _, _, err := s.syncTargets(); err != nil {
		return nil, err
	}
	return s, nil
}

// Register installs the sync's jobs; every change of what the channels
// should show (an order in or cancelled, a stock report, a feed) asks
// for a sync soon.
func (s *Service) Register(m *job.Mux, t *event.Table) {
	job.Handle(m, KindSync, s.handleSync)
	job.Handle(m, KindInventoryPush, func(ctx context.Context, _ *store.Job, b pushBatch) error { return s.handlePush(ctx, b, inventorySync) })
	job.Handle(m, KindPricePush, func(ctx context.Context, _ *store.Job, b pushBatch) error { return s.handlePush(ctx, b, priceSync) })
	t.On(model.EvAvailabilityChanged, "sync.soon", func(ctx context.Context, _ *model.Aggregate, _ model.Event) error {
		s.syncSoon(ctx)
		return nil
	})
}

func (s *Service) syncOn() bool { return s.cfg.Inventory != nil || s.cfg.Pricing != nil }

// SyncEvery is the period of the full recompute; 0 when the sync is off.
func (s *Service) SyncEvery() time.Duration {
	switch {
	case s.cfg.Inventory != nil:
		return s.cfg.Inventory.Every()
	case s.syncOn():
		return inventory.DefaultSyncEvery
	}
	return 0
}

// ScheduleSync asks for a sync of quantities and prices to the channels,
// soon. Calls within one window (Settings.Window) share one job, run when
// the window closes, so a burst of feed rows or orders costs one
// recompute; its unique key makes it one job across replicas too. It does
// nothing when the sync is off.
func (s *Service) ScheduleSync(ctx context.Context) error {
	if !s.syncOn() {
		return nil
	}
	w := cmp.Or(s.cfg.Window, DefaultSyncWindow)
	slot := s.d.Now().Truncate(w)
	return job.Enqueue(ctx, s.d.Queue, KindSync, Recompute{Key: "inventory.sync:" + strconv.FormatInt(slot.Unix(), 10)},
		job.At(slot.Add(w)), uniqueFor(2*w))
}

// syncSoon is ScheduleSync for callers whose own work is done: a failure
// is logged, and the periodic sync catches up.
func (s *Service) syncSoon(ctx context.Context) {
	if err := s.ScheduleSync(ctx); err != nil {
		s.d.Log.Warn("scheduling a channel sync failed; the periodic sync will catch up", "err", err)
	}
}

// PeriodicSync queues the full recompute of the tick containing now. Its
// unique key is the tick, so however many replicas fire it, one job runs.
func (s *Service) PeriodicSync(ctx context.Context, now time.Time) error {
	every := s.SyncEvery()
	if every <= 0 {
		return nil
	}
	slot := now.Truncate(every)
	return job.Enqueue(ctx, s.d.Queue, KindSync, Recompute{Key: "inventory.sync.tick:" + strconv.FormatInt(slot.Unix(), 10)}, uniqueFor(2*every))
}

func uniqueFor(ttl time.Duration) job.Mod { return func(j *store.Job) { j.UniqueTTL = ttl } }

// syncTargets returns the channels that get quantities and prices.
func (s *Service) syncTargets() (inv, price []string, err error) {
	if c := s.cfg.Inventory; c != nil {
		inv, err = s.targets(c.Channels, "inventory", func(c connector.Connector) bool { _, ok := connector.As[connector.InventoryPusher](c); return ok })
		if err != nil {
			return nil, nil, err
		}
	}
	if c := s.cfg.Pricing; c != nil {
		price, err = s.targets(c.Channels, "prices", func(c connector.Connector) bool { _, ok := connector.As[connector.PricePusher](c); return ok })
	}
	return inv, price, err
}

// targets is the named channels, or when none are named every channel
// that can, sorted.
func (s *Service) targets(named []string, what string, can func(connector.Connector) bool) ([]string, error) {
	if len(named) == 0 {
		var out []string
		for name, c := range s.d.Channels {
			if can(c) {
				out = append(out, name)
			}
		}
		slices.Sort(out)
		return out, nil
	}
	for _, name := range named {
		c, ok := s.d.Channels[name]
		if !ok {
			return nil, fault.Permanentf("sync: channel %q is not configured", name)
		}
		if !can(c) {
			return nil, fault.Permanentf("sync: channel %q (%s) cannot push %s", name, c.Type(), what)
		}
	}
	return named, nil
}

// handleSync recomputes quantities and prices and queues the differences
// for every channel.
func (s *Service) handleSync(ctx context.Context, _ *store.Job, _ Recompute) error {
	invChannels, priceChannels, err := s.syncTargets()
	if err != nil || (len(invChannels) == 0 && len(priceChannels) == 0) {
		return err
	}
	var skus []string
	if s.d.Catalog != nil {
		skus = s.d.Catalog.SKUs()
	}
	if len(skus) == 0 {
		// Not one offer: a catalog not loaded yet, not a store that sold
		// out. Zeroing every listing would be the wrong guess.
		s.d.Log.Warn("sync: the catalog is empty; nothing pushed")
		return nil
	}
	if len(invChannels) > 0 {
		committed, err := s.committedUnits(ctx)
		if err != nil {
			return err
		}
		want := s.desiredInventory(skus, committed)
		for _, ch := range invChannels {
			if err := s.queueChanges(ctx, inventorySync, ch, want); err != nil {
				return err
			}
		}
	}
	if len(priceChannels) > 0 {
		want, refused := s.desiredPrices(skus)
		for _, sku := range sortedKeys(refused) {
			r := refused[sku]
			if err := s.raiseOnce(ctx, model.Exception{Kind: model.ExPriceRefused, Ref: sku, Actions: []string{"resolve"},
				Reason: fmt.Sprintf("no price published for %s (%s): %s", sku, r.Code, r.Reason)}); err != nil {
				return err
			}
		}
		for _, ch := range priceChannels {
			if err := s.queueChanges(ctx, priceSync, ch, want); err != nil {
				return err
			}
		}
	}
	return nil
}

// committedUnits sums, per merchant SKU, the units of open orders not yet
// shipped or cancelled (inventory.Committed), read through the status
// index page by page.
func (s *Service) committedUnits(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	seen := map[string]bool{} // an order changing status mid-scan is counted once
	for _, st := range inventory.OpenStatuses {
		cursor := ""
		for {
			recs, next, err := s.d.Records.ListRecords(ctx, repo.KindOrder, store.Query{Field: "status", Value: string(st), Cursor: cursor, Limit: 500})
			if err != nil {
				return nil, fmt.Errorf("sync: list %s orders: %w", st, err)
			}
			for _, r := range recs {
				var a struct {
					Order model.Order `json:"order"`
				}
				if seen[r.ID] {
					continue
				}
				seen[r.ID] = true
				if err := json.Unmarshal(r.Data, &a); err != nil {
					s.d.Log.Warn("sync: unreadable order left out of committed units", "order", r.ID, "err", err)
					continue
				}
				for _, l := range a.Order.Lines {
					if n := inventory.Committed(l); n > 0 {
						out[l.SKU] += n
					}
				}
			}
			if next == "" {
				break
			}
			cursor = next
		}
	}
	return out, nil
}

// supplies maps a SKU's offers to what inventory needs.
func (s *Service) supplies(offers []routing.Offer) []inventory.Supply {
	out := make([]inventory.Supply, len(offers))
	for i, o := range offers {
		prio := s.d.Profiles[o.Supplier].Priority
		if prio == 0 {
			prio = 100 // as routing: 0 means unset
		}
		out[i] = inventory.Supply{Supplier: o.Supplier, Stock: o.Stock, Priority: prio, Stale: o.Stale}
	}
	return out
}

// desiredInventory is the quantity every SKU should show.
func (s *Service) desiredInventory(skus []string, committed map[string]int64) map[string]pushItem {
	cfg := s.cfg.Inventory
	var global int64
	if s.d.Router != nil {
		global = s.d.Router.Config.SafetyBuffer
	}
	mode, buffer := cfg.Mode(), cfg.Buffer(global)
	out := make(map[string]pushItem, len(skus))
	for _, sku := range skus {
		n := inventory.Available(mode, s.supplies(s.d.Catalog.Offers(sku)), buffer, committed[sku])
		out[sku] = pushItem{SKU: sku, Available: n}
	}
	return out
}

// desiredPrices is the price every SKU should show, or why it has none.
func (s *Service) desiredPrices(skus []string) (map[string]pushItem, map[string]*pricing.Refusal) {
	out := make(map[string]pushItem, len(skus))
	refused := map[string]*pricing.Refusal{}
	for _, sku := range skus {
		in, mixed := s.priceInput(s.d.Catalog.Offers(sku))
		if mixed != "" {
			refused[sku] = &pricing.Refusal{Code: pricing.RefuseCurrency, Reason: "its suppliers quote costs in " + mixed + " (no conversion)"}
			continue
		}
		p, err := s.cfg.Pricing.Price(in)
		var r *pricing.Refusal
		switch {
		case errors.As(err, &r):
			refused[sku] = r
		case err != nil:
			refused[sku] = &pricing.Refusal{Code: "error", Reason: err.Error()}
		default:
			out[sku] = pushItem{SKU: sku, Price: &p}
		}
	}
	return out, refused
}

// priceInput chooses the figures a SKU is priced from. The offers are
// those that make up its availability (the primary supplier's in mode
// primary; otherwise every fresh offer with stock), falling back to every
// fresh offer, then every offer, when none has stock. Among them the
// highest cost is priced, so the margin holds whichever supplier routing
// picks; the highest MAP is the floor and the lowest MSRP the ceiling.
// mixed names the currencies when the offers' costs are in several.
func (s *Service) priceInput(offers []routing.Offer) (in pricing.Input, mixed string) {
	mode := inventory.AggregateSum
	if s.cfg.Inventory != nil {
		mode = s.cfg.Inventory.Mode()
	}
	basis := pickOffers(offers, func(o routing.Offer) bool { return !o.Stale && o.Stock > 0 })
	if mode == inventory.AggregatePrimary {
		if p, ok := inventory.Primary(s.supplies(offers)); ok {
			basis = pickOffers(offers, func(o routing.Offer) bool { return o.Supplier == p.Supplier })
		}
	}
	if len(basis) == 0 {
		basis = pickOffers(offers, func(o routing.Offer) bool { return !o.Stale })
	}
	if len(basis) == 0 {
		basis = offers
	}
	for i, o := range basis {
		if i > 0 && o.Cost.Currency != in.Cost.Currency {
			return in, in.Cost.Currency + " and " + o.Cost.Currency
		}
		if i == 0 || o.Cost.Amount > in.Cost.Amount {
			in.Cost = o.Cost
		}
		// A MAP or MSRP in another currency than the cost is passed on
		// as is: pricing refuses it.
		if o.MAP != nil && (in.MAP == nil || higher(*o.MAP, *in.MAP)) {
			in.MAP = o.MAP
		}
		if o.MSRP != nil && (in.MSRP == nil || higher(*in.MSRP, *o.MSRP)) {
			in.MSRP = o.MSRP
		}
	}
	return in, ""
}

func pickOffers(offers []routing.Offer, keep func(routing.Offer) bool) []routing.Offer {
	var out []routing.Offer
	for _, o := range offers {
		if keep(o) {
			out = append(out, o)
		}
	}
	return out
}

// higher reports a > b; an amount in another currency than b counts as
// higher, so it reaches pricing, which refuses it.
func higher(a, b money.Money) bool {
	c, err := a.Cmp(b)
	return err != nil || c > 0
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
