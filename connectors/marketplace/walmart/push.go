package walmart

import (
	"context"
	"encoding/json"
	"net/url"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

type invQty struct {
	Unit   string `json:"unit"`
	Amount int64  `json:"amount"`
}

type inventoryBody struct {
	SKU      string `json:"sku"`
	Quantity invQty `json:"quantity"`
}

// PushInventory sets each SKU's quantity: PUT /v3/inventory?sku=…
// (with shipNode when configured). Absolute, so a replay sets the same
// value. The calls of one batch are reserved together.
func (c *Connector) PushInventory(ctx context.Context, updates []connector.InventoryUpdate) error {
	ctx, err := c.reserve(ctx, len(updates))
	if err != nil {
		return err
	}
	for _, u := range updates {
		if u.SKU == "" {
			return fault.Permanentf("walmart: set inventory: an update has no SKU")
		}
		q := url.Values{"sku": {u.SKU}}
		if c.cfg.ShipNode != "" {
			q.Set("shipNode", c.cfg.ShipNode)
		}
		body := inventoryBody{SKU: u.SKU, Quantity: invQty{Unit: "EACH", Amount: max(u.Available, 0)}}
		if err := c.do(ctx, "sku "+u.SKU+": set inventory", "PUT", "/v3/inventory", q, body, nil); err != nil {
			return err
		}
	}
	return nil
}

type priceAmount struct {
	Currency string      `json:"currency"`
	Amount   json.Number `json:"amount"`
}

type pricing struct {
	CurrentPriceType string      `json:"currentPriceType"`
	CurrentPrice     priceAmount `json:"currentPrice"`
}

type priceBody struct {
	SKU     string    `json:"sku"`
	Pricing []pricing `json:"pricing"`
}

// PushPrices sets each SKU's BASE price: PUT /v3/price, the amount an
// exact JSON number written from its decimal string, in USD (Walmart US).
func (c *Connector) PushPrices(ctx context.Context, updates []connector.PriceUpdate) error {
	for _, u := range updates {
		if u.Price.Currency != "USD" {
			return fault.Permanentf("walmart: sku %s: price in %s; Walmart US prices are in USD", u.SKU, u.Price.Currency)
		}
	}
	ctx, err := c.reserve(ctx, len(updates))
	if err != nil {
		return err
	}
	for _, u := range updates {
		body := priceBody{SKU: u.SKU, Pricing: []pricing{{CurrentPriceType: "BASE",
			CurrentPrice: priceAmount{Currency: u.Price.Currency, Amount: json.Number(u.Price.Decimal().String())}}}}
		if err := c.do(ctx, "sku "+u.SKU+": set price", "PUT", "/v3/price", nil, body, nil); err != nil {
			return err
		}
	}
	return nil
}
