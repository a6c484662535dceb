package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// Record kinds of the aggregates.
const (
	KindOrder       = "order"
	KindPOIndex     = "po" // PO number → order
	KindException   = "exception"
	KindInterchange = "interchange"
)

// outboxKeep is how long published events stay in an order's outbox for a
// retried job to publish again.
const outboxKeep = 24 * time.Hour

// Orders is the repository of order aggregates (an order with its POs,
// shipments, invoices, payments and timeline), and of the index that finds
// an order by one of its PO numbers.
type Orders struct {
	Repo[model.Aggregate]
	clock clock.Clock
}

// NewOrders returns the order repository on recs.
func NewOrders(recs store.Records, clk clock.Clock) *Orders {
	o := &Orders{clock: clk}
	o.Repo = Repo[model.Aggregate]{
		Records: recs, Kind: KindOrder,
		ID:      func(a *model.Aggregate) string { return a.Order.ID },
		Created: func(a *model.Aggregate) time.Time { return a.Created },
		Index:   orderIndex,
		BeforeSave: func(a *model.Aggregate) {
			now := o.clock.Now().UTC()
			a.Recompute()
			a.Updated = now
			a.Outbox = pruneOutbox(a.Outbox, now)
		},
	}
	return o
}

// orderIndex is what the order list filters on.
func orderIndex(a *model.Aggregate) map[string]string {
	idx := map[string]string{"status": string(a.Order.Status), "channel": a.Order.Channel}
	for _, s := range a.Suppliers() {
		idx["supplier."+s] = "1"
	}
	return idx
}

func pruneOutbox(evs []model.Event, now time.Time) []model.Event {
	kept := evs[:0]
	for _, ev := range evs {
		if now.Sub(ev.At) < outboxKeep {
			kept = append(kept, ev)
		}
	}
	return kept
}

// poIndex maps a PO number to its order, so a supplier document quoting
// only the PO number finds the order.
type poIndex struct {
	OrderID  string `json:"order_id"`
	Supplier string `json:"supplier"`
}

// IndexPO records which order a PO number belongs to; indexing it again
// is a no-op. The record is listed by supplier only (POsOf). It is not
// indexed by order: nothing lists a PO by its order (the order's
// aggregate holds its POs), and an entry keyed by the order's hashed id
// was a page of its own in every commit on the embedded store and a
// sorted set per order on Redis. Entries written before stay, harmless.
func (o *Orders) IndexPO(ctx context.Context, po *model.PurchaseOrder) error {
	data, _ := json.Marshal(poIndex{OrderID: po.OrderID, Supplier: po.Supplier})
	_, err := o.Records.PutRecord(ctx, store.Record{
		Kind: KindPOIndex, ID: po.Number, Data: data, Created: po.Created,
		Index: map[string]string{"supplier": po.Supplier},
	})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("index PO %s: %w", po.Number, err)
	}
	return nil
}

// OrderOfPO returns the id of the order a PO number belongs to.
func (o *Orders) OrderOfPO(ctx context.Context, number string) (string, error) {
	rec, err := o.Records.GetRecord(ctx, KindPOIndex, number)
	if err != nil {
		return "", err
	}
	var ix poIndex
	if err := json.Unmarshal(rec.Data, &ix); err != nil {
		return "", fmt.Errorf("PO index %s: %w", number, err)
	}
	return ix.OrderID, nil
}

// POsOf calls fn with every PO number indexed for supplier, page by page.
func (o *Orders) POsOf(ctx context.Context, supplier string, fn func(number, orderID string) error) error {
	q := store.Query{Field: "supplier", Value: supplier, Limit: 500}
	for {
		recs, next, err := o.Records.ListRecords(ctx, KindPOIndex, q)
		if err != nil {
			return err
		}
		for _, r := range recs {
			var ix poIndex
			if json.Unmarshal(r.Data, &ix) != nil {
				continue
			}
			if err := fn(r.ID, ix.OrderID); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		q.Cursor = next
	}
}

// Exceptions is the repository of the operator's exceptions.
type Exceptions struct{ Repo[model.Exception] }

// NewExceptions returns the exception repository on recs.
func NewExceptions(recs store.Records) *Exceptions {
	return &Exceptions{Repo[model.Exception]{
		Records: recs, Kind: KindException,
		ID:      func(x *model.Exception) string { return x.ID },
		Created: func(x *model.Exception) time.Time { return x.CreatedAt },
		Index: func(x *model.Exception) map[string]string {
			return map[string]string{"status": x.Status, "kind": string(x.Kind), "order": x.OrderID, "supplier": x.Supplier, "ref": x.Ref}
		},
	}}
}

// Where lists exceptions matching every filter, using the most selective
// index first.
func (x *Exceptions) Where(ctx context.Context, where map[string]string, p Page) ([]model.Exception, string, error) {
	return x.List(ctx, where, p, "ref", "order", "supplier", "kind", "status")
}

// Interchanges is the repository of tracked outbound EDI interchanges.
type Interchanges struct{ Repo[model.Interchange] }

// NewInterchanges returns the interchange repository on recs.
func NewInterchanges(recs store.Records) *Interchanges {
	return &Interchanges{Repo[model.Interchange]{
		Records: recs, Kind: KindInterchange,
		ID:      func(ic *model.Interchange) string { return ic.ID },
		Created: func(ic *model.Interchange) time.Time { return ic.SentAt },
		Index: func(ic *model.Interchange) map[string]string {
			// interchange groups the POs of one batch (model.Interchange.Set),
			// which the functional acknowledgement answers together.
			return map[string]string{"status": ic.Status, "supplier": ic.Supplier,
				"interchange": ic.Supplier + ":" + strings.TrimLeft(ic.Control, "0")}
		},
		AfterLoad: func(ic *model.Interchange, rec store.Record) { ic.ID = rec.ID }, // older records carry no id field
	}}
}
