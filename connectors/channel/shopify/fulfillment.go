package shopify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	goshopify "github.com/bold-commerce/go-shopify/v4"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// Fulfillments use the fulfillment-order API: an order's lines are split
// into fulfillment orders, one per location, and a fulfillment fulfils
// lines (and quantities) of fulfillment orders of one order at one
// location (POST fulfillments.json with line_items_by_fulfillment_order,
// https://shopify.dev/docs/api/admin-rest/latest/resources/fulfillment#post-fulfillments).
// The order-based endpoint go-shopify's Order.CreateFulfillment calls
// (POST orders/{id}/fulfillments.json) was removed after 2022-04
// (https://shopify.dev/changelog/legacy-fulfillment-api-deprecation).
//
// Idempotency. A job may run twice, and a response may be lost after
// Shopify created the fulfillment, so before creating anything
// PushFulfillment lists the order's fulfillments and credits those that
// are this shipment's:
//
//   - a shipment with tracking numbers owns the fulfillments carrying any
//     of them;
//   - a shipment without any owns the untracked fulfillments, made of its
//     lines, that did not exist before its first attempt: that list is
//     written to the store before the first POST. Without a store, any
//     untracked fulfillment made of its lines counts (never a duplicate,
//     at the price of merging two identical untracked shipments).
//
// Only what no fulfillment covers yet is created, so a retry after a lost
// response, or after one of several locations went through, creates
// nothing twice.

// PushFulfillment creates the Shopify fulfillment of a shipment: only the
// shipped lines and quantities, with the tracking numbers and carrier, and
// returns its id. When the shipped lines sit at several Shopify locations,
// one fulfillment per location is needed (Shopify's rule), and the ids
// are returned comma-separated.
// pushCalls is what a fulfillment push costs in the usual case: list the
// fulfillments, list the fulfillment orders, create one fulfillment.
const pushCalls = 3

func (c *Connector) PushFulfillment(ctx context.Context, order *model.Order, sh *model.Shipment) (string, error) {
	orderID, err := parseID("order id", order.ChannelOrderID)
	if err != nil {
		return "", err
	}
	want, err := shippedLines(sh)
	if err != nil {
		return "", fmt.Errorf("shopify: order %d: shipment %s: %w", orderID, sh.ID, err)
	}
	tr := trackingOf(sh)
	// A push lists the order's fulfillments and fulfillment orders, then
	// creates: reserve the three calls so it is never throttled halfway
	// and made to start over (three workers sharing one shop's bucket
	// spent two thirds of it on restarts before this).
	ctx, err = httpclient.Reserve(ctx, c.env.Limiter, limitKey(c.cfg.ShopDomain), pushCalls, c.env.RateLimit, c.now())
	if err != nil {
		return "", err
	}
	api, err := c.api()
	if err != nil {
		return "", err
	}
	var journal *attempt
	if len(tr.numbers) == 0 {
		if journal, err = c.loadAttempt(ctx, sh); err != nil {
			return "", err
		}
	}
	ours, need, existing, err := c.credited(ctx, api, orderID, want, tr, journal)
	if err != nil {
		return "", err
	}
	if need.done() {
		return joinIDs(ours), nil
	}
	fos, err := api.FulfillmentOrder.List(ctx, orderID, nil)
	if err != nil {
		return "", c.classify(err, "order %d: list fulfillment orders", orderID)
	}
	groups, short := allocate(need, fos)
	if len(short) > 0 {
		if len(ours) > 0 {
			// What is left was fulfilled by someone else (a merchant in the
			// admin, another app); this shipment's part is on Shopify.
			c.log().Warn("shopify: shipment partly fulfilled elsewhere; keeping what exists",
				"connector", c.env.Name, "order", orderID, "shipment", sh.ID, "missing", strings.Join(short, "; "))
			return joinIDs(ours), nil
		}
		return "", fault.Permanentf("shopify: order %d: shipment %s: not enough left to fulfil on Shopify (already fulfilled, cancelled or moved?): %s",
			orderID, sh.ID, strings.Join(short, "; "))
	}
	if len(tr.numbers) == 0 && journal == nil && c.env.State != nil {
		if err := c.saveAttempt(ctx, sh, existing); err != nil {
			return "", err
		}
	}
	for _, g := range groups {
		fl, err := createFulfillment(ctx, api, g, tr, c.notifyCustomer())
		if err == nil && fl != nil {
			ours = append(ours, fl.Id)
			continue
		}
		err = c.classify(err, "order %d: create fulfillment for shipment %s", orderID, sh.ID)
		if statusOf(err) == http.StatusUnprocessableEntity {
			// Another attempt at this shipment (a duplicate job, a lease
			// that expired) may have won the race: then it is done.
			if ids, ok := c.recheck(ctx, api, orderID, want, tr, sh); ok {
				return ids, nil
			}
		}
		return "", err
	}
	return joinIDs(ours), nil
}

// credited lists the order's fulfillments and credits this shipment's
// against want. It returns their ids, what is left to fulfil and the ids
// of every fulfillment seen.
func (c *Connector) credited(ctx context.Context, api *goshopify.Client, orderID uint64, want lineQty, tr tracking, journal *attempt) ([]uint64, lineQty, []uint64, error) {
	// An order has a handful of fulfillments; 250 is the page maximum.
	list, err := api.Order.ListFulfillments(ctx, orderID, goshopify.ListOptions{Limit: 250})
	if err != nil {
		return nil, lineQty{}, nil, c.classify(err, "order %d: list fulfillments", orderID)
	}
	need := want.clone()
	var ours, seen []uint64
	for _, f := range list {
		seen = append(seen, f.Id)
		if !live(f) || !owns(f, tr, need, journal, c.env.State == nil) {
			continue
		}
		if need.credit(f) {
			ours = append(ours, f.Id)
		}
	}
	return ours, need, seen, nil
}

// recheck answers whether, after a refused create, the shipment turns out
// to be on Shopify already.
func (c *Connector) recheck(ctx context.Context, api *goshopify.Client, orderID uint64, want lineQty, tr tracking, sh *model.Shipment) (string, bool) {
	var journal *attempt
	if len(tr.numbers) == 0 {
		var err error
		if journal, err = c.loadAttempt(ctx, sh); err != nil {
			return "", false
		}
	}
	ours, need, _, err := c.credited(ctx, api, orderID, want, tr, journal)
	if err != nil || !need.done() || len(ours) == 0 {
		return "", false
	}
	return joinIDs(ours), true
}

// live reports whether a fulfillment stands: cancelled, failed and errored
// ones shipped nothing.
// https://shopify.dev/docs/api/admin-rest/latest/resources/fulfillment (status)
func live(f goshopify.Fulfillment) bool {
	switch f.Status {
	case "cancelled", "error", "failure":
		return false
	}
	return true
}

// owns reports whether fulfillment f belongs to the shipment (see the
// idempotency note above).
func owns(f goshopify.Fulfillment, tr tracking, need lineQty, journal *attempt, noStore bool) bool {
	numbers := f.TrackingNumbers
	if f.TrackingNumber != "" {
		numbers = append(slices.Clone(numbers), f.TrackingNumber)
	}
	if len(tr.numbers) > 0 {
		for _, n := range numbers {
			if slices.Contains(tr.numbers, strings.TrimSpace(n)) {
				return true
			}
		}
		return false
	}
	if len(numbers) > 0 || !need.covers(f) {
		return false
	}
	switch {
	case journal != nil:
		return !slices.Contains(journal.Known, formatID(f.Id))
	case noStore:
		return true
	}
	return false // no attempt recorded: nothing of ours was ever sent
}

// lineQty is a quantity per Shopify line item id, with the ids in the
// order the shipment lists them (so requests are deterministic).
type lineQty struct {
	ids []uint64
	qty map[uint64]uint64
}

// shippedLines sums a shipment's package lines per order line. The
// canonical order line id of a Shopify order is the Shopify line item id.
func shippedLines(sh *model.Shipment) (lineQty, error) {
	lq := lineQty{qty: map[uint64]uint64{}}
	for pi, p := range sh.Packages {
		for li, l := range p.Lines {
			if l.Quantity < 0 {
				return lineQty{}, fault.Permanentf("packages[%d].lines[%d]: negative quantity %d", pi, li, l.Quantity)
			}
			if l.Quantity == 0 {
				continue
			}
			id, err := parseID(fmt.Sprintf("packages[%d].lines[%d].order_line_id", pi, li), l.OrderLineID)
			if err != nil {
				return lineQty{}, err
			}
			if _, seen := lq.qty[id]; !seen {
				lq.ids = append(lq.ids, id)
			}
			lq.qty[id] += uint64(l.Quantity)
		}
	}
	if len(lq.ids) == 0 {
		return lineQty{}, fault.Permanentf("no shipped lines")
	}
	return lq, nil
}

func (lq lineQty) clone() lineQty {
	out := lineQty{ids: slices.Clone(lq.ids), qty: make(map[uint64]uint64, len(lq.qty))}
	for k, v := range lq.qty {
		out.qty[k] = v
	}
	return out
}

func (lq lineQty) done() bool {
	for _, q := range lq.qty {
		if q > 0 {
			return false
		}
	}
	return true
}

// credit takes what f fulfilled off lq and reports whether it took any.
func (lq lineQty) credit(f goshopify.Fulfillment) bool {
	took := false
	for _, li := range f.LineItems {
		q := lq.qty[li.Id]
		if q == 0 || li.Quantity <= 0 {
			continue
		}
		lq.qty[li.Id] = q - min(q, uint64(li.Quantity))
		took = true
	}
	return took
}

// covers reports whether every line of f is one lq still needs, in no
// more than the quantity needed.
func (lq lineQty) covers(f goshopify.Fulfillment) bool {
	if len(f.LineItems) == 0 {
		return false
	}
	for _, li := range f.LineItems {
		if li.Quantity <= 0 || uint64(li.Quantity) > lq.qty[li.Id] {
			return false
		}
	}
	return true
}

func joinIDs(ids []uint64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = formatID(id)
	}
	return strings.Join(s, ",")
}

type fulfillmentRequest struct {
	Fulfillment fulfillmentBody `json:"fulfillment"`
}

type fulfillmentBody struct {
	LineItemsByFulfillmentOrder []foItems     `json:"line_items_by_fulfillment_order"`
	TrackingInfo                *trackingInfo `json:"tracking_info,omitempty"`
	NotifyCustomer              bool          `json:"notify_customer"`
}

type foItems struct {
	FulfillmentOrderID uint64   `json:"fulfillment_order_id"`
	Lines              []foItem `json:"fulfillment_order_line_items"`
}

type foItem struct {
	ID       uint64 `json:"id"`
	Quantity uint64 `json:"quantity"`
}

// createFulfillment posts one location's part of the shipment. go-shopify's
// Fulfillment type cannot carry numbers/urls, so the body is ours; the
// response is go-shopify's.
func createFulfillment(ctx context.Context, api *goshopify.Client, g *locationPlan, tr tracking, notify bool) (*goshopify.Fulfillment, error) {
	body := fulfillmentRequest{Fulfillment: fulfillmentBody{
		LineItemsByFulfillmentOrder: g.fos, TrackingInfo: tr.info(), NotifyCustomer: notify,
	}}
	var out goshopify.FulfillmentResource
	if err := api.Post(ctx, "fulfillments.json", body, &out); err != nil {
		return nil, err
	}
	if out.Fulfillment == nil || out.Fulfillment.Id == 0 {
		return nil, errors.New("response has no fulfillment id")
	}
	return out.Fulfillment, nil
}

// locationPlan is one fulfillment to create: lines of fulfillment orders
// assigned to one location.
type locationPlan struct {
	location uint64
	fos      []foItems
}

// fulfillable reports whether a fulfillment can be created on fo:
// statuses and actions of
// https://shopify.dev/docs/api/admin-rest/latest/resources/fulfillmentorder
func fulfillable(fo goshopify.FulfillmentOrder) bool {
	if fo.Status != "open" && fo.Status != "in_progress" {
		return false
	}
	return len(fo.SupportedActions) == 0 || slices.Contains(fo.SupportedActions, "create_fulfillment")
}

// allocate maps what is needed per line item onto fulfillment order lines,
// within each one's fulfillable_quantity. A location that can take the
// whole shipment is preferred (one fulfillment); otherwise lines spread
// over fulfillment orders in Shopify's order. short describes what no
// fulfillment order can take.
func allocate(need lineQty, fos []goshopify.FulfillmentOrder) ([]*locationPlan, []string) {
	var open []goshopify.FulfillmentOrder
	var locations []uint64
	for _, fo := range fos {
		if fulfillable(fo) {
			open = append(open, fo)
			if !slices.Contains(locations, fo.AssignedLocationId) {
				locations = append(locations, fo.AssignedLocationId)
			}
		}
	}
	for _, loc := range locations {
		var here []goshopify.FulfillmentOrder
		for _, fo := range open {
			if fo.AssignedLocationId == loc {
				here = append(here, fo)
			}
		}
		if plans, short := spread(need, here); len(short) == 0 {
			return plans, nil
		}
	}
	return spread(need, open)
}

func spread(need lineQty, fos []goshopify.FulfillmentOrder) ([]*locationPlan, []string) {
	var plans []*locationPlan
	byLoc := map[uint64]*locationPlan{}
	add := func(fo goshopify.FulfillmentOrder, line uint64, qty uint64) {
		p := byLoc[fo.AssignedLocationId]
		if p == nil {
			p = &locationPlan{location: fo.AssignedLocationId}
			byLoc[fo.AssignedLocationId] = p
			plans = append(plans, p)
		}
		i := slices.IndexFunc(p.fos, func(g foItems) bool { return g.FulfillmentOrderID == fo.Id })
		if i < 0 {
			p.fos = append(p.fos, foItems{FulfillmentOrderID: fo.Id})
			i = len(p.fos) - 1
		}
		p.fos[i].Lines = append(p.fos[i].Lines, foItem{ID: line, Quantity: qty})
	}
	var short []string
	for _, id := range need.ids {
		left := need.qty[id]
		if left == 0 {
			continue
		}
		var available uint64
		for _, fo := range fos {
			for _, l := range fo.LineItems {
				if l.LineItemId != id || l.FulfillableQuantity == 0 || left == 0 {
					continue
				}
				take := min(left, l.FulfillableQuantity)
				add(fo, l.Id, take)
				left -= take
				available += take
			}
		}
		if left > 0 {
			short = append(short, fmt.Sprintf("line item %d: %d shipped, %d fulfillable", id, need.qty[id], available))
		}
	}
	return plans, short
}

func (c *Connector) notifyCustomer() bool {
	return c.cfg.NotifyCustomer == nil || *c.cfg.NotifyCustomer
}

func (c *Connector) log() *slog.Logger {
	if c.env.Logger != nil {
		return c.env.Logger
	}
	return slog.Default()
}
