package woocommerce

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// batchUpdate is a products or variations batch body: at most 100 objects
// a call (WC REST API, "Batch update products").
type batchUpdate struct {
	Update []map[string]any `json:"update"`
}

type batchAnswer struct {
	Update []struct {
		ID    jsonNum `json:"id"`
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	} `json:"update"`
}

// PushInventory sets stock_quantity (with manage_stock on) of each SKU,
// through the products and variations batch endpoints.
func (c *Connector) PushInventory(ctx context.Context, updates []connector.InventoryUpdate) error {
	fields := make(map[string]map[string]any, len(updates))
	order := make([]string, 0, len(updates))
	for _, u := range updates {
		if u.Available < 0 {
			u.Available = 0
		}
		if _, dup := fields[u.SKU]; !dup {
			order = append(order, u.SKU)
		}
		fields[u.SKU] = map[string]any{"manage_stock": true, "stock_quantity": u.Available}
	}
	return c.batch(ctx, "inventory", order, fields)
}

// batch groups the SKUs by parent (simple products; each variable
// product's variations) and sends them 100 a call. SKUs the store does not
// have, and objects the store refuses, are a *fault.PartialError.
func (c *Connector) batch(ctx context.Context, what string, skus []string, fields map[string]map[string]any) error {
	if len(skus) == 0 {
		return nil
	}
	idx, err := c.index(ctx)
	if err != nil {
		return err
	}
	groups := map[string][]map[string]any{} // "" = products/batch
	bySKU := map[string]string{}            // object id → sku
	var parents []string
	rejected := map[string]string{}
	for _, sku := range skus {
		it, ok := idx[sku]
		if !ok {
			rejected[sku] = "not in the store's catalogue"
			continue
		}
		obj := map[string]any{}
		for k, v := range fields[sku] {
			obj[k] = v
		}
		id, parent := it.ProductID, ""
		if it.VariationID != "" {
			id, parent = it.VariationID, it.ProductID
		}
		n, _ := strconv.ParseUint(id, 10, 64)
		obj["id"] = n
		if _, seen := groups[parent]; !seen {
			parents = append(parents, parent)
		}
		groups[parent] = append(groups[parent], obj)
		bySKU[id] = sku
	}
	for _, parent := range parents {
		path := "/wc/v3/products/batch"
		if parent != "" {
			path = "/wc/v3/products/" + parent + "/variations/batch"
		}
		objs := groups[parent]
		for start := 0; start < len(objs); start += defaultBatchSize {
			chunk := objs[start:min(start+defaultBatchSize, len(objs))]
			var ans batchAnswer
			// Every object sets an absolute value: a retry of the whole
			// push after a failed chunk changes nothing already set.
			if _, err := c.call(ctx, "POST", path, nil, batchUpdate{Update: chunk}, &ans); err != nil {
				return fmt.Errorf("woocommerce: push %s: %w", what, err)
			}
			for _, a := range ans.Update {
				if a.Error != nil {
					rejected[bySKU[a.ID.String()]] = a.Error.Code + ": " + a.Error.Message
					if a.Error.Code == "woocommerce_rest_product_invalid_id" || a.Error.Code == "woocommerce_rest_invalid_product_id" {
						c.forget()
					}
				}
			}
		}
	}
	return partialResult(what, skus, rejected)
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
	err := &fault.PartialError{Err: fmt.Errorf("woocommerce: push %s: %s", what, strings.Join(reasons, "; ")), Accepted: accepted, Rejected: rejected}
	if len(accepted) == 0 {
		return fault.Permanent(err)
	}
	return err
}
