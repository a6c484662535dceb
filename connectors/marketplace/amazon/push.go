package amazon

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// patchOp is one JSON Patch operation of patchListingsItem.
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value []any  `json:"value"`
}

type patchRequest struct {
	ProductType string    `json:"productType"`
	Patches     []patchOp `json:"patches"`
}

// listingIssue is one of patchListingsItem's issues.
type listingIssue struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	Severity string `json:"severity"`
}

// productTypeAny is the productType sent with patches that touch only
// offer attributes, which Amazon accepts for any listing ("PRODUCT").
const productTypeAny = "PRODUCT"

// PushInventory sets each SKU's merchant-fulfilled quantity: a JSON
// Patch replacing fulfillment_availability (channel DEFAULT) through
// patchListingsItem, or for more than bulk_threshold SKUs one JSON
// listings feed of those patches.
// https://developer-docs.amazon.com/sp-api/docs/listings-items-api-v2021-08-01-reference#patchlistingsitem
func (c *Connector) PushInventory(ctx context.Context, updates []connector.InventoryUpdate) error {
	items := make([]feedItem, len(updates))
	for i, u := range updates {
		if u.SKU == "" {
			return fault.Permanentf("amazon: set inventory: an update has no SKU")
		}
		items[i] = feedItem{sku: u.SKU, patch: inventoryPatch(u), value: fmt.Sprint(u.Available)}
	}
	return c.pushItems(ctx, "set inventory", items)
}

// inventoryPatch replaces the merchant-fulfilled quantity.
func inventoryPatch(u connector.InventoryUpdate) patchOp {
	return patchOp{Op: "replace", Path: "/attributes/fulfillment_availability",
		Value: []any{map[string]any{"fulfillment_channel_code": "DEFAULT", "quantity": max(u.Available, 0)}}}
}

// PushPrices sets each SKU's price: a JSON Patch replacing
// purchasable_offer's our_price in the listing's marketplace, the amount
// written from its exact decimal string.
func (c *Connector) PushPrices(ctx context.Context, updates []connector.PriceUpdate) error {
	market := c.market()
	items := make([]feedItem, len(updates))
	for i, u := range updates {
		if u.SKU == "" {
			return fault.Permanentf("amazon: set price: an update has no SKU")
		}
		items[i] = feedItem{sku: u.SKU, patch: pricePatch(market, u), value: u.Price.String()}
	}
	return c.pushItems(ctx, "set price", items)
}

// pricePatch replaces our_price in market. The amount is the exact
// decimal of the minor units, written as a JSON number (never a float).
func pricePatch(market string, u connector.PriceUpdate) patchOp {
	amount := json.Number(u.Price.Decimal().String())
	offer := map[string]any{"marketplace_id": market, "currency": u.Price.Currency,
		"our_price": []any{map[string]any{"schedule": []any{map[string]any{"value_with_tax": amount}}}}}
	return patchOp{Op: "replace", Path: "/attributes/purchasable_offer", Value: []any{offer}}
}

// PushBatch lets the sync hand Amazon pushes of up to feed_batch SKUs,
// so a large change goes out as a few feeds (connector.PushBatcher).
func (c *Connector) PushBatch() int { return c.cfg.FeedBatch }

// pushItems sends a batch: more SKUs than bulk_threshold as one JSON
// listings feed, else a patchListingsItem per SKU.
func (c *Connector) pushItems(ctx context.Context, what string, items []feedItem) error {
	if len(items) > c.cfg.BulkThreshold {
		return c.pushFeed(ctx, what, items)
	}
	ctx, err := c.reserve(ctx, len(items))
	if err != nil {
		return err
	}
	for _, it := range items {
		if err := c.patch(ctx, it.sku, what, it.patch); err != nil {
			return err
		}
	}
	return nil
}

func (c *Connector) market() string {
	if len(c.cfg.MarketplaceIDs) > 0 {
		return c.cfg.MarketplaceIDs[0]
	}
	return ""
}

// patch sends one patchListingsItem. ACCEPTED means queued, not applied;
// an ACCEPTED answer with ERROR issues, or INVALID, is this SKU's
// failure, reported with Amazon's issues (permanent: the same patch
// would be refused again).
func (c *Connector) patch(ctx context.Context, sku, what string, p patchOp) error {
	if c.cfg.SellerID == "" {
		return fault.Permanentf("amazon: sku %s: %s: seller_id is needed", sku, what)
	}
	path := "/listings/2021-08-01/items/" + url.PathEscape(c.cfg.SellerID) + "/" + url.PathEscape(sku)
	q := url.Values{"marketplaceIds": {c.market()}, "issueLocale": {"en_US"}}
	var res struct {
		SKU          string         `json:"sku"`
		Status       string         `json:"status"`
		SubmissionID string         `json:"submissionId"`
		Issues       []listingIssue `json:"issues"`
	}
	body := patchRequest{ProductType: productTypeAny, Patches: []patchOp{p}}
	if err := c.do(ctx, opListings, "sku "+sku+": "+what, "PATCH", path, q, body, &res); err != nil {
		return err
	}
	var errs []string
	for _, is := range res.Issues {
		if strings.EqualFold(is.Severity, "ERROR") {
			errs = append(errs, is.Code+": "+is.Message)
		}
	}
	if res.Status != "ACCEPTED" || len(errs) > 0 {
		return fault.Permanentf("amazon: sku %s: %s: %s: %s", sku, what, firstNonEmpty(res.Status, "no status"), strings.Join(errs, "; "))
	}
	for _, is := range res.Issues {
		if c.env.Logger != nil {
			c.env.Logger.Warn("amazon: listing accepted with an issue", "sku", sku, "code", is.Code, "message", is.Message,
				"severity", is.Severity, "submission", res.SubmissionID)
		}
	}
	return nil
}

// reserve takes the batch's patchListingsItem tokens at once: a batch
// retried after being throttled half-way would otherwise spend the budget
// again on its first SKUs each time and never finish (Amazon's burst is 5).
func (c *Connector) reserve(ctx context.Context, n int) (context.Context, error) {
	return c.reserveOp(ctx, opListings, n)
}

// reserveOp spends n tokens of op's limiter at once (httpclient.Reserve).
func (c *Connector) reserveOp(ctx context.Context, op string, n int) (context.Context, error) {
	ctx, err := httpclient.Reserve(ctx, c.env.Limiter, c.limitKey(op), n, c.limits[op], c.now())
	if err != nil {
		return ctx, fmt.Errorf("amazon: %w", err)
	}
	return ctx, nil
}
