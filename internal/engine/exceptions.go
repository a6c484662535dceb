package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// raise records an exception for an operator. Its id derives from what it
// is about, so raising the same problem twice (a retried job) keeps one.
func (e *Engine) raise(ctx context.Context, x model.Exception) error {
	if x.ID == "" {
		x.ID = "exc_" + ids.Derive(16, string(x.Kind), x.OrderID, x.PONumber, x.Supplier, x.Ref, x.Reason)
	}
	if x.Status == "" {
		x.Status = "open"
	}
	if x.CreatedAt.IsZero() {
		x.CreatedAt = e.now()
	}
	data, err := json.Marshal(x)
	if err != nil {
		return err
	}
	_, err = e.Store.PutRecord(ctx, store.Record{
		Kind: RecException, ID: x.ID, Data: data, Created: x.CreatedAt,
		Index: map[string]string{"status": x.Status, "kind": string(x.Kind), "order": x.OrderID, "supplier": x.Supplier, "ref": x.Ref},
	})
	if errors.Is(err, store.ErrConflict) {
		return nil // already raised
	}
	if err != nil {
		return fmt.Errorf("raise %s exception: %w", x.Kind, err)
	}
	e.Log.Warn("exception raised", "kind", x.Kind, "order", x.OrderID, "po", x.PONumber, "reason", x.Reason)
	return nil
}
