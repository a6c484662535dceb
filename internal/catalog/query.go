package catalog

import (
	"maps"
	"slices"
)

// SKUs returns every merchant SKU some supplier offers, sorted: the
// channel sync walks them to compute quantities and prices.
func (c *Catalog) SKUs() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.feedSKUsLocked(slices.Sorted(maps.Keys(c.bySKU)))
}
