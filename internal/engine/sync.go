package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/inventory"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/pricing"
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
// differences, in batches (syncpush.go). A batch records what the channel
// accepted, so neither a restart nor another replica pushes anything
// twice. inventory.sync is queued by ScheduleSync (after a feed, an 846,
// an order created or cancelled; bursts coalesce into one job per
// window) and by the periodic full recompute (inventory.sync_every).

// Job kinds of the channel sync.
const (
	KindSync          = "inventory.sync" // recompute, queue the differences
	KindInventoryPush = "inventory.push" // one batch of quantities to one channel
	KindPricePush     = "price.push"     // one batch of prices to one channel
)

// Exception kinds of the channel sync (declared in model with the others).
const (
	ExSyncRejected = model.ExSyncRejected
	ExPriceRefused = model.ExPriceRefused
)

// Defaults of SyncSettings.
const (
	DefaultSyncWindow = 10 * time.Second
	DefaultSyncBatch  = 50
)

// SyncSettings configure the channel sync. With both blocks nil the sync
// is off and ScheduleSync does nothing.
type SyncSettings struct {
	Inventory *inventory.Config
	Pricing   *pricing.Config
	// Window coalesces ScheduleSync calls: every call within one window
	// makes one job, which runs when the window closes (default 10s).
	Window time.Duration
	// Batch is the number of updates one push job carries (default 50,
	// the number of items Shopify reads back per inventory call).
	Batch int
}

func (e *Engine) syncOn() bool { return e.Sync.Inventory != nil || e.Sync.Pricing != nil }

// SyncEvery is the period of the full recompute; 0 when the sync is off.
func (e *Engine) SyncEvery() time.Duration {
	switch {
	case e.Sync.Inventory != nil:
		return e.Sync.Inventory.Every()
	case e.syncOn():
		return inventory.DefaultSyncEvery
	}
	return 0
}

// ScheduleSync asks for a sync of quantities and prices to the channels,
// soon. Calls within one window (SyncSettings.Window) share one job, run
// when the window closes, so a burst of feed rows or orders costs one
// recompute; its unique key makes it one job across replicas too. It does
// nothing when the sync is off.
func (e *Engine) ScheduleSync(ctx context.Context) error {
	if !e.syncOn() {
		return nil
	}
	w := cmp.Or(e.Sync.Window, DefaultSyncWindow)
	slot := e.now().Truncate(w)
	return e.enqueue(ctx, syncJob("inventory.sync:"+strconv.FormatInt(slot.Unix(), 10), slot.Add(w), 2*w))
}

// syncSoon is ScheduleSync for callers whose own work is done: a failure
// is logged, and the periodic sync catches up.
func (e *Engine) syncSoon(ctx context.Context) {
	if err := e.ScheduleSync(ctx); err != nil {
		e.Log.Warn("scheduling a channel sync failed; the periodic sync will catch up", "err", err)
	}
}

// PeriodicSyncJob is the full recompute of the tick containing now. Its
// unique key is the tick, so however many replicas fire it, one job runs.
// ok is false when the sync is off.
func (e *Engine) PeriodicSyncJob(now time.Time) (store.Job, bool) {
	every := e.SyncEvery()
	if every <= 0 {
		return store.Job{}, false
	}
	slot := now.Truncate(every)
	return syncJob("inventory.sync.tick:"+strconv.FormatInt(slot.Unix(), 10), time.Time{}, 2*every), true
}

// syncJob is a recompute. The group runs recomputes one at a time.
func syncJob(unique string, runAt time.Time, ttl time.Duration) store.Job {
	return store.Job{Queue: QueueOutbound, Kind: KindSync, Group: "inventory.sync", RunAt: runAt,
		UniqueKey: unique, UniqueTTL: ttl, MaxAttempts: 5}
}

// CheckSync reports channels named in inventory.channels or
// pricing.channels that are not configured or cannot take the push.
func (e *Engine) CheckSync() error {
	_, _, err := e.syncTargets()
	return err
}

// syncTargets returns the channels that get quantities and prices.
func (e *Engine) syncTargets() (inv, price []string, err error) {
	if c := e.Sync.Inventory; c != nil {
		inv, err = e.targets(c.Channels, "inventory", func(c connector.Connector) bool { _, ok := connector.As[connector.InventoryPusher](c); return ok })
		if err != nil {
			return nil, nil, err
		}
	}
	if c := e.Sync.Pricing; c != nil {
		price, err = e.targets(c.Channels, "prices", func(c connector.Connector) bool { _, ok := connector.As[connector.PricePusher](c); return ok })
	}
	return inv, price, err
}

// targets is the named channels, or when none are named every channel
// that can, sorted.
func (e *Engine) targets(named []string, what string, can func(connector.Connector) bool) ([]string, error) {
	if len(named) == 0 {
		var out []string
		for name, c := range e.Channels {
			if can(c) {
				out = append(out, name)
			}
		}
		slices.Sort(out)
		return out, nil
	}
	for _, name := range named {
		c, ok := e.Channels[name]
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
func (e *Engine) handleSync(ctx context.Context, _ *store.Job) error {
	invChannels, priceChannels, err := e.syncTargets()
	if err != nil || (len(invChannels) == 0 && len(priceChannels) == 0) {
		return err
	}
	var skus []string
	if e.Catalog != nil {
		skus = e.Catalog.SKUs()
	}
	if len(skus) == 0 {
		// Not one offer: a catalog not loaded yet, not a store that sold
		// out. Zeroing every listing would be the wrong guess.
		e.Log.Warn("sync: the catalog is empty; nothing pushed")
		return nil
	}
	if len(invChannels) > 0 {
		committed, err := e.committedUnits(ctx)
		if err != nil {
			return err
		}
		want := e.desiredInventory(skus, committed)
		for _, ch := range invChannels {
			if err := e.queueChanges(ctx, inventorySync, ch, want); err != nil {
				return err
			}
		}
	}
	if len(priceChannels) > 0 {
		want, refused := e.desiredPrices(skus)
		for _, sku := range sortedKeys(refused) {
			r := refused[sku]
			if err := e.raiseOnce(ctx, model.Exception{Kind: ExPriceRefused, Ref: sku, Actions: []string{"resolve"},
				Reason: fmt.Sprintf("no price published for %s (%s): %s", sku, r.Code, r.Reason)}); err != nil {
				return err
			}
		}
		for _, ch := range priceChannels {
			if err := e.queueChanges(ctx, priceSync, ch, want); err != nil {
				return err
			}
		}
	}
	return nil
}

// committedUnits sums, per merchant SKU, the units of open orders not yet
// shipped or cancelled (inventory.Committed), read through the status
// index page by page.
func (e *Engine) committedUnits(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	seen := map[string]bool{} // an order changing status mid-scan is counted once
	for _, st := range inventory.OpenStatuses {
		cursor := ""
		for {
			recs, next, err := e.Store.ListRecords(ctx, RecOrder, store.Query{Field: "status", Value: string(st), Cursor: cursor, Limit: 500})
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
					e.Log.Warn("sync: unreadable order left out of committed units", "order", r.ID, "err", err)
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
func (e *Engine) supplies(offers []routing.Offer) []inventory.Supply {
	out := make([]inventory.Supply, len(offers))
	for i, o := range offers {
		prio := e.Profiles[o.Supplier].Priority
		if prio == 0 {
			prio = 100 // as routing: 0 means unset
		}
		out[i] = inventory.Supply{Supplier: o.Supplier, Stock: o.Stock, Priority: prio, Stale: o.Stale}
	}
	return out
}

// desiredInventory is the quantity every SKU should show.
func (e *Engine) desiredInventory(skus []string, committed map[string]int64) map[string]pushItem {
	cfg := e.Sync.Inventory
	var global int64
	if e.Router != nil {
		global = e.Router.Config.SafetyBuffer
	}
	mode, buffer := cfg.Mode(), cfg.Buffer(global)
	out := make(map[string]pushItem, len(skus))
	for _, sku := range skus {
		n := inventory.Available(mode, e.supplies(e.Catalog.Offers(sku)), buffer, committed[sku])
		out[sku] = pushItem{SKU: sku, Available: n}
	}
	return out
}

// desiredPrices is the price every SKU should show, or why it has none.
func (e *Engine) desiredPrices(skus []string) (map[string]pushItem, map[string]*pricing.Refusal) {
	out := make(map[string]pushItem, len(skus))
	refused := map[string]*pricing.Refusal{}
	for _, sku := range skus {
		in, mixed := e.priceInput(e.Catalog.Offers(sku))
		if mixed != "" {
			refused[sku] = &pricing.Refusal{Code: pricing.RefuseCurrency, Reason: "its suppliers quote costs in " + mixed + " (no conversion)"}
			continue
		}
		p, err := e.Sync.Pricing.Price(in)
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
func (e *Engine) priceInput(offers []routing.Offer) (in pricing.Input, mixed string) {
	mode := inventory.AggregateSum
	if e.Sync.Inventory != nil {
		mode = e.Sync.Inventory.Mode()
	}
	basis := pickOffers(offers, func(o routing.Offer) bool { return !o.Stale && o.Stock > 0 })
	if mode == inventory.AggregatePrimary {
		if p, ok := inventory.Primary(e.supplies(offers)); ok {
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
