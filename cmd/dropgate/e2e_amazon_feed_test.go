package main

import (
	"fmt"
	"net/http"
	"path"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/fakes/amazonfake"
)

// TestAmazonFeedEndToEnd: with bulk_threshold 1 and feed_batch 2, the
// sync's pushes of two of the three SKUs go to Amazon as JSON listings
// feeds (the third as a PATCH), polled through the queue until Amazon has processed them: stock and prices reach the
// listings, the SKU Amazon's report refuses raises a sync_rejected
// exception naming it and Amazon's issue, and no quota is exceeded.
func TestAmazonFeedEndToEnd(t *testing.T) {
	t.Parallel()
	fake := amazonfake.New()
	fakeURL := fake.Start()
	t.Cleanup(fake.Close)
	fake.SetIssue("LAMP", "The SKU LAMP does not match any ASIN")
	cfg := fmt.Sprintf(`server: { listen: "127.0.0.1:0", admin_token: "%s" }
store: { driver: embedded, path: ./var/dropgate.db }
workers: { inbox_poll: 200ms, concurrency: 4 }
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
    poll_every: 1m
    bulk_threshold: 1
    feed_batch: 2
    feed_poll_every: 1s
routing: { strategy: cheapest }
inventory: { safety_buffer: 0, sync_every: 1h, channels: [amazon] }
pricing: { channels: [amazon], currency: USD, markup: "2" }
`, loopAdmin, fakeURL, fakeURL+amazonfake.TokenPath, amazonfake.Marketplace, amazonfake.SellerID, amazonfake.ClientID,
		amazonfake.ClientSecret, amazonfake.RefreshToken)
	l := twoSupplierLoop(t, cfg)

	magentoWait(t, "stock and prices on Amazon through feeds", func() bool {
		for _, sku := range []string{"MUG", "TEE"} {
			if li, ok := fake.Listing(sku); !ok || !li.HasQuantity || li.Price == "" {
				return false
			}
		}
		return true
	})
	want := map[string]struct {
		qty   int64
		price string
	}{"MUG": {50, "6.00"}, "TEE": {40, "10.00"}}
	for sku, w := range want {
		li, _ := fake.Listing(sku)
		if li.Quantity != w.qty || money.MustParse(li.Price, li.Currency) != money.MustParse(w.price, "USD") {
			t.Errorf("%s on Amazon: %+v; want %d at %s USD", sku, li, w.qty, w.price)
		}
	}
	if li, ok := fake.Listing("LAMP"); ok {
		t.Errorf("LAMP was applied despite its ERROR issue: %+v", li)
	}
	if n := fake.FeedsCreated(); n < 2 {
		t.Errorf("%d feeds created; want the stock and the price pushes as feeds", n)
	}
	// feed_batch 2 splits the three SKUs into LAMP+MUG (a feed, more than
	// bulk_threshold) and TEE alone (a PATCH): the sync took the
	// connector's batch size, not its own 50.
	patched := map[string]bool{}
	for _, r := range fake.Server().Requests() {
		if r.Method == http.MethodPatch && r.Succeeded() {
			patched[path.Base(r.Path)] = true
		}
	}
	if !patched["TEE"] || patched["MUG"] || patched["LAMP"] {
		t.Errorf("SKUs patched one by one: %v; want TEE alone (LAMP and MUG in feeds of feed_batch 2)", patched)
	}

	var x struct{ Exceptions []model.Exception }
	magentoWait(t, "the refused SKU raised", func() bool {
		l.admin("/exceptions?kind="+string(model.ExSyncRejected), &x)
		return len(x.Exceptions) >= 2
	})
	for _, e := range x.Exceptions {
		if !strings.Contains(e.Reason, "LAMP") || !strings.Contains(e.Reason, "does not match any ASIN") ||
			strings.Contains(e.Reason, "MUG") || strings.Contains(e.Reason, "TEE") {
			t.Errorf("exception %q: want LAMP alone, with Amazon's issue", e.Reason)
		}
	}
	if v := fake.Server().QuotaViolations(); v != 0 {
		t.Errorf("%d quota violations on Amazon", v)
	}
}
