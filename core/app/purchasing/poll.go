package purchasing

import (
	"context"
	"fmt"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// handleStatusPoll collects the supplier's open POs and queues whatever
// its API says about them as documents (deduplicated by their ids).
func (s *Service) handleStatusPoll(ctx context.Context, _ *store.Job, t Tick) error {
	poller, err := app.Supplier[connector.StatusPoller](s.d, t.Supplier, "status poll")
	if err != nil {
		return err
	}
	open, err := s.OpenPOs(ctx, t.Supplier)
	if err != nil || len(open) == 0 {
		return err
	}
	docs, err := poller.PollStatus(ctx, open)
	if err != nil {
		return fmt.Errorf("poll %s: %w", t.Supplier, err)
	}
	for _, d := range docs {
		if err := s.QueueDocument(ctx, t.Supplier, "poll", d); err != nil {
			return err
		}
	}
	return nil
}

// OpenPOs returns the supplier's POs that still expect news: sent,
// acknowledged, partially shipped or awaiting a cancellation answer.
func (s *Service) OpenPOs(ctx context.Context, supplier string) ([]*model.PurchaseOrder, error) {
	var out []*model.PurchaseOrder
	err := s.d.Orders.EachPOOf(ctx, supplier, func(po *model.PurchaseOrder, _ *model.Aggregate) error {
		if po.Withdrawn() {
			return nil
		}
		switch po.Status {
		case model.POSent, model.POAckOverdue, model.POAcknowledged, model.POAckWithChanges, model.POPartiallyShipped, model.POCancelRequested:
			out = append(out, po)
		}
		return nil
	})
	return out, err
}
