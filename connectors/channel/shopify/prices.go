package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	goshopify "github.com/bold-commerce/go-shopify/v4"
	"github.com/shopspring/decimal"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/money"
)

// Prices are set per variant with PUT variants/{id}.json
// (https://shopify.dev/docs/api/admin-rest/latest/resources/product-variant#put-variants-variant-id),
// price and compare_at_price as decimal strings in the shop's currency: a
// variant has one price, in the currency of the shop (multi-currency
// presentment prices are derived by Shopify Markets). The body is ours,
// not go-shopify's Variant: that type always sends requires_shipping and
// cannot send compare_at_price: null.

// PushPrices sets each SKU's price (and compare-at price) on its variants.
// Prices must be in the shop's currency (config currency, else the
// shop's, read once); an update in another currency, a negative price or
// a SKU the shop does not have is reported in a fault.PartialError, and
// the error is permanent when nothing was accepted. CompareAt nil leaves
// the variant's compare-at price as it is; a zero CompareAt clears it.
// Variants already at the requested price are not written again, so a
// retried push only spends calls on what is left.
func (c *Connector) PushPrices(ctx context.Context, updates []connector.PriceUpdate) error {
	ups := lastPerSKU(updates, func(u connector.PriceUpdate) string { return u.SKU })
	if len(ups) == 0 {
		return nil
	}
	api, err := c.api()
	if err != nil {
		return err
	}
	currency, err := c.shopCurrency(ctx, api)
	if err != nil {
		return err
	}
	index, err := c.skuIndex(ctx, api)
	if err != nil {
		return err
	}
	rejected := map[string]string{}
	for _, u := range ups {
		sku := strings.TrimSpace(u.SKU)
		if reason := checkPrice(u, currency); reason != "" {
			rejected[sku] = reason
			continue
		}
		refs := index[sku]
		if len(refs) == 0 {
			rejected[sku] = "no variant with this SKU in the shop"
			continue
		}
		for _, r := range refs {
			if c.priceIs(r, u, currency) {
				continue
			}
			v, err := putPrice(ctx, api, r.id, u)
			if err != nil {
				err = c.classify(err, "set price of %s (variant %d)", sku, r.id)
				if !fault.IsPermanent(err) {
					return err
				}
				rejected[sku] = err.Error()
				break
			}
			c.remember(r, v)
		}
	}
	return partialResult("push prices", skusOf(ups, func(u connector.PriceUpdate) string { return u.SKU }), rejected)
}

// checkPrice explains why an update cannot be pushed, or returns "".
func checkPrice(u connector.PriceUpdate, currency string) string {
	if u.Price.Currency != currency {
		return fmt.Sprintf("price in %q: the shop sells in %s, and prices are pushed in the shop's currency", u.Price.Currency, currency)
	}
	if u.Price.Amount < 0 {
		return "negative price " + u.Price.Decimal().String()
	}
	if u.CompareAt != nil {
		if u.CompareAt.Currency != currency && !u.CompareAt.IsZero() {
			return fmt.Sprintf("compare-at price in %q: the shop sells in %s", u.CompareAt.Currency, currency)
		}
		if u.CompareAt.Amount < 0 {
			return "negative compare-at price " + u.CompareAt.Decimal().String()
		}
	}
	return ""
}

// variantPrice is the body of PUT variants/{id}.json.
type variantPrice struct {
	Variant variantPriceBody `json:"variant"`
}

type variantPriceBody struct {
	ID    uint64 `json:"id"`
	Price string `json:"price"`
	// CompareAtPrice is absent (leave), null (clear) or a decimal string.
	CompareAtPrice json.RawMessage `json:"compare_at_price,omitempty"`
}

func putPrice(ctx context.Context, api *goshopify.Client, id uint64, u connector.PriceUpdate) (*goshopify.Variant, error) {
	body := variantPrice{Variant: variantPriceBody{ID: id, Price: u.Price.Decimal().String()}}
	if u.CompareAt != nil {
		body.Variant.CompareAtPrice = json.RawMessage("null")
		if !u.CompareAt.IsZero() {
			body.Variant.CompareAtPrice = json.RawMessage(`"` + u.CompareAt.Decimal().String() + `"`)
		}
	}
	var out goshopify.VariantResource
	if err := api.Put(ctx, fmt.Sprintf("variants/%d.json", id), body, &out); err != nil {
		return nil, err
	}
	return out.Variant, nil
}

// priceIs reports whether the variant, as last seen, already has the
// update's prices. Shopify's strings are compared as amounts ("20.0" is
// "20.00").
func (c *Connector) priceIs(r *variantRef, u connector.PriceUpdate, currency string) bool {
	c.catalog.mu.Lock()
	price, compareAt := r.price, r.compareAt
	c.catalog.mu.Unlock()
	if !sameAmount(price, u.Price.Amount, currency) {
		return false
	}
	switch {
	case u.CompareAt == nil:
		return true
	case u.CompareAt.IsZero():
		return compareAt == "" || sameAmount(compareAt, 0, currency)
	}
	return sameAmount(compareAt, u.CompareAt.Amount, currency)
}

func sameAmount(s string, amount int64, currency string) bool {
	if s == "" {
		return false
	}
	m, err := money.Parse(s, currency)
	return err == nil && m.Amount == amount
}

// remember keeps what Shopify answered, so a retry skips the variant.
func (c *Connector) remember(r *variantRef, v *goshopify.Variant) {
	if v == nil {
		return
	}
	c.catalog.mu.Lock()
	r.price, r.compareAt = decimalString(v.Price), decimalString(v.CompareAtPrice)
	c.catalog.mu.Unlock()
}

func decimalString(d *decimal.Decimal) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// shopCurrency is config currency, else the shop's (GET shop.json,
// https://shopify.dev/docs/api/admin-rest/latest/resources/shop), read once.
func (c *Connector) shopCurrency(ctx context.Context, api *goshopify.Client) (string, error) {
	if c.cfg.Currency != "" {
		return c.cfg.Currency, nil
	}
	if err := c.shop.lock.acquire(ctx); err != nil {
		return "", err
	}
	defer c.shop.lock.release()
	if c.shop.currency != "" {
		return c.shop.currency, nil
	}
	shop, err := api.Shop.Get(ctx, struct {
		Fields string `url:"fields"`
	}{"currency"})
	if err != nil {
		return "", c.classify(err, "read the shop's currency")
	}
	cur := ""
	if shop != nil {
		cur = strings.ToUpper(strings.TrimSpace(shop.Currency))
	}
	if !money.KnownCurrency(cur) {
		return "", fault.Permanentf("shopify: %s: shop currency %q is not an ISO 4217 code; set currency in the config", c.cfg.ShopDomain, cur)
	}
	c.shop.currency = cur
	return cur, nil
}
