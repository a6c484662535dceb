package etsy

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/money"
)

// eOffering is an offering of a listing product (GET …/inventory).
type eOffering struct {
	OfferingID json.Number `json:"offering_id"`
	Quantity   json.Number `json:"quantity"`
	IsEnabled  bool        `json:"is_enabled"`
	IsDeleted  bool        `json:"is_deleted"`
	Price      *eMoney     `json:"price"`
}

type eProduct struct {
	ProductID      json.Number     `json:"product_id"`
	SKU            string          `json:"sku"`
	IsDeleted      bool            `json:"is_deleted"`
	Offerings      []eOffering     `json:"offerings"`
	PropertyValues json.RawMessage `json:"property_values"`
}

type eInventory struct {
	Products           []eProduct      `json:"products"`
	PriceOnProperty    json.RawMessage `json:"price_on_property"`
	QuantityOnProperty json.RawMessage `json:"quantity_on_property"`
	SKUOnProperty      json.RawMessage `json:"sku_on_property"`
}

// The PUT body: the whole products[] with offerings priced as decimal
// numbers (written exactly from their strings).
type putOffering struct {
	Price     json.Number `json:"price"`
	Quantity  int64       `json:"quantity"`
	IsEnabled bool        `json:"is_enabled"`
}

type putProduct struct {
	SKU            string          `json:"sku"`
	PropertyValues json.RawMessage `json:"property_values"`
	Offerings      []putOffering   `json:"offerings"`
}

type putInventory struct {
	Products           []putProduct    `json:"products"`
	PriceOnProperty    json.RawMessage `json:"price_on_property,omitempty"`
	QuantityOnProperty json.RawMessage `json:"quantity_on_property,omitempty"`
	SKUOnProperty      json.RawMessage `json:"sku_on_property,omitempty"`
}

// change is what one SKU's offering gets.
type change struct {
	qty   *int64
	price *money.Money
}

// PushInventory sets each SKU's quantity.
func (c *Connector) PushInventory(ctx context.Context, updates []connector.InventoryUpdate) error {
	ch := map[string]change{}
	var order []string
	for _, u := range updates {
		if u.SKU == "" {
			return fault.Permanentf("etsy: set inventory: an update has no SKU")
		}
		q := max(u.Available, 0)
		if _, ok := ch[u.SKU]; !ok {
			order = append(order, u.SKU)
		}
		ch[u.SKU] = change{qty: &q}
	}
	return c.apply(ctx, "set inventory", order, ch)
}

// PushPrices sets each SKU's price, in the listing's currency.
func (c *Connector) PushPrices(ctx context.Context, updates []connector.PriceUpdate) error {
	ch := map[string]change{}
	var order []string
	for _, u := range updates {
		if u.SKU == "" {
			return fault.Permanentf("etsy: set prices: an update has no SKU")
		}
		if u.Price.Amount <= 0 {
			return fault.Permanentf("etsy: sku %s: price %s; Etsy needs a positive price", u.SKU, u.Price)
		}
		p := u.Price
		if _, ok := ch[u.SKU]; !ok {
			order = append(order, u.SKU)
		}
		ch[u.SKU] = change{price: &p}
	}
	return c.apply(ctx, "set prices", order, ch)
}

// apply is a read-modify-write of each listing's whole inventory:
// GET /v3/application/listings/{listing_id}/inventory, change only the
// offering of each SKU, PUT the whole products[] back. Etsy's PUT
// replaces every variation, so a product left out would be deleted;
// every product is sent back with its property values. Absolute values:
// a replay writes the same inventory.
func (c *Connector) apply(ctx context.Context, op string, skus []string, ch map[string]change) error {
	byListing := map[string][]string{}
	var listings []string
	for _, sku := range skus {
		lid, err := c.listingOf(ctx, sku)
		if err != nil {
			return err
		}
		if _, ok := byListing[lid]; !ok {
			listings = append(listings, lid)
		}
		byListing[lid] = append(byListing[lid], sku)
	}
	ctx, err := c.reserve(ctx, 2*len(listings))
	if err != nil {
		return err
	}
	for _, lid := range listings {
		path := "/v3/application/listings/" + url.PathEscape(lid) + "/inventory"
		var inv eInventory
		if err := c.do(ctx, "listing "+lid+": read inventory", "GET", path, nil, nil, &inv); err != nil {
			return err
		}
		body, seen, err := rewrite(lid, &inv, ch)
		if err != nil {
			return err
		}
		for _, sku := range byListing[lid] {
			if !seen[sku] {
				// The SKU moved listing: the next attempt looks again.
				c.skuMu.Lock()
				delete(c.skus, sku)
				c.scanned = time.Time{}
				c.skuMu.Unlock()
				return fault.Retryable(fmt.Errorf("etsy: sku %s is no longer a product of listing %s", sku, lid))
			}
		}
		if err := c.do(ctx, "listing "+lid+": "+op, "PUT", path, nil, body, nil); err != nil {
			return err
		}
	}
	return nil
}

// rewrite builds the PUT body: every live product as it is, the SKUs'
// offerings changed.
func rewrite(lid string, inv *eInventory, ch map[string]change) (*putInventory, map[string]bool, error) {
	out := &putInventory{PriceOnProperty: inv.PriceOnProperty, QuantityOnProperty: inv.QuantityOnProperty, SKUOnProperty: inv.SKUOnProperty}
	seen := map[string]bool{}
	for pi, p := range inv.Products {
		if p.IsDeleted {
			continue
		}
		pp := putProduct{SKU: p.SKU, PropertyValues: p.PropertyValues}
		if len(pp.PropertyValues) == 0 {
			pp.PropertyValues = json.RawMessage("[]")
		}
		want, hit := ch[p.SKU]
		if hit {
			seen[p.SKU] = true
		}
		for oi, o := range p.Offerings {
			if o.IsDeleted {
				continue
			}
			at := fmt.Sprintf("listing %s: $.products[%d].offerings[%d]", lid, pi, oi)
			if o.Price == nil {
				return nil, nil, fault.Permanentf("etsy: %s.price is missing", at)
			}
			exp, ok := money.Exponent(o.Price.CurrencyCode)
			if !ok {
				return nil, nil, fault.Permanentf("etsy: %s.price: %q is not a currency", at, o.Price.CurrencyCode)
			}
			minor, err := Minor(o.Price.Amount.String(), o.Price.Divisor.String(), exp)
			if err != nil {
				return nil, nil, fault.Permanent(fmt.Errorf("etsy: %s.price: %w", at, err))
			}
			price := money.Money{Amount: minor, Currency: o.Price.CurrencyCode}
			qty, err := strconv.ParseInt(o.Quantity.String(), 10, 64)
			if err != nil {
				return nil, nil, fault.Permanentf("etsy: %s.quantity: %q is not a whole number", at, o.Quantity.String())
			}
			if hit && want.qty != nil {
				qty = *want.qty
			}
			if hit && want.price != nil {
				if want.price.Currency != price.Currency {
					return nil, nil, fault.Permanentf("etsy: sku %s: price in %s; listing %s sells in %s", p.SKU, want.price.Currency, lid, price.Currency)
				}
				price = *want.price
			}
			pp.Offerings = append(pp.Offerings, putOffering{Price: json.Number(price.Decimal().String()), Quantity: qty, IsEnabled: o.IsEnabled})
		}
		out.Products = append(out.Products, pp)
	}
	return out, seen, nil
}

// rescanAfter is how long a scan of the shop's listings answers for the
// SKUs it did not find.
const rescanAfter = 10 * time.Minute

type eListing struct {
	ListingID json.Number `json:"listing_id"`
	SKUs      []string    `json:"skus"`
}

// listingOf finds the listing selling a SKU: from the cache, else by
// reading the shop's listings (GET /v3/application/shops/{shop_id}/listings,
// each with its skus) and caching every SKU seen.
func (c *Connector) listingOf(ctx context.Context, sku string) (string, error) {
	c.skuMu.Lock()
	lid, ok := c.skus[sku]
	recent := !c.scanned.IsZero() && c.now().Sub(c.scanned) < rescanAfter
	c.skuMu.Unlock()
	if ok {
		return lid, nil
	}
	if recent {
		// Each scan reads every listing of the shop against a quota of
		// 10,000 calls a day: SKUs Etsy does not sell do not rescan.
		return "", fault.Permanentf("etsy: sku %s is on no listing of shop %s (listings read %s ago)", sku, c.cfg.ShopID, c.now().Sub(c.scanned).Round(time.Second))
	}
	path := "/v3/application/shops/" + url.PathEscape(c.cfg.ShopID) + "/listings"
	found := map[string]string{}
	for offset := 0; ; {
		q := url.Values{"limit": {strconv.Itoa(PageSize)}, "offset": {strconv.Itoa(offset)}}
		var res struct {
			Count   json.Number `json:"count"`
			Results []eListing  `json:"results"`
		}
		if err := c.do(ctx, "list listings", "GET", path, q, nil, &res); err != nil {
			return "", err
		}
		for _, l := range res.Results {
			for _, s := range l.SKUs {
				found[s] = l.ListingID.String()
			}
		}
		offset += len(res.Results)
		total, _ := strconv.Atoi(res.Count.String())
		if len(res.Results) == 0 || offset >= total || offset > 100000 {
			break
		}
	}
	c.skuMu.Lock()
	if c.skus == nil {
		c.skus = map[string]string{}
	}
	for s, l := range found {
		c.skus[s] = l
	}
	c.scanned = c.now()
	c.skuMu.Unlock()
	if lid, ok := found[sku]; ok {
		return lid, nil
	}
	return "", fault.Permanentf("etsy: sku %s is on no listing of shop %s", sku, c.cfg.ShopID)
}
