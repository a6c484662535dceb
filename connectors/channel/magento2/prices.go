package magento2

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

type basePrice struct {
	Price   json.Number `json:"price"`
	StoreID int         `json:"store_id"`
	SKU     string      `json:"sku"`
}

// PushPrices sets base prices: POST /V1/products/base-prices, 100 per
// call, store 0 (the global scope), in the store's base currency. The
// price is written as an exact JSON number from its decimal string.
func (c *Connector) PushPrices(ctx context.Context, updates []connector.PriceUpdate) error {
	for start := 0; start < len(updates); start += batch {
		chunk := updates[start:min(start+batch, len(updates))]
		prices := make([]basePrice, 0, len(chunk))
		for _, u := range chunk {
			if u.Price.Currency != c.cfg.Currency {
				return fault.Permanentf("magento2: sku %s: price in %s, the store's base currency is %s", u.SKU, u.Price.Currency, c.cfg.Currency)
			}
			prices = append(prices, basePrice{Price: json.Number(u.Price.Decimal().String()), SKU: u.SKU})
		}
		op := fmt.Sprintf("set base prices %d-%d", start, start+len(chunk))
		var refused []map[string]any
		if err := c.do(ctx, op, "POST", "/V1/products/base-prices", nil, map[string]any{"prices": prices}, &refused); err != nil {
			return err
		}
		if len(refused) > 0 {
			return fault.Permanent(fmt.Errorf("magento2: %s: %d refused: %v", op, len(refused), refused[0]["message"]))
		}
	}
	return nil
}
