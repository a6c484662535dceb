package connector

import (
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
)

// OrderEvent is a proven cancellation for a cancelled order, else an update.
func TestOrderEvent(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	o := &model.Order{ChannelOrderID: "42"}
	if ev := OrderEvent(o, at); ev.Kind != EventOrderUpdated || ev.ChannelOrderID != "42" || ev.Order != o || !ev.At.Equal(at) {
		t.Errorf("open order: %+v", ev)
	}
	o.CancelledAt, o.CancelReason = &at, "customer"
	if ev := OrderEvent(o, at); !ev.ProvesCancellation() || ev.Reason != "customer" {
		t.Errorf("cancelled order: %+v; want a proven cancellation with its reason", ev)
	}
}
