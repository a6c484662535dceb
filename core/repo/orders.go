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
	// blobs keeps the PO-number index, one key per PO, when the store
	// has blobs (both drivers do; a read-only view may not).
	blobs store.Blobs
}

// NewOrders returns the order repository on recs. When recs also keeps
// blobs, PO numbers are indexed there.
func NewOrders(recs store.Records, clk clock.Clock) *Orders {
	o := &Orders{clock: clk}
	o.blobs, _ = recs.(store.Blobs)
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

// poIndexKey is the blob a PO number's entry is kept under.
func poIndexKey(number string) string { return "index/po/" + number }

// IndexPO records which order a PO number belongs to; indexing it again
// writes the same entry. The entry is a blob keyed by the PO number: one
// write. It was a record (KindPOIndex), whose created-time copy and
// supplier entry made three writes per PO at three places in the
// embedded store's file, and a record script on Redis; those records
// still read (OrderOfPO, EachPOOf). Nothing lists POs by supplier from the
// index any more: every order is indexed by each of its suppliers.
func (o *Orders) IndexPO(ctx context.Context, po *model.PurchaseOrder) error {
	data, _ := json.Marshal(poIndex{OrderID: po.OrderID, Supplier: po.Supplier})
	if o.blobs != nil {
		if err := o.blobs.PutBlob(ctx, poIndexKey(po.Number), data); err != nil {
			return fmt.Errorf("index PO %s: %w", po.Number, err)
		}
		return nil
	}
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
	var data []byte
	if o.blobs != nil {
		b, err := o.blobs.GetBlob(ctx, poIndexKey(number))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
		data = b
	}
	if data == nil { // indexed as a record, before
		rec, err := o.Records.GetRecord(ctx, KindPOIndex, number)
		if err != nil {
			return "", err
		}
		data = rec.Data
	}
	var ix poIndex
	if err := json.Unmarshal(data, &ix); err != nil {
		return "", fmt.Errorf("PO index %s: %w", number, err)
	}
	return ix.OrderID, nil
}

// EachPOOf calls fn with every PO to supplier and its order: those of
// the orders indexed by the supplier, then those known only to PO index
// records (orders saved before they were indexed by supplier). fn may
// change neither.
func (o *Orders) EachPOOf(ctx context.Context, supplier string, fn func(po *model.PurchaseOrder, a *model.Aggregate) error) error {
	seen := map[string]bool{}
	err := o.Each(ctx, map[string]string{"supplier." + supplier: "1"}, func(a *model.Aggregate) (bool, error) {
		for i := range a.POs {
			if po := &a.POs[i]; po.Supplier == supplier {
				seen[po.Number] = true
				if err := fn(po, a); err != nil {
					return false, err
				}
			}
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	q := store.Query{Field: "supplier", Value: supplier, Limit: 500}
	for {
		recs, next, err := o.Records.ListRecords(ctx, KindPOIndex, q)
		if err != nil {
			return err
		}
		for _, r := range recs {
			var ix poIndex
			if seen[r.ID] || json.Unmarshal(r.Data, &ix) != nil {
				continue
			}
			a, _, err := o.Get(ctx, ix.OrderID)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if po := a.PO(r.ID); po != nil {
				if err := fn(po, a); err != nil {
					return err
				}
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
