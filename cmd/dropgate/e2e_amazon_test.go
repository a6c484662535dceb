package main

import (
	"fmt"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/fakes/amazonfake"
)

// amazonLoop is the end-to-end world of an Amazon seller: the real binary
// polling amazonfake (Amazon's default per-operation buckets), and two
// simulated X12 suppliers (acme ships at once, slow after an hour).
func amazonLoop(t *testing.T) (*loop, *amazonfake.Fake) {
	t.Helper()
	fake := amazonfake.New()
	fakeURL := fake.Start()
	t.Cleanup(fake.Close)
	cfg := fmt.Sprintf(`server: { listen: "127.0.0.1:0", admin_token: "%s" }
store: { driver: embedded, path: ./var/dropgate.db }
workers: { inbox_poll: 200ms, concurrency: 8 }
channels:
  - name: amazon
    type: amazon
    region: na
    base_url: %q
    lwa_url: %q
    marketplace_ids: [%s]
    seller_id: %s
    lwa_client_id: %s
    lwa_client_secret: "${E2E_AMAZON_SECRET:-%s}"
    refresh_token: "${E2E_AMAZON_REFRESH:-%s}"
    poll_every: 3s
    reconcile: { every: 5s, lookback: 2h }
routing: { strategy: cheapest }
inventory: { safety_buffer: 0, sync_every: 1h, channels: [amazon] }
pricing: { channels: [amazon], currency: USD, markup: "2" }
`, loopAdmin, fakeURL, fakeURL+amazonfake.TokenPath, amazonfake.Marketplace, amazonfake.SellerID, amazonfake.ClientID,
		amazonfake.ClientSecret, amazonfake.RefreshToken)
	l := twoSupplierLoop(t, cfg)
	return l, fake
}

// TestAmazonEndToEnd: stock and prices reach Amazon's listings; an
// Unshipped order is polled in with its RDT address, becomes a PO at
// acme, and the 856 comes back as a UPS confirmShipment of both items; a
// Pending order is held, and becomes a PO when Amazon marks it Unshipped; an order Amazon
// cancels cancels its PO; no quota is exceeded and one LWA token serves.
func TestAmazonEndToEnd(t *testing.T) {
	t.Parallel()
	l, fake := amazonLoop(t)

	magentoWait(t, "stock and prices on Amazon", func() bool {
		for _, sku := range []string{"MUG", "TEE", "LAMP"} {
			if li, ok := fake.Listing(sku); !ok || !li.HasQuantity || li.Price == "" {
				return false
			}
		}
		return true
	})
	if li, _ := fake.Listing("MUG"); money.MustParse(li.Price, li.Currency) != money.MustParse("6.00", "USD") || li.Quantity != 50 {
		t.Errorf("MUG listing %+v; want 50 at 6.00 USD (cost 3.00 × 2)", li)
	}

	ao := fake.AddOrder(amazonfake.NewLine{SKU: "TEE", Title: "Tee", Qty: 2, Price: "40.00"},
		amazonfake.NewLine{SKU: "MUG", Title: "Mug", Qty: 1, Price: "6.00"})
	id := model.OrderID("amazon", ao)
	a := l.wait(id, "the order shipped", func(a *model.Aggregate) bool { return a.Order.Status == model.OrderShipped })
	if len(a.POs) != 1 || a.POs[0].Supplier != "acme" || len(a.Order.Lines) != 2 {
		t.Fatalf("order %s: %d POs, %d lines", id, len(a.POs), len(a.Order.Lines))
	}
	if a.Order.ShippingAddress == nil || a.Order.ShippingAddress.Name != "Ada Lovelace" {
		t.Errorf("address %+v; want the RDT's, with the name", a.Order.ShippingAddress)
	}
	magentoWait(t, "the shipment on Amazon", func() bool {
		o, _ := fake.Order(ao)
		return o.OrderStatus == "Shipped"
	})
	for _, c := range fake.Confirmations(ao) {
		if c.CarrierCode != "UPS" || c.TrackingNumber != a.Shipments[0].Packages[0].TrackingNumber {
			t.Errorf("confirmation %+v; want UPS and %s", c, a.Shipments[0].Packages[0].TrackingNumber)
		}
	}

	// Pending: payment not authorised; held, then released by Amazon.
	pend := fake.AddOrder(amazonfake.NewLine{SKU: "MUG", Title: "Mug", Qty: 1, Price: "6.00"})
	fake.SetStatus(pend, "Pending")
	pendID := model.OrderID("amazon", pend)
	l.wait(pendID, "the pending order in, held", func(a *model.Aggregate) bool {
		return a.Order.PaymentStatus == model.PaymentPending && len(a.POs) == 0
	})
	// Amazon releases it: paid, and with the address Amazon gives only
	// then, the corrected order becomes a PO.
	fake.SetStatus(pend, "Unshipped")
	l.wait(pendID, "the released order's PO sent", func(a *model.Aggregate) bool {
		return a.Order.PaymentStatus == model.PaymentPaid && a.Order.ShippingAddress != nil && len(a.POs) == 1 && a.POs[0].Status != model.PODraft
	})

	// Amazon cancels the lamp order: its PO is cancelled.
	lamp := fake.AddOrder(amazonfake.NewLine{SKU: "LAMP", Title: "Lamp", Qty: 1, Price: "14.00"})
	lampID := model.OrderID("amazon", lamp)
	l.wait(lampID, "the lamp's PO sent", func(a *model.Aggregate) bool {
		return len(a.POs) == 1 && a.POs[0].Status != model.PODraft
	})
	fake.SetStatus(lamp, "Canceled")
	l.wait(lampID, "the lamp order cancelled", func(a *model.Aggregate) bool {
		return a.Order.Status == model.OrderCancelled && len(a.POs) == 1 && a.POs[0].Status == model.POCancelled
	})

	if v := fake.Server().QuotaViolations(); v != 0 {
		t.Errorf("%d quota violations on Amazon", v)
	}
	if n := fake.TokensIssued(); n != 1 {
		t.Errorf("%d LWA tokens minted in a run shorter than an hour; want 1", n)
	}
}
