package woocommerce

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// item is where a SKU lives: a product, or a variation of one.
type item struct {
	ProductID   string
	VariationID string // "" for a simple product
}

// catalogCache is the SKU → item index, read by listing every product
// (and the variations of the variable ones), reused for sku_cache_ttl.
type catalogCache struct {
	mu    sync.Mutex
	bySKU map[string]item
	at    time.Time
}

func newCatalogCache() catalogCache { return catalogCache{} }

type wcProduct struct {
	ID   jsonNum `json:"id"`
	SKU  string  `json:"sku"`
	Type string  `json:"type"`
}

// index returns the SKU index, listing the catalogue when it is stale.
func (c *Connector) index(ctx context.Context) (map[string]item, error) {
	c.catalog.mu.Lock()
	defer c.catalog.mu.Unlock()
	if c.catalog.bySKU != nil && c.now().Sub(c.catalog.at) < c.cfg.SKUCacheTTL {
		return c.catalog.bySKU, nil
	}
	idx := map[string]item{}
	var variable []string
	err := c.listAll(ctx, "/wc/v3/products", func(ps []wcProduct) {
		for _, p := range ps {
			if p.SKU != "" {
				idx[p.SKU] = item{ProductID: p.ID.String()}
			}
			if p.Type == "variable" {
				variable = append(variable, p.ID.String())
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("woocommerce: list products: %w", err)
	}
	for _, pid := range variable {
		err := c.listAll(ctx, "/wc/v3/products/"+pid+"/variations", func(vs []wcProduct) {
			for _, v := range vs {
				if v.SKU != "" {
					idx[v.SKU] = item{ProductID: pid, VariationID: v.ID.String()}
				}
			}
		})
		if err != nil {
			return nil, fmt.Errorf("woocommerce: list variations of product %s: %w", pid, err)
		}
	}
	c.catalog.bySKU, c.catalog.at = idx, c.now()
	return idx, nil
}

// forget drops the index, after a batch names an id that is gone.
func (c *Connector) forget() {
	c.catalog.mu.Lock()
	c.catalog.bySKU = nil
	c.catalog.mu.Unlock()
}

// listAll reads every page of a collection, 100 a page, following
// X-WP-TotalPages.
func (c *Connector) listAll(ctx context.Context, path string, each func([]wcProduct)) error {
	for page := 1; ; page++ {
		var ps []wcProduct
		q := url.Values{"per_page": {"100"}, "page": {strconv.Itoa(page)}}
		h, err := c.call(ctx, "GET", path, q, nil, &ps)
		if err != nil {
			return err
		}
		each(ps)
		total, _ := strconv.Atoi(h.Get("X-WP-TotalPages"))
		if page >= total || len(ps) == 0 {
			return nil
		}
	}
}
