package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// KindSupplierPoll asks an API supplier about its open purchase orders.
const KindSupplierPoll = "supplier.poll"

// SupplierPollJob is one poll tick of a StatusPoller supplier; its unique
// key is the tick, so one replica runs it.
func SupplierPollJob(supplier string, now time.Time, every time.Duration) store.Job {
	slot := now.Truncate(every).Unix()
	return store.Job{Queue: QueueInbound, Kind: KindSupplierPoll, Key: "supplier:" + supplier,
		Meta:      map[string]string{"supplier": supplier},
		UniqueKey: "supplier.poll:" + supplier + ":" + strconv.FormatInt(slot, 10), UniqueTTL: 2 * every, MaxAttempts: 3}
}

// handleSupplierPoll collects the supplier's open POs and queues whatever
// its API says about them as documents (deduplicated by their ids).
func (e *Engine) handleSupplierPoll(ctx context.Context, j *store.Job) error {
	name := j.Meta["supplier"]
	sup, ok := e.Suppliers[name]
	if !ok {
		return fault.Permanentf("supplier %q is not configured", name)
	}
	poller, ok := connector.As[connector.StatusPoller](sup)
	if !ok {
		return fault.Permanentf("supplier %q cannot be polled", name)
	}
	open, err := e.openPOs(ctx, name)
	if err != nil {
		return err
	}
	if len(open) == 0 {
		return nil
	}
	docs, err := poller.PollStatus(ctx, open)
	if err != nil {
		return fmt.Errorf("poll %s: %w", name, err)
	}
	for _, d := range docs {
		if err := e.QueueDocument(ctx, name, "poll", d); err != nil {
			return err
		}
	}
	return nil
}

// openPOs returns the supplier's POs that still expect news: sent,
// acknowledged or partially shipped.
func (e *Engine) openPOs(ctx context.Context, supplier string) ([]*model.PurchaseOrder, error) {
	var out []*model.PurchaseOrder
	cursor := ""
	for {
		recs, next, err := e.Store.ListRecords(ctx, RecPO, store.Query{Field: "supplier", Value: supplier, Cursor: cursor, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			var ix poIndex
			if json.Unmarshal(r.Data, &ix) != nil {
				continue
			}
			a, err := e.Load(ctx, ix.OrderID)
			if err != nil {
				continue
			}
			po := a.PO(r.ID)
			if po == nil {
				continue
			}
			switch po.Status {
			case model.POSent, model.POAckOverdue, model.POAcknowledged, model.POAckWithChanges, model.POPartiallyShipped, model.POCancelRequested:
				if !po.Withdrawn() {
					out = append(out, po)
				}
			}
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}
