package woocommerce

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// WooCommerce core has no shipment object. A shipment reaches the store as
// tracking (the Shipment Tracking extension or AST, per `tracking:`) or,
// by default, a customer note; the order is then set to completed when
// complete_on_ship is on and every line has shipped.
//
// Every write is preceded by a read that finds an earlier attempt's
// effect (the note carries the shipment id, a tracking entry its
// number), so a replay or a lost answer makes no second one.

// noteMarker tags the note of a shipment; the read before a write looks
// for it.
func noteMarker(sh *model.Shipment) string { return "[dropgate shipment " + sh.ID + "]" }

// PushFulfillment records the shipment on the order and returns the id of
// what holds it (the note or tracking entry).
func (c *Connector) PushFulfillment(ctx context.Context, o *model.Order, sh *model.Shipment) (string, error) {
	if _, err := integer("order", jsonNum(o.ChannelOrderID)); err != nil {
		return "", fault.Permanent(fmt.Errorf("woocommerce: order %q: %w", o.ChannelOrderID, err))
	}
	// Reserve the calls (a read, the writes, the status) so the push is
	// never throttled halfway and made to start over.
	calls := 2
	if c.cfg.Tracking != TrackingNote {
		calls = 1 + max(1, trackedPackages(sh))
	}
	complete := c.completeOnShip() && shipsAll(o, sh)
	if complete {
		calls++
	}
	ctx, err := httpclient.Reserve(ctx, c.env.Limiter, c.key, calls, c.env.RateLimit, c.now())
	if err != nil {
		return "", err
	}
	var id string
	switch c.cfg.Tracking {
	case TrackingExt, TrackingAST:
		id, err = c.pushTracking(ctx, o, sh)
	default:
		id, err = c.pushNote(ctx, o, sh)
	}
	if err != nil {
		return "", err
	}
	if complete {
		if err := c.complete(ctx, o); err != nil {
			return "", err
		}
	}
	return id, nil
}

func trackedPackages(sh *model.Shipment) int {
	n := 0
	for _, p := range sh.Packages {
		if p.TrackingNumber != "" {
			n++
		}
	}
	return n
}

func (c *Connector) completeOnShip() bool {
	return c.cfg.CompleteOnShip == nil || *c.cfg.CompleteOnShip
}

type wcNote struct {
	ID           jsonNum `json:"id,omitempty"`
	Note         string  `json:"note"`
	CustomerNote bool    `json:"customer_note"`
}

func (c *Connector) pushNote(ctx context.Context, o *model.Order, sh *model.Shipment) (string, error) {
	path := "/wc/v3/orders/" + o.ChannelOrderID + "/notes"
	var notes []wcNote
	if _, err := c.call(ctx, "GET", path, nil, nil, &notes); err != nil {
		return "", fmt.Errorf("woocommerce: order %s: read notes: %w", o.ChannelOrderID, err)
	}
	mark := noteMarker(sh)
	for _, n := range notes {
		if strings.Contains(n.Note, mark) {
			return string(n.ID), nil
		}
	}
	var made wcNote
	in := wcNote{Note: shipmentNote(sh) + "\n" + mark, CustomerNote: true}
	if _, err := c.call(ctx, "POST", path, nil, in, &made); err != nil {
		return "", fmt.Errorf("woocommerce: order %s: add shipment note: %w", o.ChannelOrderID, err)
	}
	return string(made.ID), nil
}

// shipmentNote is the customer-facing text: what shipped, by whom,
// tracking.
func shipmentNote(sh *model.Shipment) string {
	var b strings.Builder
	b.WriteString("Shipped")
	for _, p := range sh.Packages {
		carrier := carrierName(firstNonEmpty(p.Carrier, sh.Carrier))
		if p.TrackingNumber != "" {
			fmt.Fprintf(&b, "\n%s tracking %s", carrier, p.TrackingNumber)
			if p.TrackingURL != "" {
				fmt.Fprintf(&b, " (%s)", p.TrackingURL)
			}
		}
		for _, l := range p.Lines {
			fmt.Fprintf(&b, "\n%d × %s", l.Quantity, firstNonEmpty(l.SKU, l.OrderLineID))
		}
	}
	return b.String()
}

// wcTracking is a Shipment Tracking (and AST) entry.
type wcTracking struct {
	TrackingID       string `json:"tracking_id,omitempty"`
	TrackingProvider string `json:"tracking_provider,omitempty"`
	CustomProvider   string `json:"custom_tracking_provider,omitempty"`
	TrackingNumber   string `json:"tracking_number"`
	DateShipped      string `json:"date_shipped,omitempty"`
}

func (c *Connector) pushTracking(ctx context.Context, o *model.Order, sh *model.Shipment) (string, error) {
	path := "/wc-shipment-tracking/v3/orders/" + o.ChannelOrderID + "/shipment-trackings"
	if c.cfg.Tracking == TrackingAST {
		path = "/wc-ast/v3/orders/" + o.ChannelOrderID + "/shipment-trackings"
	}
	var have []wcTracking
	if _, err := c.call(ctx, "GET", path, nil, nil, &have); err != nil {
		return "", fmt.Errorf("woocommerce: order %s: read tracking: %w", o.ChannelOrderID, err)
	}
	known := map[string]string{}
	for _, t := range have {
		known[t.TrackingNumber] = t.TrackingID
	}
	var ids []string
	for _, p := range sh.Packages {
		if p.TrackingNumber == "" {
			continue
		}
		if id, ok := known[p.TrackingNumber]; ok {
			ids = append(ids, id)
			continue
		}
		in := wcTracking{TrackingNumber: p.TrackingNumber, DateShipped: sh.ShippedAt.UTC().Format("2006-01-02")}
		name := carrierName(firstNonEmpty(p.Carrier, sh.Carrier))
		if providerKnown(firstNonEmpty(p.Carrier, sh.Carrier)) {
			in.TrackingProvider = name
		} else {
			in.CustomProvider = name
		}
		var made wcTracking
		if _, err := c.call(ctx, "POST", path, nil, in, &made); err != nil {
			return "", fmt.Errorf("woocommerce: order %s: add tracking %s: %w", o.ChannelOrderID, p.TrackingNumber, err)
		}
		ids = append(ids, made.TrackingID)
	}
	if len(ids) == 0 {
		// Nothing to track: the note says what shipped.
		return c.pushNote(ctx, o, sh)
	}
	return strings.Join(ids, ","), nil
}

// complete sets the order to completed (a no-op when it already is).
func (c *Connector) complete(ctx context.Context, o *model.Order) error {
	in := map[string]string{"status": "completed"}
	if _, err := c.call(ctx, "PUT", "/wc/v3/orders/"+o.ChannelOrderID, nil, in, nil); err != nil {
		return fmt.Errorf("woocommerce: order %s: complete: %w", o.ChannelOrderID, err)
	}
	return nil
}

// shipsAll reports whether every open unit of every shippable line has
// shipped: by the order's own buckets (which may already count sh), or by
// sh alone. Shipments are never added to the buckets here, so a shipment
// already counted cannot complete an order early.
func shipsAll(o *model.Order, sh *model.Shipment) bool {
	if o.Status == model.OrderShipped || o.Status == model.OrderDelivered {
		return true
	}
	inSh := map[string]int64{}
	for _, p := range sh.Packages {
		for _, l := range p.Lines {
			inSh[l.OrderLineID] += l.Quantity
		}
	}
	byBuckets, bySh := true, true
	for _, l := range o.Lines {
		open := l.Quantity - l.Cancelled
		if l.NoShipping || open <= 0 {
			continue
		}
		if l.Qty.Shipped+l.Qty.Delivered < open {
			byBuckets = false
		}
		if inSh[l.ID] < open {
			bySh = false
		}
	}
	return byBuckets || bySh
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func (c *Connector) log() *slog.Logger {
	if c.env.Logger != nil {
		return c.env.Logger
	}
	return slog.Default()
}
