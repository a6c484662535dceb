package apptest_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/apptest"
)

// cancellingChannel is the rig's channel that can cancel orders.
type cancellingChannel struct {
	*channel
	mu        sync.Mutex
	cancelled map[string]string // channel order id → reason
}

func (c *cancellingChannel) CancelOrder(_ context.Context, o *model.Order, reason string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cancelled[o.ChannelOrderID] = reason
	return nil
}

var _ connector.OrderCanceller = (*cancellingChannel)(nil)

// TestOperatorCancelsAnOrder: an operator's cancellation asks the supplier
// to cancel its sent PO and then cancels the order on the channel, once,
// with the reason; both are on the timeline as the operator's. A second
// cancel, or one of a shipped order, is refused and changes nothing.
func TestOperatorCancelsAnOrder(t *testing.T) {
	cc := &cancellingChannel{cancelled: map[string]string{}}
	r := newRig(t, func(o *apptest.Options, r *rig) {
		cc.channel = r.channel
		o.Channels["shop"] = cc
	})
	r.intake(testOrder("3001", line("1", "MUG", 1)))
	r.Drain()
	id := model.OrderID("shop", "3001")
	if a := r.Order(id); len(a.POs) != 1 || a.POs[0].Status != model.POSent {
		t.Fatalf("before: %+v", a.POs)
	}
	ctx := context.Background()
	a, err := r.S.Orders.CancelOrder(ctx, id, "ui:ops", "customer asked by phone")
	if err != nil || a.Order.Status != model.OrderCancelled {
		t.Fatalf("cancel: %v %v", a, err)
	}
	r.Drain()
	a = r.Order(id)
	if a.POs[0].Status != model.POCancelRequested || len(r.a.Cancelled()) != 1 {
		t.Errorf("PO %s, supplier asked to cancel %v", a.POs[0].Status, r.a.Cancelled())
	}
	if got := cc.cancelled["3001"]; got != "customer asked by phone" {
		t.Errorf("channel cancellation: %q", got)
	}
	var byOperator, onChannel bool
	for _, e := range a.Timeline {
		byOperator = byOperator || (e.Event == "order.cancelled" && e.Cause.Kind == model.CauseOperator && e.Cause.Ref == "ui:ops" && strings.Contains(e.Message, "by ui:ops"))
		onChannel = onChannel || e.Event == "order.cancelled_on_channel"
	}
	if !byOperator || !onChannel {
		t.Errorf("timeline: by operator %v, on channel %v: %+v", byOperator, onChannel, a.Timeline)
	}
	if _, err := r.S.Orders.CancelOrder(ctx, id, "ui:ops", ""); err == nil || !fault.IsPermanent(err) {
		t.Errorf("a second cancel: %v; want refused", err)
	}
	r.Drain()
	if len(cc.cancelled) != 1 || len(r.a.Cancelled()) != 1 {
		t.Errorf("a refused cancel did something: channel %v supplier %v", cc.cancelled, r.a.Cancelled())
	}
	if _, err := r.S.Orders.CancelOrder(ctx, model.OrderID("shop", "nope"), "ui:ops", ""); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("an unknown order: %v", err)
	}
}
