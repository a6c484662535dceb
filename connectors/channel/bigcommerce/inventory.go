package bigcommerce

import (
	"context"
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// inventoryBatch is how many items one absolute adjustment carries.
const inventoryBatch = 100

type adjustment struct {
	Reason string           `json:"reason"`
	Items  []adjustmentItem `json:"items"`
}

type adjustmentItem struct {
	LocationID int64 `json:"location_id"`
	VariantID  int64 `json:"variant_id"`
	Quantity   int64 `json:"quantity"`
}

// PushInventory sets each SKU's stock at the configured location with v3
// absolute adjustments (PUT /v3/inventory/adjustments/absolute). Absolute
// values make a retried push harmless. SKUs the store does not have are a
// *fault.PartialError naming them.
func (c *Connector) PushInventory(ctx context.Context, updates []connector.InventoryUpdate) error {
	qty := map[string]int64{}
	var skus []string
	for _, u := range updates {
		if _, dup := qty[u.SKU]; !dup {
			skus = append(skus, u.SKU)
		}
		qty[u.SKU] = max(u.Available, 0)
	}
	if len(skus) == 0 {
		return nil
	}
	vs, err := c.variants(ctx, skus)
	if err != nil {
		return err
	}
	rejected := map[string]string{}
	var items []adjustmentItem
	for _, s := range skus {
		v, ok := vs[s]
		if !ok {
			rejected[s] = "not in the store's catalogue"
			continue
		}
		items = append(items, adjustmentItem{LocationID: c.cfg.LocationID, VariantID: v.ID, Quantity: qty[s]})
	}
	for start := 0; start < len(items); start += inventoryBatch {
		in := adjustment{Reason: "dropgate stock sync", Items: items[start:min(start+inventoryBatch, len(items))]}
		if _, err := c.call(ctx, "PUT", "/v3/inventory/adjustments/absolute", nil, in, nil); err != nil {
			return fmt.Errorf("bigcommerce: push inventory: %w", err)
		}
	}
	return partialResult("inventory", skus, rejected)
}

// partialResult is nil when nothing was refused, a fault.PartialError
// naming each refused SKU otherwise, permanent when nothing was accepted.
func partialResult(what string, skus []string, rejected map[string]string) error {
	if len(rejected) == 0 {
		return nil
	}
	var accepted, reasons []string
	for _, s := range skus {
		if r, ok := rejected[s]; ok {
			reasons = append(reasons, s+": "+r)
		} else {
			accepted = append(accepted, s)
		}
	}
	err := &fault.PartialError{Err: fmt.Errorf("bigcommerce: push %s: %s", what, strings.Join(reasons, "; ")), Accepted: accepted, Rejected: rejected}
	if len(accepted) == 0 {
		return fault.Permanent(err)
	}
	return err
}
