package repo

import (
	"context"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// KindPayable is the record kind of supplier payables.
const KindPayable = "payable"

// Payables is the repository of supplier payables: one record per
// invoice matched to a PO, indexed by supplier and status, so the
// payables list reads no order.
type Payables struct{ Repo[model.Payable] }

// NewPayables returns the payable repository on recs.
func NewPayables(recs store.Records) *Payables {
	return &Payables{Repo[model.Payable]{
		Records: recs, Kind: KindPayable,
		ID:      func(p *model.Payable) string { return p.ID },
		Created: func(p *model.Payable) time.Time { return p.Created },
		Index: func(p *model.Payable) map[string]string {
			return map[string]string{"supplier": p.Supplier, "status": string(p.Status), "order": p.OrderID}
		},
	}}
}

// Where lists payables matching every filter, newest first.
func (p *Payables) Where(ctx context.Context, where map[string]string, pg Page) ([]model.Payable, string, error) {
	return p.List(ctx, where, pg, "order", "supplier", "status")
}
