package bigcommerce

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// variantBatch is the most variants one PUT /v3/catalog/variants takes
// (BigCommerce answers 413 over 50), and the most SKUs one lookup names.
const variantBatch = 50

// variant is where a SKU lives in the catalogue: every sellable SKU in
// BigCommerce is a variant (a simple product has its base variant).
type variant struct {
	ID        int64
	ProductID int64
}

type bcVariant struct {
	ID        json.Number `json:"id"`
	ProductID json.Number `json:"product_id"`
	SKU       string      `json:"sku"`
}

type variantsPage struct {
	Data []bcVariant `json:"data"`
	Meta struct {
		Pagination struct {
			TotalPages int `json:"total_pages"`
		} `json:"pagination"`
	} `json:"meta"`
}

// catalogCache remembers SKU → variant for sku_cache_ttl, so a stock
// push every few minutes does not look every SKU up again.
type catalogCache struct {
	mu   sync.Mutex
	bySK map[string]cached
}

type cached struct {
	v  variant
	at time.Time
}

func newCatalogCache() catalogCache { return catalogCache{bySK: map[string]cached{}} }

// variants resolves SKUs to variants (GET /v3/catalog/variants?sku:in=…,
// 50 a call); SKUs the store does not have are absent from the answer.
func (c *Connector) variants(ctx context.Context, skus []string) (map[string]variant, error) {
	out := make(map[string]variant, len(skus))
	var missing []string
	now := c.now()
	c.catalog.mu.Lock()
	for _, s := range skus {
		if e, ok := c.catalog.bySK[s]; ok && now.Sub(e.at) < c.cfg.SKUCacheTTL {
			out[s] = e.v
		} else {
			missing = append(missing, s)
		}
	}
	c.catalog.mu.Unlock()
	for start := 0; start < len(missing); start += variantBatch {
		chunk := missing[start:min(start+variantBatch, len(missing))]
		for page := 1; ; page++ {
			q := url.Values{"sku:in": {strings.Join(chunk, ",")}, "limit": {"250"}, "page": {strconv.Itoa(page)},
				"include_fields": {"id,product_id,sku"}}
			var p variantsPage
			if _, err := c.call(ctx, "GET", "/v3/catalog/variants", q, nil, &p); err != nil {
				return nil, fmt.Errorf("bigcommerce: look up SKUs: %w", err)
			}
			c.catalog.mu.Lock()
			for _, v := range p.Data {
				id, err1 := v.ID.Int64()
				pid, err2 := v.ProductID.Int64()
				if err1 != nil || err2 != nil || v.SKU == "" {
					continue
				}
				out[v.SKU] = variant{ID: id, ProductID: pid}
				c.catalog.bySK[v.SKU] = cached{v: out[v.SKU], at: now}
			}
			c.catalog.mu.Unlock()
			if page >= p.Meta.Pagination.TotalPages {
				break
			}
		}
	}
	return out, nil
}

// forget drops cached SKUs (a variant the store no longer has).
func (c *Connector) forget(skus ...string) {
	c.catalog.mu.Lock()
	defer c.catalog.mu.Unlock()
	for _, s := range skus {
		delete(c.catalog.bySK, s)
	}
}
