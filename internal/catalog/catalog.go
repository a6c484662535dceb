// Package catalog holds the suppliers' offers in memory for routing: which
// supplier carries which merchant SKU, at what cost, with how much stock.
// It is loaded from each supplier's catalog CSV at start-up and updated by
// feed imports.
package catalog

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
)

// Catalog is a concurrency-safe index of offers by merchant SKU.
type Catalog struct {
	mu         sync.RWMutex
	bySKU      map[string][]routing.Offer
	bySupplier map[string]map[string]routing.Offer // supplier → supplier SKU → offer
}

var _ routing.Catalog = (*Catalog)(nil)

// New returns an empty catalog.
func New() *Catalog {
	return &Catalog{bySKU: map[string][]routing.Offer{}, bySupplier: map[string]map[string]routing.Offer{}}
}

// Offers returns the offers for a merchant SKU (a copy).
func (c *Catalog) Offers(sku string) []routing.Offer {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]routing.Offer(nil), c.bySKU[sku]...)
}

// BySupplierSKU returns a supplier's offer for its own SKU.
func (c *Catalog) BySupplierSKU(supplier, supplierSKU string) (routing.Offer, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	o, ok := c.bySupplier[supplier][supplierSKU]
	return o, ok
}

// Supplier returns all offers of one supplier.
func (c *Catalog) Supplier(supplier string) []routing.Offer {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]routing.Offer, 0, len(c.bySupplier[supplier]))
	for _, o := range c.bySupplier[supplier] {
		out = append(out, o)
	}
	return out
}

// Replace swaps in a supplier's whole offer list.
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
}

// SetStock updates one offer's stock (a feed or an 846).
func (c *Catalog) SetStock(supplier, supplierSKU string, stock int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
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
