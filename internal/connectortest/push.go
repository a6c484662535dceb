package connectortest

import (
	"context"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// Platform is the part every outbound fixture has: the connector built on
// the rig, the platform's fake (on the kit) it talks to, and the request
// that makes the capability's effect.
type Platform struct {
	Connector connector.Connector
	Fake      *kit.Server
	Write     Route
}

// FulfillmentHarness is what RunFulfillment needs.
type FulfillmentHarness struct {
	// Limit is the connector's rate limit; the fake's quota matches it.
	Limit store.Limit
	Setup func(r *Rig) FulfillmentFixture
}

// FulfillmentFixture is a connector on a fake with orders to ship.
type FulfillmentFixture struct {
	Platform
	// Shipment seeds a fresh order on the fake and returns it with a
	// shipment of it (i keeps orders and tracking numbers apart).
	Shipment func(i int) (*model.Order, *model.Shipment)
	// Fulfillments counts the fulfillments the fake holds for the order.
	Fulfillments func(order *model.Order) int
}

// RunFulfillment runs the push-fulfillment suite.
func RunFulfillment(t *testing.T, h FulfillmentHarness) { runFulfillment(std{t}, h) }

func runFulfillment(t T, h FulfillmentHarness) {
	runOutbound(t, outbound{limit: h.Limit, setup: func(r *Rig) outboundFixture {
		fx := h.Setup(r)
		p := capability[connector.FulfillmentPusher](r.T, fx.Connector)
		return outboundFixture{fake: fx.Fake, write: fx.Write, next: func(i int) operation {
			order, sh := fx.Shipment(i)
			return operation{
				do: func(ctx context.Context) error {
					id, err := p.PushFulfillment(ctx, order, sh)
					if err == nil && id == "" {
						r.T.Errorf("PushFulfillment succeeded without the channel's fulfillment id")
					}
					return err
				},
				effects: func() int { return fx.Fulfillments(order) },
			}
		}}
	}})
}

// capability returns c as T, failing when it does not offer it.
func capability[C any](t T, c connector.Connector) C {
	t.Helper()
	x, ok := connector.As[C](c)
	if !ok {
		var zero C
		t.Fatalf("%T does not offer %T", c, &zero)
	}
	return x
}

// InventoryHarness is what RunInventory needs.
type InventoryHarness struct {
	Limit store.Limit
	Setup func(r *Rig) InventoryFixture
}

// InventoryFixture is a connector on a fake with SKUs to stock.
type InventoryFixture struct {
	Platform
	// SKU seeds a fresh sellable SKU on the fake and returns it.
	SKU func(i int) string
	// Available is the quantity the fake has for sku.
	Available func(sku string) int64
	// Changes counts the writes that changed sku's quantity on the fake
	// (a write of the same quantity again is no effect).
	Changes func(sku string) int
}

// RunInventory runs the push-inventory suite: each operation sets a fresh
// SKU to a quantity it did not have.
func RunInventory(t *testing.T, h InventoryHarness) { runInventory(std{t}, h) }

func runInventory(t T, h InventoryHarness) {
	runSet(t, h.Limit, 1000, "PushInventory", func(r *Rig) setFixture {
		fx := h.Setup(r)
		p := capability[connector.InventoryPusher](r.T, fx.Connector)
		return setFixture{Platform: fx.Platform, sku: fx.SKU, value: fx.Available, changes: fx.Changes,
			set: func(ctx context.Context, sku string, v int64) error {
				return p.PushInventory(ctx, []connector.InventoryUpdate{{SKU: sku, Available: v}})
			}}
	})
}

// setFixture is an absolute set of one value per SKU (a quantity, a
// price), as the common cases see it.
type setFixture struct {
	Platform
	sku     func(i int) string
	value   func(sku string) int64
	changes func(sku string) int
	set     func(ctx context.Context, sku string, v int64) error
}

// runSet runs the outbound cases on sets of fresh SKUs to base+i.
func runSet(t T, limit store.Limit, base int64, what string, setup func(r *Rig) setFixture) {
	runOutbound(t, outbound{limit: limit, setup: func(r *Rig) outboundFixture {
		fx := setup(r)
		return outboundFixture{fake: fx.Fake, write: fx.Write, next: func(i int) operation {
			sku, want := fx.sku(i), base+int64(i)
			return operation{
				do: func(ctx context.Context) error {
					err := fx.set(ctx, sku, want)
					if got := fx.value(sku); err == nil && got != want {
						r.T.Errorf("%s of %s to %d succeeded; the platform has %d", what, sku, want, got)
					}
					return err
				},
				effects: func() int { return fx.changes(sku) },
			}
		}}
	}})
}

// PriceHarness is what RunPrices needs.
type PriceHarness struct {
	Limit store.Limit
	// Currency is the shop's currency prices are pushed in.
	Currency string
	Setup    func(r *Rig) PriceFixture
}

// PriceFixture is a connector on a fake with SKUs to price.
type PriceFixture struct {
	Platform
	SKU func(i int) string
	// Price is the price the fake has for sku.
	Price func(sku string) int64
	// Changes counts the writes that changed sku's price on the fake.
	Changes func(sku string) int
}

// RunPrices runs the push-prices suite: each operation sets a fresh SKU
// to a price (in minor units) it did not have.
func RunPrices(t *testing.T, h PriceHarness) { runPrices(std{t}, h) }

func runPrices(t T, h PriceHarness) {
	runSet(t, h.Limit, 12345, "PushPrices", func(r *Rig) setFixture {
		fx := h.Setup(r)
		p := capability[connector.PricePusher](r.T, fx.Connector)
		return setFixture{Platform: fx.Platform, sku: fx.SKU, value: fx.Price, changes: fx.Changes,
			set: func(ctx context.Context, sku string, v int64) error {
				return p.PushPrices(ctx, []connector.PriceUpdate{{SKU: sku, Price: moneyOf(v, h.Currency)}})
			}}
	})
}

// CancelOrderHarness is what RunCancelOrder needs.
type CancelOrderHarness struct {
	Limit store.Limit
	Setup func(r *Rig) CancelOrderFixture
}

// CancelOrderFixture is a connector on a fake with orders to cancel.
type CancelOrderFixture struct {
	Platform
	// Order seeds a fresh open order on the fake.
	Order func(i int) *model.Order
	// Cancellations counts the cancellations the fake applied to order.
	Cancellations func(order *model.Order) int
}

// RunCancelOrder runs the cancel-order suite.
func RunCancelOrder(t *testing.T, h CancelOrderHarness) { runCancelOrder(std{t}, h) }

func runCancelOrder(t T, h CancelOrderHarness) {
	runOutbound(t, outbound{limit: h.Limit, setup: func(r *Rig) outboundFixture {
		fx := h.Setup(r)
		p := capability[connector.OrderCanceller](r.T, fx.Connector)
		return outboundFixture{fake: fx.Fake, write: fx.Write, next: func(i int) operation {
			order := fx.Order(i)
			return operation{
				do:      func(ctx context.Context) error { return p.CancelOrder(ctx, order, "customer") },
				effects: func() int { return fx.Cancellations(order) },
			}
		}}
	}})
}
