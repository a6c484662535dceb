package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// raise records an exception for an operator. Its id derives from what it
// is about, so raising the same problem twice (a retried job) keeps one
// open exception, and a problem that comes back after it was resolved (a
// replayed job dying again) reopens it rather than going unseen.
func (e *Engine) raise(ctx context.Context, x model.Exception) error {
	if x.ID == "" {
		x.ID = "exc_" + ids.Derive(16, string(x.Kind), x.OrderID, x.PONumber, x.Supplier, x.Ref, x.Reason)
	}
	x.Status = "open"
	if x.CreatedAt.IsZero() {
		x.CreatedAt = e.now()
	}
	err := e.putException(ctx, &x, 0)
	if errors.Is(err, store.ErrConflict) {
		return e.reopen(ctx, x.ID)
	}
	if err != nil {
		return fmt.Errorf("raise %s exception: %w", x.Kind, err)
	}
	e.Log.Warn("exception raised", "kind", x.Kind, "order", x.OrderID, "po", x.PONumber, "reason", x.Reason)
	return nil
}

// reopen opens a resolved exception again; an open one stays as it is.
func (e *Engine) reopen(ctx context.Context, id string) error {
	for try := 0; try < maxUpdateTries; try++ {
		x, v, err := e.Exception(ctx, id)
		if err != nil {
			return err
		}
		if x.Status == "open" {
			return nil // already raised
		}
		x.Status, x.ResolvedAt, x.Resolution = "open", nil, ""
		err = e.putException(ctx, x, v)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err == nil {
			e.Log.Warn("exception reopened", "kind", x.Kind, "order", x.OrderID, "po", x.PONumber, "reason", x.Reason)
		}
		return err
	}
	return store.ErrConflict
}

// putException writes an exception at the expected version (0: create),
// with the index fields the exceptions list filters on.
func (e *Engine) putException(ctx context.Context, x *model.Exception, version int64) error {
	data, err := json.Marshal(x)
	if err != nil {
		return err
	}
	_, err = e.Store.PutRecord(ctx, store.Record{
		Kind: RecException, ID: x.ID, Data: data, Version: version, Created: x.CreatedAt,
		Index: map[string]string{"status": x.Status, "kind": string(x.Kind), "order": x.OrderID, "supplier": x.Supplier, "ref": x.Ref},
	})
	return err
}

// settle closes an order's open exceptions whose cause is gone (the
// supplier acknowledged, the PO shipped, the order was cancelled).
func (e *Engine) settle(ctx context.Context, orderID string, st lifecycle.Settled) error {
	xs, _, err := e.ExceptionsWhere(ctx, map[string]string{"order": orderID, "status": "open"}, store.Query{Limit: 500})
	if err != nil {
		return fmt.Errorf("settle exceptions of %s: %w", orderID, err)
	}
	for _, x := range xs {
		if !slices.Contains(st.Kinds, x.Kind) || (st.PONumber != "" && x.PONumber != st.PONumber) {
			continue
		}
		_, v, err := e.Exception(ctx, x.ID)
		if err != nil {
			return err
		}
		if _, err := e.markResolved(ctx, &x, v, "settled", "dropgate", st.Why); err != nil && !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return nil
}

// ExceptionsWhere lists exceptions, newest first, whose index fields
// (status, kind, order, supplier, ref) equal every entry of where.
func (e *Engine) ExceptionsWhere(ctx context.Context, where map[string]string, q store.Query) ([]model.Exception, string, error) {
	recs, next, err := store.ListWhere(ctx, e.Store, RecException, where, []string{"ref", "order", "supplier", "kind", "status"}, q)
	if err != nil {
		return nil, "", err
	}
	out := make([]model.Exception, 0, len(recs))
	for _, r := range recs {
		var x model.Exception
		if json.Unmarshal(r.Data, &x) == nil {
			out = append(out, x)
		}
	}
	return out, next, nil
}
