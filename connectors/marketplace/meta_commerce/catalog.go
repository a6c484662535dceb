package metacommerce

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/money"
)

// catalogBatch is how many requests one items_batch call carries (Meta
// allows 5000; smaller calls fail smaller).
const catalogBatch = 1000

var (
	_ connector.InventoryPusher = (*Connector)(nil)
	_ connector.PricePusher     = (*Connector)(nil)
)

type batchRequest struct {
	Method string         `json:"method"`
	Data   map[string]any `json:"data"`
}

type batchBody struct {
	ItemType string         `json:"item_type"`
	Requests []batchRequest `json:"requests"`
}

type batchAnswer struct {
	Handles          []string `json:"handles"`
	ValidationStatus []struct {
		RetailerID string `json:"retailer_id"`
		Errors     []struct {
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"validation_status"`
}

// PushInventory sets each SKU's quantity_to_sell_on_facebook (absolute,
// so a replay sets the same value) and its availability, through the
// catalog batch API: POST /{catalog_id}/items_batch with UPDATE requests
// keyed by retailer id, 1000 a call.
// https://developers.facebook.com/docs/marketing-api/catalog-batch/reference
func (c *Connector) PushInventory(ctx context.Context, updates []connector.InventoryUpdate) error {
	reqs := make([]batchRequest, 0, len(updates))
	for _, u := range updates {
		if u.SKU == "" {
			return fault.Permanentf("meta_commerce: update quantities: an update has no SKU")
		}
		q := max(u.Available, 0)
		avail := "in stock"
		if q == 0 {
			avail = "out of stock"
		}
		reqs = append(reqs, batchRequest{Method: "UPDATE", Data: map[string]any{"id": u.SKU, "quantity_to_sell_on_facebook": q, "availability": avail}})
	}
	return c.itemsBatch(ctx, "update quantities", reqs)
}

// PushPrices sets each SKU's price ("12.34 USD", the currency's
// decimals) through the same batch API.
func (c *Connector) PushPrices(ctx context.Context, updates []connector.PriceUpdate) error {
	reqs := make([]batchRequest, 0, len(updates))
	for _, u := range updates {
		if u.SKU == "" {
			return fault.Permanentf("meta_commerce: update prices: an update has no SKU")
		}
		p, err := priceString(u.Price)
		if err != nil {
			return fault.Permanent(fmt.Errorf("meta_commerce: update prices: %s: %w", u.SKU, err))
		}
		data := map[string]any{"id": u.SKU, "price": p}
		if u.CompareAt != nil && u.CompareAt.Amount > u.Price.Amount && u.CompareAt.Currency == u.Price.Currency {
			// Meta's price is the regular one; a lower sale_price shows the discount.
			cp, _ := priceString(*u.CompareAt)
			data["price"], data["sale_price"] = cp, p
		}
		reqs = append(reqs, batchRequest{Method: "UPDATE", Data: data})
	}
	return c.itemsBatch(ctx, "update prices", reqs)
}

// itemsBatch posts the requests in calls of catalogBatch. Meta validates
// each request synchronously (validation_status) and applies the batch
// asynchronously (handles): a validation error is permanent, naming the
// SKUs; the handles' later outcome is not read.
func (c *Connector) itemsBatch(ctx context.Context, op string, reqs []batchRequest) error {
	if c.cfg.CatalogID == "" {
		return fault.Permanentf("meta_commerce: %s: catalog_id is not configured", op)
	}
	path := "/" + url.PathEscape(c.cfg.CatalogID) + "/items_batch"
	for start := 0; start < len(reqs); start += catalogBatch {
		chunk := reqs[start:min(start+catalogBatch, len(reqs))]
		var ans batchAnswer
		if err := c.post(ctx, op, path, batchBody{ItemType: "PRODUCT_ITEM", Requests: chunk}, &ans); err != nil {
			return err
		}
		var bad []string
		for _, v := range ans.ValidationStatus {
			for _, e := range v.Errors {
				bad = append(bad, v.RetailerID+": "+e.Message)
			}
		}
		if len(bad) > 0 {
			return fault.Permanent(fmt.Errorf("meta_commerce: %s: Meta refused %s", op, strings.Join(bad, "; ")))
		}
	}
	return nil
}

// priceString writes Meta's price: the amount with its currency's
// decimals, a space and the ISO code ("12.30 USD").
func priceString(m money.Money) (string, error) {
	exp, ok := money.Exponent(m.Currency)
	if !ok {
		return "", fmt.Errorf("%q is not an ISO 4217 currency", m.Currency)
	}
	if m.Amount < 0 {
		return "", fmt.Errorf("a negative price")
	}
	s := strconv.FormatInt(m.Amount, 10)
	if exp > 0 {
		for len(s) <= int(exp) {
			s = "0" + s
		}
		s = s[:len(s)-int(exp)] + "." + s[len(s)-int(exp):]
	}
	return s + " " + m.Currency, nil
}
