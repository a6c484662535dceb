// Package catalog holds the suppliers' offers in memory for routing: which
// supplier carries which merchant SKU, at what cost, with how much stock.
// It is loaded from each supplier's catalog CSV at start-up; feed imports
// lay their snapshots over it, and every replica follows the snapshots
// applied in the store (SyncFeed).
package catalog

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
)

// Catalog is a concurrency-safe index of offers by merchant SKU. Offers
// come from two layers: each supplier's catalog file (Replace), and, for
// a supplier with a feed, the feed's latest applied snapshot (SetFeed),
// which overrides the file for every supplier SKU it lists and zeroes the
// stock of those it does not.
type Catalog struct {
	mu         sync.RWMutex
	clock      clock.Clock
	bySKU      map[string][]routing.Offer
	bySupplier map[string]map[string]routing.Offer // supplier → supplier SKU → offer
	feeds      map[string]*feedLayer               // supplier → its applied feed snapshot
	feedOrder  []string                            // suppliers with a feed, sorted
	gen        uint64                              // counts Replace calls (see SetFeed)
}

var _ routing.Catalog = (*Catalog)(nil)

// Option configures New.
type Option func(*Catalog)

// WithClock sets the clock feed freshness is judged by (default: the
// wall clock).
func WithClock(c clock.Clock) Option {
	return func(cat *Catalog) {
		if c != nil {
			cat.clock = c
		}
	}
}

// New returns an empty catalog.
func New(opts ...Option) *Catalog {
	c := &Catalog{clock: clock.Real{}, bySKU: map[string][]routing.Offer{}, bySupplier: map[string]map[string]routing.Offer{},
		feeds: map[string]*feedLayer{}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Offers returns the offers for a merchant SKU (a copy). A stale feed's
// offers have no stock and are marked Stale.
func (c *Catalog) Offers(sku string) []routing.Offer {
	c.mu.RLock()
	defer c.mu.RUnlock()
	now := c.clock.Now()
	var out []routing.Offer
	for _, o := range c.bySKU[sku] {
		if l := c.feeds[o.Supplier]; l != nil {
			if _, listed := l.snap.Find(o.SupplierSKU); listed {
				continue // the feed's row says what this offer is now
			}
			o = l.missing(o, now)
		}
		out = append(out, o)
	}
	for _, supplier := range c.feedOrder {
		l := c.feeds[supplier]
		l.eachSKU(sku, func(i int) {
			if o, ok := l.offer(i, c.bySupplier[supplier], now); ok {
				out = append(out, o)
			}
		})
	}
	return out
}

// BySupplierSKU returns a supplier's offer for its own SKU.
func (c *Catalog) BySupplierSKU(supplier, supplierSKU string) (routing.Offer, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	base, inBase := c.bySupplier[supplier][supplierSKU]
	l := c.feeds[supplier]
	if l == nil {
		return base, inBase
	}
	if i, ok := l.snap.Find(supplierSKU); ok {
		return l.offer(i, c.bySupplier[supplier], c.clock.Now())
	}
	if inBase {
		return l.missing(base, c.clock.Now()), true
	}
	return routing.Offer{}, false
}

// Supplier returns all offers of one supplier. With a large feed prefer
// Each, which does not build the whole list.
func (c *Catalog) Supplier(supplier string) []routing.Offer {
	var out []routing.Offer
	c.Each(supplier, func(o routing.Offer) bool {
		out = append(out, o)
		return true
	})
	return out
}

// Each calls fn with every offer of one supplier until fn returns false:
// the feed's offers in supplier SKU order, then the file's offers the
// feed does not list.
func (c *Catalog) Each(supplier string, fn func(routing.Offer) bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	now := c.clock.Now()
	base := c.bySupplier[supplier]
	l := c.feeds[supplier]
	if l != nil {
		for i := range l.snap.Len() {
			if o, ok := l.offer(i, base, now); ok && !fn(o) {
				return
			}
		}
	}
	for _, ssku := range sortedKeys(base) {
		o := base[ssku]
		if l != nil {
			if _, listed := l.snap.Find(ssku); listed {
				continue
			}
			o = l.missing(o, now)
		}
		if !fn(o) {
			return
		}
	}
}

// Replace swaps in a supplier's whole offer list (its catalog file).
func (c *Catalog) Replace(supplier string, offers []routing.Offer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for sku, list := range c.bySKU {
		kept := list[:0:0]
		for _, o := range list {
			if o.Supplier != supplier {
				kept = append(kept, o)
			}
		}
		if len(kept) == 0 {
			delete(c.bySKU, sku)
		} else {
			c.bySKU[sku] = kept
		}
	}
	m := make(map[string]routing.Offer, len(offers))
	for _, o := range offers {
		o.Supplier = supplier
		m[o.SupplierSKU] = o
		c.bySKU[o.SKU] = append(c.bySKU[o.SKU], o)
	}
	c.bySupplier[supplier] = m
	c.gen++
	if l := c.feeds[supplier]; l != nil {
		l.index(m) // the file's SKU mapping feeds rows without one
	}
}

// SetStock updates one offer's stock (an 846 or INVRPT stock report); a
// feed's offer keeps it until the feed's next snapshot.
func (c *Catalog) SetStock(supplier, supplierSKU string, stock int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l := c.feeds[supplier]; l != nil {
		if _, ok := l.snap.Find(supplierSKU); ok {
			l.stock[supplierSKU] = stock
			return true
		}
	}
	o, ok := c.bySupplier[supplier][supplierSKU]
	if !ok {
		return false
	}
	o.Stock = stock
	c.bySupplier[supplier][supplierSKU] = o
	list := c.bySKU[o.SKU]
	for i := range list {
		if list[i].Supplier == supplier && list[i].SupplierSKU == supplierSKU {
			list[i].Stock = stock
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// LoadFile reads a supplier's catalog CSV.
func LoadFile(path, supplier, currency string) ([]routing.Offer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("catalog %s: %w", supplier, err)
	}
	defer f.Close()
	return Read(f, path, supplier, currency)
}

// Read parses catalog CSV: a header row naming the columns supplier_sku,
// sku, cost and stock (required), and pack_size, min_qty, gtin, title
// (optional), in any order. Errors name the file, line and column.
func Read(r io.Reader, name, supplier, currency string) ([]routing.Offer, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s:1: reading header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, req := range []string{"supplier_sku", "sku", "cost", "stock"} {
		if _, ok := col[req]; !ok {
			return nil, fmt.Errorf("%s:1: missing column %q (have: %s)", name, req, strings.Join(header, ", "))
		}
	}
	var offers []routing.Offer
	var problems []error
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		get := func(k string) string {
			if i, ok := col[k]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		o := routing.Offer{Supplier: supplier, SupplierSKU: get("supplier_sku"), SKU: get("sku"), GTIN: get("gtin"), Title: get("title")}
		fail := func(colName, msg string) {
			problems = append(problems, fmt.Errorf("%s:%d: column %s: %s", name, line, colName, msg))
		}
		if o.SupplierSKU == "" || o.SKU == "" {
			fail("sku", "supplier_sku and sku are required")
			continue
		}
		if o.Cost, err = money.Parse(get("cost"), currency); err != nil {
			fail("cost", err.Error())
			continue
		}
		ints := []struct {
			col string
			dst *int64
		}{{"stock", &o.Stock}, {"pack_size", &o.PackSize}, {"min_qty", &o.MinQty}}
		ok := true
		for _, f := range ints {
			v := get(f.col)
			if v == "" {
				continue
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				fail(f.col, fmt.Sprintf("%q is not a non-negative integer", v))
				ok = false
				break
			}
			*f.dst = n
		}
		if ok {
			offers = append(offers, o)
		}
	}
	return offers, errors.Join(problems...)
}
