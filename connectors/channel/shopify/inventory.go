package shopify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	goshopify "github.com/bold-commerce/go-shopify/v4"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// Inventory is set per inventory item and location with
// POST inventory_levels/set.json
// (https://shopify.dev/docs/api/admin-rest/latest/resources/inventorylevel#post-inventory-levels-set).
// The REST API has no batch form of it, so a push costs one call per item
// that changes. To keep that low, and to make a push larger than the rate
// limit's burst converge when it is retried, the current levels are read
// first (GET inventory_levels.json takes 50 items per call) and only the
// items whose level differs are set. Setting is absolute, so an item set
// twice by a retried job ends the same.

// maxLevelIDs is the documented cap on inventory_item_ids per
// inventory_levels request.
const maxLevelIDs = 50

// productPage is the REST list maximum (limit=250).
// https://shopify.dev/docs/api/admin-rest/usage/pagination
const productPage = 250

// PushInventory sets the available quantity of each SKU at the configured
// location (location_id, else the shop's first active location). A SKU the
// shop does not have, or one Shopify refuses, is reported in a
// fault.PartialError while the others are set; when none is set, the
// error is permanent. A SKU shared by several variants sets them all.
func (c *Connector) PushInventory(ctx context.Context, updates []connector.InventoryUpdate) error {
	ups := lastPerSKU(updates, func(u connector.InventoryUpdate) string { return u.SKU })
	if len(ups) == 0 {
		return nil
	}
	api, err := c.api()
	if err != nil {
		return err
	}
	index, err := c.skuIndex(ctx, api)
	if err != nil {
		return err
	}
	loc, err := c.inventoryLocation(ctx, api)
	if err != nil {
		return err
	}
	type target struct {
		sku       string
		item      uint64
		available int
	}
	rejected := map[string]string{}
	var targets []target
	var items []uint64
	for _, u := range ups {
		sku := strings.TrimSpace(u.SKU)
		refs := index[sku]
		switch {
		case len(refs) == 0:
			rejected[sku] = "no variant with this SKU in the shop"
			continue
		case u.Available > math.MaxInt32 || u.Available < math.MinInt32:
			rejected[sku] = fmt.Sprintf("quantity %d is out of Shopify's range", u.Available)
			continue
		}
		for _, r := range refs {
			targets = append(targets, target{sku, r.inventoryItemID, int(u.Available)})
			items = append(items, r.inventoryItemID)
		}
	}
	current, err := c.levels(ctx, api, loc, items)
	if err != nil {
		return err
	}
	var todo []target
	for _, t := range targets {
		if have, ok := current[t.item]; !ok || have != t.available {
			todo = append(todo, t)
		}
	}
	for i, t := range todo {
		_, err := api.InventoryLevel.Set(ctx, goshopify.InventoryLevel{InventoryItemId: t.item, LocationId: loc, Available: t.available})
		if err == nil {
			continue
		}
		err = c.classify(err, "set inventory of %s (inventory item %d, location %d)", t.sku, t.item, loc)
		if !fault.IsPermanent(err) {
			// Throttled or retryable: the job runs again and sets only what
			// still differs. The retry re-reads the levels first, so it must
			// not resume with budget for one call only: that call would go
			// to the read and the set would be throttled again, forever.
			// Wait for enough budget to finish the batch (reads included).
			return c.resumeWithBudget(err, len(todo)-i+len(items)/maxLevelIDs+1)
		}
		rejected[t.sku] = err.Error()
	}
	return partialResult("push inventory", skusOf(ups, func(u connector.InventoryUpdate) string { return u.SKU }), rejected)
}

// levelsQuery is GET inventory_levels.json's query.
type levelsQuery struct {
	InventoryItemIDs []uint64 `url:"inventory_item_ids,comma"`
	LocationIDs      []uint64 `url:"location_ids,comma"`
	Limit            int      `url:"limit,omitempty"`
}

// levels reads the available quantity of items at loc; an item not
// stocked there is absent.
func (c *Connector) levels(ctx context.Context, api *goshopify.Client, loc uint64, items []uint64) (map[uint64]int, error) {
	slices.Sort(items)
	items = slices.Compact(items)
	out := make(map[uint64]int, len(items))
	for chunk := range slices.Chunk(items, maxLevelIDs) {
		got, err := api.InventoryLevel.List(ctx, levelsQuery{InventoryItemIDs: chunk, LocationIDs: []uint64{loc}, Limit: productPage})
		if err != nil {
			return nil, c.classify(err, "read inventory levels at location %d", loc)
		}
		for _, l := range got {
			if l.LocationId == loc {
				out[l.InventoryItemId] = l.Available
			}
		}
	}
	return out, nil
}

// shopCache keeps facts about the shop that change rarely: the inventory
// location and the currency, read once per connector instance.
type shopCache struct {
	lock     lock // serialises the reads
	location uint64
	currency string
}

func newShopCache() shopCache { return shopCache{lock: newLock()} }

// inventoryLocation is location_id, or the shop's first active location
// that is not a fulfillment service's (legacy) one
// (https://shopify.dev/docs/api/admin-rest/latest/resources/location).
func (c *Connector) inventoryLocation(ctx context.Context, api *goshopify.Client) (uint64, error) {
	if c.cfg.LocationID != "" {
		return parseID("location_id", c.cfg.LocationID)
	}
	if err := c.shop.lock.acquire(ctx); err != nil {
		return 0, err
	}
	defer c.shop.lock.release()
	if c.shop.location != 0 {
		return c.shop.location, nil
	}
	locs, err := api.Location.List(ctx, nil)
	if err != nil {
		return 0, c.classify(err, "list locations")
	}
	for _, l := range locs {
		if l.Active && !l.Legacy {
			c.shop.location = l.Id
			return l.Id, nil
		}
	}
	return 0, fault.Permanentf("shopify: %s has no active location to stock; set location_id", c.cfg.ShopDomain)
}

// variantRef is what the connector needs of a variant; price and
// compareAt are the last values seen on Shopify (decimal strings, "" for
// none), guarded by catalogCache.mu.
type variantRef struct {
	id              uint64
	inventoryItemID uint64
	price           string
	compareAt       string
}

// catalogCache is the shop's SKU → variants index. Building it lists every
// product, so it is kept for sku_cache_ttl; a SKU added to the shop since
// is seen after that. A build interrupted by the rate limit keeps the
// pages it has and resumes from the next page cursor on the next call, so
// a catalog larger than one burst of calls still gets indexed.
type catalogCache struct {
	build lock // serialises builds; guards partial and next

	mu      sync.Mutex // guards skus, builtAt and the refs' prices
	skus    map[string][]*variantRef
	builtAt time.Time

	partial map[string][]*variantRef
	next    *goshopify.ListOptions
}

func newCatalogCache() catalogCache { return catalogCache{build: newLock()} }

// skuIndex returns the SKU index, listing the products when it is missing
// or stale. The map is not modified after it is returned.
func (c *Connector) skuIndex(ctx context.Context, api *goshopify.Client) (map[string][]*variantRef, error) {
	cc := &c.catalog
	if idx := c.freshIndex(); idx != nil {
		return idx, nil
	}
	if err := cc.build.acquire(ctx); err != nil {
		return nil, err
	}
	defer cc.build.release()
	if idx := c.freshIndex(); idx != nil {
		return idx, nil // built while we waited
	}
	resumed := cc.next != nil
	if !resumed {
		cc.partial = map[string][]*variantRef{}
		cc.next = &goshopify.ListOptions{Limit: productPage}
	}
	for cc.next != nil {
		opts := *cc.next
		// Only the variants matter; fields is one of the parameters allowed
		// next to page_info.
		opts.Fields = "id,variants"
		products, page, err := api.Product.ListWithPagination(ctx, &opts)
		if err != nil {
			err = c.classify(err, "list products for the SKU index")
			if resumed && fault.IsPermanent(err) {
				// The page cursor expired: start over.
				resumed = false
				cc.partial = map[string][]*variantRef{}
				cc.next = &goshopify.ListOptions{Limit: productPage}
				continue
			}
			return nil, err
		}
		for _, p := range products {
			for _, v := range p.Variants {
				sku := strings.TrimSpace(v.Sku)
				if sku == "" || v.Id == 0 {
					continue
				}
				cc.partial[sku] = append(cc.partial[sku], &variantRef{
					id: v.Id, inventoryItemID: v.InventoryItemId,
					price: decimalString(v.Price), compareAt: decimalString(v.CompareAtPrice),
				})
			}
		}
		cc.next = nil
		if page != nil && page.NextPageOptions != nil {
			cc.next = page.NextPageOptions
		}
	}
	idx := cc.partial
	cc.partial = nil
	cc.mu.Lock()
	cc.skus, cc.builtAt = idx, c.now()
	cc.mu.Unlock()
	return idx, nil
}

func (c *Connector) freshIndex() map[string][]*variantRef {
	cc := &c.catalog
	cc.mu.Lock()
	defer cc.mu.Unlock()
	ttl := cmp.Or(c.cfg.SKUCacheTTL, DefaultSKUCacheTTL)
	if cc.skus == nil || c.now().Sub(cc.builtAt) >= ttl {
		return nil
	}
	return cc.skus
}

// lastPerSKU keeps the last update of each SKU (trimmed), in the order of
// their first appearance, dropping empty SKUs.
func lastPerSKU[T any](in []T, sku func(T) string) []T {
	pos := map[string]int{}
	var out []T
	for _, u := range in {
		k := strings.TrimSpace(sku(u))
		if k == "" {
			continue
		}
		if i, ok := pos[k]; ok {
			out[i] = u
			continue
		}
		pos[k] = len(out)
		out = append(out, u)
	}
	return out
}

func skusOf[T any](in []T, sku func(T) string) []string {
	out := make([]string, len(in))
	for i, u := range in {
		out[i] = strings.TrimSpace(sku(u))
	}
	return out
}

// partialResult turns per-SKU rejections into the core's vocabulary: nil
// when none, a fault.PartialError naming each rejected SKU and why, and a
// permanent error when nothing was accepted.
func partialResult(op string, skus []string, rejected map[string]string) error {
	if len(rejected) == 0 {
		return nil
	}
	var accepted []string
	for _, s := range skus {
		if _, bad := rejected[s]; !bad {
			accepted = append(accepted, s)
		}
	}
	names := make([]string, 0, len(rejected))
	for s := range rejected {
		names = append(names, s)
	}
	slices.Sort(names)
	reasons := make([]string, len(names))
	for i, s := range names {
		reasons[i] = s + ": " + rejected[s]
	}
	err := &fault.PartialError{
		Err:      fmt.Errorf("shopify: %s: %s", op, strings.Join(reasons, "; ")),
		Accepted: accepted,
		Rejected: rejected,
	}
	if len(accepted) == 0 {
		return fault.Permanent(err)
	}
	return err
}

// resumeWithBudget pushes a throttled job's next attempt back until the
// limiter will have refilled calls tokens, so a batch that re-reads state
// on each attempt can finish instead of spending each refill on the read.
func (c *Connector) resumeWithBudget(err error, calls int) error {
	var th *fault.ThrottledError
	if !errors.As(err, &th) || calls <= 1 || c.env.RateLimit.Rate <= 0 {
		return err
	}
	// Never ask for more than a full bucket: a batch larger than the
	// burst finishes over several rounds.
	if b := c.env.RateLimit.Burst; b > 0 && calls > b {
		calls = b
	}
	wait := time.Duration(float64(calls-1) / c.env.RateLimit.Rate * float64(time.Second))
	return fault.Throttled(th.Key, th.NotBefore.Add(wait))
}
