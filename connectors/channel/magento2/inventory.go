package magento2

import (
	"context"
	"fmt"
	"net/url"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// batch is the most items one call carries.
const batch = 100

type sourceItem struct {
	SKU        string `json:"sku"`
	SourceCode string `json:"source_code"`
	Quantity   int64  `json:"quantity"`
	Status     int    `json:"status"`
}

// PushInventory sets sellable quantities. With MSI (the default):
// POST /V1/inventory/source-items, 100 per call, on source_code; legacy:
// PUT /V1/products/{sku}/stockItems/1 per SKU. Both are absolute, so a
// replay sets the same value.
func (c *Connector) PushInventory(ctx context.Context, updates []connector.InventoryUpdate) error {
	if c.cfg.Inventory == InventoryLegacy {
		for _, u := range updates {
			body := map[string]any{"stockItem": map[string]any{"qty": max(u.Available, 0), "is_in_stock": u.Available > 0}}
			if err := c.do(ctx, "sku "+u.SKU+": set stock item", "PUT", "/V1/products/"+url.PathEscape(u.SKU)+"/stockItems/1", nil, body, nil); err != nil {
				return err
			}
		}
		return nil
	}
	for start := 0; start < len(updates); start += batch {
		chunk := updates[start:min(start+batch, len(updates))]
		items := make([]sourceItem, 0, len(chunk))
		for _, u := range chunk {
			if u.SKU == "" {
				return fault.Permanentf("magento2: set source items: an update has no SKU")
			}
			st := 0
			if u.Available > 0 {
				st = 1
			}
			items = append(items, sourceItem{SKU: u.SKU, SourceCode: c.cfg.SourceCode, Quantity: max(u.Available, 0), Status: st})
		}
		op := fmt.Sprintf("set source items %d-%d", start, start+len(chunk))
		if err := c.do(ctx, op, "POST", "/V1/inventory/source-items", nil, map[string]any{"sourceItems": items}, nil); err != nil {
			return err
		}
	}
	return nil
}
