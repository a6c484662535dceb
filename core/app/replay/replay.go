// Package replay is the what-if of a routing change (`dropgate route
// --replay`, POST /api/v1/route/replay, the dashboard's replay page): it
// routes the stored orders of a period again under new rules and reports
// what would change — suppliers per line, purchase orders per order,
// landed cost and margin, holds, orders nobody could take. It is pure:
// it reads orders through a function and writes nothing, enqueues
// nothing and calls no connector.
package replay

import (
	"context"
	"errors"
	"slices"
	"sort"
	"time"

	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
)

// MaxOrders bounds one replay: a period with more orders is replayed up
// to it, newest first, and the report says it stopped (Truncated), so a
// request to the server cannot route a year of orders in one go.
const MaxOrders = 50000

// errEnough stops the listing at MaxOrders.
var errEnough = errors.New("replay: enough orders")

// Each calls fn with every stored order created in [since, until) (a zero
// until: up to now), newest first; repo.Orders.Each over a time page is
// one.
type Each func(ctx context.Context, since, until time.Time, fn func(*model.Aggregate) error) error

// Rules are the new rules to replay under.
type Rules struct {
	Router lifecycle.Router
	// Profiles are the new config's suppliers: their fees price the
	// stored purchase orders too, so before and after differ by routing
	// alone, not by a fee change.
	Profiles map[string]routing.SupplierProfile
	// Release is the new release policy of a channel's orders.
	Release func(channel string) lifecycle.ReleasePolicy
}

// Report is what the new rules would change.
type Report struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until,omitempty"`
	// Orders counts the orders replayed; Skipped the cancelled ones,
	// which no rule would route again.
	Orders  int `json:"orders"`
	Skipped int `json:"skipped_cancelled"`
	// Truncated is set when the period held more than MaxOrders orders:
	// only the newest were replayed.
	Truncated bool `json:"truncated,omitempty"`
	// Changed are the orders whose routing would differ: a line's
	// supplier, the number of purchase orders or the landed cost.
	Changed []OrderChange `json:"changed"`
	// Unroutable are the orders the new rules cannot route (a line no
	// eligible supplier takes holds the whole order at intake).
	Unroutable []Unroutable `json:"unroutable"`
	// Held are the orders intake would hold under the new release policy
	// or because they are invalid, judged on the order as stored (its
	// payment status and risk now).
	Held   []Held `json:"held"`
	Before Totals `json:"before"`
	After  Totals `json:"after"`
}

// Totals are the figures of one side of the comparison. Landed is item
// cost plus per-PO fees; Margin is the order value (merchandise after
// discounts) less landed cost, over the orders whose costs are all in the
// order's currency. Amounts are per currency, in minor units.
type Totals struct {
	PurchaseOrders int `json:"purchase_orders"`
	// SplitOrders counts orders with more than one purchase order.
	SplitOrders int           `json:"split_orders"`
	Landed      []money.Money `json:"landed_cost"`
	Margin      []money.Money `json:"margin"`
}

// OrderChange is one order whose routing would differ.
type OrderChange struct {
	OrderID string `json:"order_id"`
	Channel string `json:"channel"`
	Number  string `json:"number,omitempty"`
	// Lines are the lines whose suppliers change (empty when only the
	// cost or the number of purchase orders would).
	Lines        []LineChange  `json:"lines"`
	POsBefore    int           `json:"pos_before"`
	POsAfter     int           `json:"pos_after"`
	LandedBefore []money.Money `json:"landed_before"`
	LandedAfter  []money.Money `json:"landed_after"`
}

// LineChange is one line moving between suppliers. From lists the
// suppliers of its stored purchase orders (none: it was never routed);
// To those of the new routing (more than one: a split line).
type LineChange struct {
	LineID string   `json:"line_id"`
	SKU    string   `json:"sku"`
	Qty    int64    `json:"quantity"`
	From   []string `json:"from"`
	To     []string `json:"to"`
}

// Unroutable is an order the new rules cannot route, with why per line.
type Unroutable struct {
	OrderID string   `json:"order_id"`
	Number  string   `json:"number,omitempty"`
	Lines   []string `json:"lines"` // "line (sku): why"
}

// Held is an order intake would hold, with the holds.
type Held struct {
	OrderID string       `json:"order_id"`
	Number  string       `json:"number,omitempty"`
	Holds   []model.Hold `json:"holds"`
}

// Run replays the orders each yields under r. now stamps the holds (a
// review window's end is counted from it).
func Run(ctx context.Context, each Each, since, until time.Time, r Rules, now time.Time) (*Report, error) {
	rep := &Report{Since: since, Until: until, Changed: []OrderChange{}, Unroutable: []Unroutable{}, Held: []Held{}}
	before := side{landed: sums{}, margin: sums{}}
	after := side{landed: sums{}, margin: sums{}}
	err := each(ctx, since, until, func(a *model.Aggregate) error {
		if a.Order.Status == model.OrderCancelled {
			rep.Skipped++
			return nil
		}
		if rep.Orders == MaxOrders {
			rep.Truncated = true
			return errEnough
		}
		rep.Orders++
		return replayOne(a, r, now, rep, &before, &after)
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	rep.Before, rep.After = before.totals(), after.totals()
	return rep, nil
}

// side accumulates one side's totals.
type side struct {
	pos, split     int
	landed, margin sums
}

func (s *side) totals() Totals {
	return Totals{PurchaseOrders: s.pos, SplitOrders: s.split, Landed: s.landed.list(), Margin: s.margin.list()}
}

// count adds one order's purchase orders, landed cost and margin.
func (s *side) count(pos int, landed sums, value *money.Money) error {
	s.pos += pos
	if pos > 1 {
		s.split++
	}
	if err := s.landed.addAll(landed); err != nil {
		return err
	}
	if value == nil || pos == 0 || len(landed) != 1 {
		return nil
	}
	cost, ok := landed[value.Currency]
	if !ok {
		return nil // costs in another currency: no margin without a rate
	}
	m, err := value.Sub(money.Money{Amount: cost, Currency: value.Currency})
	if err != nil {
		return err
	}
	return s.margin.add(m)
}

func replayOne(a *model.Aggregate, r Rules, now time.Time, rep *Report, before, after *side) error {
	o := &a.Order
	step := lifecycle.Step{At: now}
	if hs := holdsOf(o, r, step); len(hs) > 0 {
		rep.Held = append(rep.Held, Held{OrderID: o.ID, Number: o.ChannelOrderNumber, Holds: hs})
	}
	// The router gets a copy: whatever it does, the stored order is not
	// the one it sees.
	cp := *o
	cp.Lines = slices.Clone(o.Lines)
	res := r.Router.Route(routing.OrderRequest(&cp))

	was, posBefore, landedBefore, err := stored(a, r.Profiles)
	if err != nil {
		return err
	}
	if err := before.count(posBefore, landedBefore, res.OrderValue); err != nil {
		return err
	}
	if bad := res.Unroutable(); len(bad) > 0 {
		u := Unroutable{OrderID: o.ID, Number: o.ChannelOrderNumber}
		for _, l := range bad {
			u.Lines = append(u.Lines, l.LineID+" ("+l.SKU+"): "+l.Why)
		}
		rep.Unroutable = append(rep.Unroutable, u)
		// At intake an unroutable line holds the whole order: no PO.
		res.Shipments, res.Lines = nil, nil
	}
	landedAfter := sums{}
	for _, sh := range res.Shipments {
		if err := landedAfter.add(sh.Landed); err != nil {
			return err
		}
	}
	if err := after.count(len(res.Shipments), landedAfter, res.OrderValue); err != nil {
		return err
	}
	ch := OrderChange{OrderID: o.ID, Channel: o.Channel, Number: o.ChannelOrderNumber, Lines: []LineChange{},
		POsBefore: posBefore, POsAfter: len(res.Shipments), LandedBefore: landedBefore.list(), LandedAfter: landedAfter.list()}
	routed := winners(res)
	for _, l := range o.Lines {
		from, to := was[l.ID], routed[l.ID]
		if !slices.Equal(from, to) {
			ch.Lines = append(ch.Lines, LineChange{LineID: l.ID, SKU: l.SKU, Qty: l.Quantity - l.Cancelled, From: orEmpty(from), To: orEmpty(to)})
		}
	}
	if len(ch.Lines) > 0 || ch.POsBefore != ch.POsAfter || !landedBefore.equal(landedAfter) {
		rep.Changed = append(rep.Changed, ch)
	}
	return nil
}

// holdsOf is what intake would hold the order for: invalid first, then
// the release policy (lifecycle.Receive's order).
func holdsOf(o *model.Order, r Rules, s lifecycle.Step) []model.Hold {
	var hs []model.Hold
	for _, p := range lifecycle.Validate(o) {
		hs = append(hs, model.Hold{Code: model.HoldInvalidOrder, Reason: p, At: s.At})
	}
	if len(hs) > 0 || r.Release == nil {
		return hs
	}
	return r.Release(o.Channel).Holds(o, s)
}

// live reports whether a stored PO still counts: one the supplier
// rejected, that was cancelled or that dropgate withdrew does not.
func live(po *model.PurchaseOrder) bool {
	return po.Status != model.PORejected && po.Status != model.POCancelled && !po.Withdrawn()
}

// stored returns the suppliers of each line in the stored purchase
// orders, how many POs count, and their landed cost (items plus the new
// profiles' fees).
func stored(a *model.Aggregate, profiles map[string]routing.SupplierProfile) (map[string][]string, int, sums, error) {
	lines := map[string][]string{}
	landed := sums{}
	n := 0
	for i := range a.POs {
		po := &a.POs[i]
		if !live(po) {
			continue
		}
		n++
		items, err := po.Total()
		if err != nil {
			return nil, 0, nil, err
		}
		if err := landed.add(items); err != nil {
			return nil, 0, nil, err
		}
		if err := landed.add(profiles[po.Supplier].FeesIn(po.Currency)); err != nil {
			return nil, 0, nil, err
		}
		for _, l := range po.Lines {
			lines[l.OrderLineID] = addSorted(lines[l.OrderLineID], po.Supplier)
		}
	}
	return lines, n, landed, nil
}

// winners returns the suppliers the routing gives each line.
func winners(res routing.Result) map[string][]string {
	out := map[string][]string{}
	for _, l := range res.Lines {
		if l.Winner != nil {
			out[l.LineID] = addSorted(out[l.LineID], l.Winner.Supplier)
		}
	}
	return out
}

func addSorted(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	list = append(list, s)
	sort.Strings(list)
	return list
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
