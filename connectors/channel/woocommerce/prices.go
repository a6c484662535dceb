package woocommerce

import (
	"context"
	"fmt"

	"github.com/dropgate/dropgate/core/connector"
)

// PushPrices sets regular_price (and sale_price when a compare-at price
// is given: WooCommerce's regular price is then the higher one) of each
// SKU through the batch endpoints. Prices travel as decimal strings; a
// price in another currency than the store's is refused.
func (c *Connector) PushPrices(ctx context.Context, updates []connector.PriceUpdate) error {
	fields := make(map[string]map[string]any, len(updates))
	order := make([]string, 0, len(updates))
	rejected := map[string]string{}
	for _, u := range updates {
		if c.cfg.Currency != "" && u.Price.Currency != c.cfg.Currency {
			rejected[u.SKU] = fmt.Sprintf("price in %s, the store sells in %s", u.Price.Currency, c.cfg.Currency)
			continue
		}
		if _, dup := fields[u.SKU]; !dup {
			order = append(order, u.SKU)
		}
		f := map[string]any{"regular_price": u.Price.Decimal().String(), "sale_price": ""}
		if u.CompareAt != nil && !u.CompareAt.IsZero() {
			f["regular_price"] = u.CompareAt.Decimal().String()
			f["sale_price"] = u.Price.Decimal().String()
		}
		fields[u.SKU] = f
	}
	err := c.batch(ctx, "prices", order, fields)
	if len(rejected) > 0 && err == nil {
		all := order
		for s := range rejected {
			all = append(all, s)
		}
		return partialResult("prices", all, rejected)
	}
	return err
}
