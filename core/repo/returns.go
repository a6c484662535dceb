package repo

import (
	"context"
	"errors"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// KindReturn is the record kind of the returns list.
const KindReturn = "return"

// Returns is the list of customer returns: a copy of each return kept in
// its order (the order is the truth), indexed by status, supplier and
// order, so the returns list reads no order.
type Returns struct{ Repo[model.Return] }

// NewReturns returns the return list on recs.
func NewReturns(recs store.Records) *Returns {
	return &Returns{Repo[model.Return]{
		Records: recs, Kind: KindReturn,
		ID:      func(r *model.Return) string { return r.ID },
		Created: func(r *model.Return) time.Time { return r.Created },
		Index: func(r *model.Return) map[string]string {
			return map[string]string{"status": string(r.Status), "supplier": r.Supplier, "order": r.OrderID}
		},
	}}
}

// Save writes r's latest state; an older copy (an event published again
// after a newer one) does not overwrite a newer one.
func (x *Returns) Save(ctx context.Context, r *model.Return) error {
	_, err := x.Update(ctx, r.ID, func(old *model.Return) error {
		if old.Updated.After(r.Updated) || (old.Updated.Equal(r.Updated) && old.Status == r.Status && old.RMA == r.RMA && old.RequestDoc == r.RequestDoc) {
			return ErrNoChange
		}
		*old = *r
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		err = x.Create(ctx, r)
		if errors.Is(err, store.ErrConflict) {
			return x.Save(ctx, r) // created meanwhile
		}
	}
	return err
}

// Where lists returns matching every filter, newest first.
func (x *Returns) Where(ctx context.Context, where map[string]string, p Page) ([]model.Return, string, error) {
	return x.List(ctx, where, p, "order", "supplier", "status")
}
