package ebay

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// batch is the most SKUs one bulk_update_price_quantity call carries.
const batch = 25

const bulkPath = "/sell/inventory/v1/bulk_update_price_quantity"

type availability struct {
	Quantity int64 `json:"quantity"`
}

type offerPrice struct {
	OfferID string `json:"offerId"`
	Price   amount `json:"price"`
}

type bulkItem struct {
	SKU                        string        `json:"sku"`
	ShipToLocationAvailability *availability `json:"shipToLocationAvailability,omitempty"`
	Offers                     []offerPrice  `json:"offers,omitempty"`
}

type bulkAnswer struct {
	Responses []struct {
		StatusCode int    `json:"statusCode"`
		SKU        string `json:"sku"`
		OfferID    string `json:"offerId"`
		Errors     []struct {
			ErrorID int    `json:"errorId"`
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"responses"`
}

// PushInventory sets each SKU's ship-to-home quantity (absolute, so a
// replay sets the same value) with bulk_update_price_quantity, 25 SKUs a
// call. The inventory item is keyed by SKU: eBay spreads it over the SKU's
// published offers.
// https://developer.ebay.com/api-docs/sell/inventory/resources/inventory_item/methods/bulkUpdatePriceQuantity
func (c *Connector) PushInventory(ctx context.Context, updates []connector.InventoryUpdate) error {
	for start := 0; start < len(updates); start += batch {
		chunk := updates[start:min(start+batch, len(updates))]
		items := make([]bulkItem, 0, len(chunk))
		for _, u := range chunk {
			if u.SKU == "" {
				return fault.Permanentf("ebay: update quantities: an update has no SKU")
			}
			items = append(items, bulkItem{SKU: u.SKU, ShipToLocationAvailability: &availability{Quantity: max(u.Available, 0)}})
		}
		if err := c.bulk(ctx, fmt.Sprintf("update quantities %d-%d", start, start+len(chunk)), items); err != nil {
			return err
		}
	}
	return nil
}

// PushPrices sets each SKU's offer price with bulk_update_price_quantity,
// 25 a call. A price belongs to an offer: the SKU's offer on the
// configured marketplace is looked up once (GET /offer?sku=) and kept.
func (c *Connector) PushPrices(ctx context.Context, updates []connector.PriceUpdate) error {
	for start := 0; start < len(updates); start += batch {
		chunk := updates[start:min(start+batch, len(updates))]
		var missing int
		for _, u := range chunk {
			if c.offerID(u.SKU) == "" {
				missing++
			}
		}
		cctx, err := c.reserve(ctx, missing+1)
		if err != nil {
			return err
		}
		items := make([]bulkItem, 0, len(chunk))
		for _, u := range chunk {
			if u.SKU == "" {
				return fault.Permanentf("ebay: update prices: an update has no SKU")
			}
			id, err := c.lookupOffer(cctx, u.SKU)
			if err != nil {
				return err
			}
			items = append(items, bulkItem{SKU: u.SKU, Offers: []offerPrice{{OfferID: id,
				Price: amount{Value: u.Price.Decimal().String(), Currency: u.Price.Currency}}}})
		}
		if err := c.bulk(cctx, fmt.Sprintf("update prices %d-%d", start, start+len(chunk)), items); err != nil {
			return err
		}
	}
	return nil
}

func (c *Connector) offerID(sku string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.offers[sku]
}

// lookupOffer returns the SKU's offer id on the marketplace.
func (c *Connector) lookupOffer(ctx context.Context, sku string) (string, error) {
	if id := c.offerID(sku); id != "" {
		return id, nil
	}
	var res struct {
		Offers []struct {
			OfferID       string `json:"offerId"`
			MarketplaceID string `json:"marketplaceId"`
		} `json:"offers"`
	}
	q := url.Values{"sku": {sku}, "marketplace_id": {c.cfg.MarketplaceID}}
	if _, err := c.do(ctx, "sku "+sku+": get offers", "GET", "/sell/inventory/v1/offer", q, nil, &res); err != nil {
		return "", err
	}
	for _, o := range res.Offers {
		if o.OfferID != "" && (o.MarketplaceID == "" || o.MarketplaceID == c.cfg.MarketplaceID) {
			c.mu.Lock()
			c.offers[sku] = o.OfferID
			c.mu.Unlock()
			return o.OfferID, nil
		}
	}
	return "", fault.Permanentf("ebay: sku %s: no offer on %s to price", sku, c.cfg.MarketplaceID)
}

// bulk sends one bulk_update_price_quantity call; SKUs eBay refused
// (a 207 carries a status per SKU) come back as a partial error.
func (c *Connector) bulk(ctx context.Context, op string, items []bulkItem) error {
	var res bulkAnswer
	if _, err := c.do(ctx, op, "POST", bulkPath, nil, map[string]any{"requests": items}, &res); err != nil {
		return err
	}
	rejected := map[string]string{}
	var accepted []string
	for _, r := range res.Responses {
		if r.StatusCode >= 200 && r.StatusCode < 300 {
			accepted = append(accepted, r.SKU)
			continue
		}
		msg := fmt.Sprintf("status %d", r.StatusCode)
		if len(r.Errors) > 0 {
			msg = fmt.Sprintf("error %d: %s", r.Errors[0].ErrorID, r.Errors[0].Message)
		}
		rejected[r.SKU] = msg
		if r.OfferID != "" {
			// The offer may be ended or relisted under a new id: look it
			// up again next time.
			c.mu.Lock()
			delete(c.offers, r.SKU)
			c.mu.Unlock()
		}
	}
	if len(rejected) > 0 {
		return &fault.PartialError{Err: errors.New("ebay: " + op + ": some SKUs refused"), Accepted: accepted, Rejected: rejected}
	}
	return nil
}
