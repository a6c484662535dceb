package purchasing

import (
	"context"
	"errors"
	"fmt"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/store"
)

// ErrNotYours is returned by SubmitAs for a purchase order that does not
// exist or belongs to another supplier: the caller cannot tell which.
var ErrNotYours = errors.New("no such purchase order")

// SubmitAs applies a document a supplier entered by hand (the supplier
// portal) exactly as the same document from EDI: it is queued on its
// order's group and applied by the same lifecycle, once per document id,
// with actor as the timeline's cause. The PO must be the supplier's.
func (s *Service) SubmitAs(ctx context.Context, supplier, actor string, d connector.InboundDoc) error {
	if d.PONumber == "" || d.ID == "" {
		return fault.Permanentf("a document from %s needs a purchase order and an id", actor)
	}
	orderID, err := s.d.Orders.OrderOfPO(ctx, d.PONumber)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNotYours
	}
	if err != nil {
		return fmt.Errorf("find purchase order %s: %w", d.PONumber, err)
	}
	a, _, err := s.d.Orders.Get(ctx, orderID)
	if err != nil {
		return fmt.Errorf("read order of %s: %w", d.PONumber, err)
	}
	if po := a.PO(d.PONumber); po == nil || po.Supplier != supplier {
		return ErrNotYours
	}
	return job.Enqueue(ctx, s.d.Queue, KindDocApply, DocApply{Order: orderID, Supplier: supplier, Source: actor, Doc: d, Actor: actor})
}
