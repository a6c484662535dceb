package apptest_test

import (
	"context"
	"sync"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/internal/apptest"
)

// racingSender is supplier a, which (on its first send only) sees the
// order change under the job while the PO is on the wire: another job's
// write, made straight to the store, so the send job's held commit meets
// it.
type racingSender struct {
	*apptest.Supplier
	unrepeatable bool
	rig          *rig
	once         sync.Once
}

func (s *racingSender) SendsUnrepeatable() bool { return s.unrepeatable }

func (s *racingSender) SendPO(ctx context.Context, po *model.PurchaseOrder, o *model.Order) (connector.Sent, error) {
	s.once.Do(func() {
		orders := repo.NewOrders(s.rig.Store, s.rig.Clock)
		if _, err := orders.Update(context.Background(), o.ID, func(a *model.Aggregate) error {
			a.Log(model.TimelineEntry{At: s.rig.Clock.Now(), Entity: "order", Event: "test.concurrent", Message: "another job's write"})
			return nil
		}); err != nil {
			s.rig.T.Errorf("the concurrent write: %v", err)
		}
	})
	return s.Supplier.SendPO(ctx, po, o)
}

// sendRacing takes an order in on a rig that holds job writes, whose
// supplier a sees the order change during its send, and runs every job.
func sendRacing(t *testing.T, unrepeatable bool) (*rig, *racingSender) {
	var sender *racingSender
	r := newRig(t, func(o *apptest.Options, r *rig) {
		sender = &racingSender{Supplier: r.a, unrepeatable: unrepeatable, rig: r}
		o.Suppliers["a"] = sender
		o.Deferring = true
	})
	r.intake(testOrder("1", line("1", "MUG", 1)))
	r.DrainHeld()
	return r, sender
}

// An unrepeatable sender (an e-mail over SMTP) whose PO send meets a
// concurrent write on the order sends once: its "sent" is stored at once,
// the concurrent write settled in place, so no lost commit runs the send
// again. The repeatable sender beside it shows the race is real: its job's
// commit is lost and the PO goes out again (harmless there: the same file
// name, by the POSender contract).
func TestUnrepeatableSendIsRecordedAtOnce(t *testing.T) {
	r, s := sendRacing(t, true)
	a := r.order("1")
	if sent := s.Sent(); len(sent) != 1 {
		t.Fatalf("an unrepeatable sender sent %v; want the PO once", sent)
	}
	if len(a.POs) != 1 || a.POs[0].Status != model.POSent || !hasEvent(a, "test.concurrent") || !hasEvent(a, "po.sent") {
		t.Fatalf("POs %+v, timeline %s", a.POs, timeline(a))
	}

	r, s = sendRacing(t, false)
	if sent := s.Sent(); len(sent) != 2 {
		t.Fatalf("a repeatable sender sent %v; want the PO twice (the race did not happen)", sent)
	}
	if a := r.order("1"); a.POs[0].Status != model.POSent || !hasEvent(a, "test.concurrent") {
		t.Fatalf("POs %+v, timeline %s", a.POs, timeline(a))
	}
}

func hasEvent(a *model.Aggregate, event string) bool {
	for _, e := range a.Timeline {
		if e.Event == event {
			return true
		}
	}
	return false
}
