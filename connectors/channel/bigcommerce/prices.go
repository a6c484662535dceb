package bigcommerce

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// variantPrice is one object of PUT /v3/catalog/variants. Prices are JSON
// numbers written from the exact decimal text, never through a float.
type variantPrice struct {
	ID          int64       `json:"id"`
	Price       json.Number `json:"price"`
	RetailPrice json.Number `json:"retail_price,omitempty"`
}

// PushPrices sets each SKU's price (and retail_price, BigCommerce's
// "was" price, from CompareAt) through the variants batch endpoint, 50 a
// call. A price in another currency than the store's is refused.
func (c *Connector) PushPrices(ctx context.Context, updates []connector.PriceUpdate) error {
	byS := map[string]connector.PriceUpdate{}
	var skus []string
	rejected := map[string]string{}
	for _, u := range updates {
		if c.cfg.Currency != "" && u.Price.Currency != c.cfg.Currency {
			rejected[u.SKU] = fmt.Sprintf("price in %s, the store sells in %s", u.Price.Currency, c.cfg.Currency)
		}
		if _, dup := byS[u.SKU]; !dup {
			skus = append(skus, u.SKU)
		}
		byS[u.SKU] = u
	}
	var want []string
	for _, s := range skus {
		if _, bad := rejected[s]; !bad {
			want = append(want, s)
		}
	}
	vs, err := c.variants(ctx, want)
	if err != nil {
		return err
	}
	var objs []variantPrice
	for _, s := range want {
		v, ok := vs[s]
		if !ok {
			rejected[s] = "not in the store's catalogue"
			continue
		}
		u := byS[s]
		p := variantPrice{ID: v.ID, Price: json.Number(u.Price.Decimal().String())}
		if u.CompareAt != nil {
			p.RetailPrice = json.Number(u.CompareAt.Decimal().String())
		}
		objs = append(objs, p)
	}
	for start := 0; start < len(objs); start += variantBatch {
		if _, err := c.call(ctx, "PUT", "/v3/catalog/variants", nil, objs[start:min(start+variantBatch, len(objs))], nil); err != nil {
			if fault.IsPermanent(err) {
				c.forget(want...)
			}
			return fmt.Errorf("bigcommerce: push prices: %w", err)
		}
	}
	return partialResult("prices", skus, rejected)
}
