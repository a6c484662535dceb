package catalog

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Describe says, for a person, where the catalog's offers come from, per
// supplier: its catalog file and its applied feed snapshot with the
// snapshot's age ("acme: catalog file; bulk: feed snapshot fs_… (4
// offers, as of 2026-11-21 09:00 UTC)"). `dropgate route --explain`
// prints it, so what routing saw is never a guess.
func (c *Catalog) Describe() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	sups := slices.Compact(slices.Sorted(slices.Values(append(sortedKeys(c.bySupplier), c.feedOrder...))))
	if len(sups) == 0 {
		return "no offers loaded"
	}
	now := c.clock.Now()
	parts := make([]string, 0, len(sups))
	for _, s := range sups {
		var from []string
		if _, ok := c.bySupplier[s]; ok {
			from = append(from, "catalog file")
		}
		if l := c.feeds[s]; l != nil {
			info := l.info
			f := fmt.Sprintf("feed snapshot %s (%d offers, as of %s", info.SnapshotID, info.Offers, info.AsOf.UTC().Format("2006-01-02 15:04 MST"))
			if info.Stale(now) {
				f += fmt.Sprintf(", stale: older than %s, so no stock", info.Freshness.Round(time.Second))
			}
			from = append(from, f+")")
		}
		parts = append(parts, s+": "+strings.Join(from, " + "))
	}
	return strings.Join(parts, "; ")
}
