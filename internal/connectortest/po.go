package connectortest

import (
	"context"
	"reflect"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// POHarness is what RunPurchaseOrders needs of a supplier connector.
type POHarness struct {
	// Limit is the connector's rate limit (an HTTP supplier's fake quota
	// matches it); ignored without a Fake.
	Limit store.Limit
	Setup func(r *Rig) POFixture
}

// POFixture is a supplier connector and what its supplier received.
type POFixture struct {
	Connector connector.Connector
	// PO returns a fresh purchase order of a fresh order (i keeps them
	// apart), ready to send.
	PO func(i int) (*model.PurchaseOrder, *model.Order)
	// Orders lists the identities of the orders the supplier holds for a
	// PO number (a file name with its control number, a Message-ID, the
	// supplier's order id): whatever the retries, one.
	Orders func(number string) []string
	// Cancellations lists the identities of the cancellations the
	// supplier holds for a PO number.
	Cancellations func(number string) []string
	// Fake, for a supplier reached over HTTP, is its API on the kit, and
	// Write and CancelWrite the requests that create and cancel an
	// order: the HTTP cases run on them. Nil for files and mail.
	Fake        *kit.Server
	Write       Route
	CancelWrite Route
	// Outage, when set, makes the transport fail (a directory that cannot
	// be written, a server that refuses) until the returned restore.
	Outage func() (restore func())
}

// RunPurchaseOrders runs the send/cancel purchase order suite.
func RunPurchaseOrders(t *testing.T, h POHarness) { runPurchaseOrders(std{t}, h) }

func runPurchaseOrders(t T, h POHarness) {
	t.Helper()
	start := func(t T) (*Rig, POFixture) {
		t.Helper()
		r := NewRig(t, h.Limit)
		fx := h.Setup(r)
		if fx.Connector == nil || fx.PO == nil || fx.Orders == nil {
			t.Fatalf("PO harness: Connector, PO and Orders are needed")
		}
		return r, fx
	}
	t.Run("send", func(t T) { r, fx := start(t); sendOnce(t, r, fx) })
	t.Run("replay", func(t T) { r, fx := start(t); sendReplay(t, r, fx) })
	t.Run("distinct POs", func(t T) { r, fx := start(t); sendDistinct(t, r, fx) })
	t.Run("cancelled context", func(t T) { r, fx := start(t); sendCancelledContext(t, r, fx) })
	_, probe := start(t)
	cancels := connector.CapsOf(probe.Connector).Has(connector.CapCancelPO)
	if cancels {
		t.Run("cancel", func(t T) { r, fx := start(t); cancelPO(t, r, fx) })
	}
	if probe.Outage != nil {
		t.Run("transport outage", func(t T) { r, fx := start(t); outage(t, r, fx) })
	}
	if probe.Fake == nil {
		return
	}
	t.Run("http send", func(t T) {
		runOutbound(t, outbound{limit: h.Limit, setup: func(r *Rig) outboundFixture {
			fx := h.Setup(r)
			s := capability[connector.POSender](r.T, fx.Connector)
			return outboundFixture{fake: fx.Fake, write: fx.Write, next: func(i int) operation {
				po, order := fx.PO(i)
				return operation{
					do:      func(ctx context.Context) error { _, err := s.SendPO(ctx, po, order); return err },
					effects: func() int { return len(fx.Orders(po.Number)) },
				}
			}}
		}})
	})
	if cancels {
		t.Run("http cancel", func(t T) {
			runOutbound(t, outbound{limit: h.Limit, setup: func(r *Rig) outboundFixture {
				fx := h.Setup(r)
				c := capability[connector.POCanceller](r.T, fx.Connector)
				return outboundFixture{fake: fx.Fake, write: fx.CancelWrite, next: func(i int) operation {
					po, order := sent(r.T, r, fx, i)
					return operation{
						do:      func(ctx context.Context) error { _, err := c.CancelPO(ctx, po, order); return err },
						effects: func() int { return len(fx.Cancellations(po.Number)) },
					}
				}}
			}})
		})
	}
}

// send sends po, retrying as the queue would while the supplier's API
// or the limiter holds it back, and fails the test on any other error.
func send(t T, r *Rig, fx POFixture, po *model.PurchaseOrder, order *model.Order) connector.Sent {
	t.Helper()
	s := capability[connector.POSender](t, fx.Connector)
	for attempt := 1; ; attempt++ {
		var sent connector.Sent
		var err error
		if safely(t, "SendPO", func() { sent, err = s.SendPO(context.Background(), po, order) }) {
			t.Fatalf("cannot go on after a panic")
		}
		class, notBefore := fault.Classify(err)
		switch {
		case err == nil:
			if sent.Document == "" {
				t.Errorf("send %s: Sent.Document is empty: the timeline cannot say what went out", po.Number)
			}
			return sent
		case class == fault.ClassThrottled && attempt < 30:
			if notBefore.After(r.Clock.Now()) {
				r.Clock.Set(notBefore)
			}
		default:
			t.Fatalf("send %s: %v", po.Number, err)
		}
	}
}

// sent returns PO i after sending it, marked as the engine marks it.
func sent(t T, r *Rig, fx POFixture, i int) (*model.PurchaseOrder, *model.Order) {
	t.Helper()
	po, order := fx.PO(i)
	s := send(t, r, fx, po, order)
	po.Status = model.POSent
	po.Document = s.Document
	for _, ref := range s.Refs {
		po.SetRef(ref.System, ref.ID)
	}
	return po, order
}

func sendOnce(t T, r *Rig, fx POFixture) {
	po, order := fx.PO(1)
	send(t, r, fx, po, order)
	if got := fx.Orders(po.Number); len(got) != 1 {
		t.Errorf("the supplier holds %v for %s; want one order", got, po.Number)
	}
}

// sendReplay: a job that runs again sends the same document, which the
// supplier recognises as the same order.
func sendReplay(t T, r *Rig, fx POFixture) {
	po, order := fx.PO(2)
	first := send(t, r, fx, po, order)
	for i := range 2 {
		again := send(t, r, fx, po, order)
		if !reflect.DeepEqual(first, again) {
			t.Errorf("send %d of the same PO: %+v; the first was %+v: a retry must be the same document (same name, control number, Message-ID, idempotency key)", i+2, again, first)
		}
	}
	if got := fx.Orders(po.Number); len(got) != 1 {
		t.Errorf("after three sends the supplier holds %v for %s; want one order", got, po.Number)
	}
}

func sendDistinct(t T, r *Rig, fx POFixture) {
	a, oa := fx.PO(3)
	b, ob := fx.PO(4)
	sa, sb := send(t, r, fx, a, oa), send(t, r, fx, b, ob)
	if sa.Document == sb.Document {
		t.Errorf("two POs went out as the same document %q", sa.Document)
	}
	for _, ra := range sa.Refs {
		for _, rb := range sb.Refs {
			if ra == rb {
				t.Errorf("two POs share the reference %s %s (a control number reused?)", ra.System, ra.ID)
			}
		}
	}
	if len(fx.Orders(a.Number)) != 1 || len(fx.Orders(b.Number)) != 1 {
		t.Errorf("the supplier holds %v and %v; want one order each", fx.Orders(a.Number), fx.Orders(b.Number))
	}
}

func sendCancelledContext(t T, r *Rig, fx POFixture) {
	po, order := fx.PO(5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s := capability[connector.POSender](t, fx.Connector)
	var err error
	safely(t, "SendPO", func() { _, err = s.SendPO(ctx, po, order) })
	if err == nil {
		t.Errorf("SendPO with a cancelled context succeeded: a worker shutting down must not start a delivery")
	} else if fault.IsPermanent(err) {
		t.Errorf("SendPO with a cancelled context: a permanent error (%v)", err)
	}
	if got := fx.Orders(po.Number); len(got) != 0 {
		t.Errorf("SendPO with a cancelled context delivered %v", got)
	}
}

func cancelPO(t T, r *Rig, fx POFixture) {
	po, order := sent(t, r, fx, 6)
	c := capability[connector.POCanceller](t, fx.Connector)
	var first connector.Sent
	for i := range 2 {
		var s connector.Sent
		var err error
		safely(t, "CancelPO", func() { s, err = c.CancelPO(context.Background(), po, order) })
		if err != nil {
			t.Fatalf("cancel %s (call %d): %v", po.Number, i+1, err)
		}
		if i == 0 {
			first = s
		} else if !reflect.DeepEqual(first, s) {
			t.Errorf("a repeated cancellation is %+v, the first %+v: want the same document", s, first)
		}
	}
	if first.Document == "" || first.Document == po.Document {
		t.Errorf("the cancellation went out as %q (the order as %q): want its own document", first.Document, po.Document)
	}
	if got := fx.Cancellations(po.Number); len(got) != 1 {
		t.Errorf("after two cancels the supplier holds cancellations %v for %s; want one", got, po.Number)
	}
	if got := fx.Orders(po.Number); len(got) != 1 {
		t.Errorf("cancelling changed the orders the supplier holds: %v", got)
	}
}

func outage(t T, r *Rig, fx POFixture) {
	po, order := fx.PO(7)
	restore := fx.Outage()
	s := capability[connector.POSender](t, fx.Connector)
	var err error
	safely(t, "SendPO", func() { _, err = s.SendPO(context.Background(), po, order) })
	restore()
	if err == nil {
		t.Fatalf("SendPO succeeded during a transport outage")
	}
	if fault.IsPermanent(err) {
		t.Errorf("a transport outage is a permanent error (%v); it must be retried", err)
	}
	if got := fx.Orders(po.Number); len(got) != 0 {
		t.Errorf("the supplier holds %v after a failed send", got)
	}
	send(t, r, fx, po, order)
	if got := fx.Orders(po.Number); len(got) != 1 {
		t.Errorf("after the outage the supplier holds %v; want one order", got)
	}
}

func moneyOf(amount int64, currency string) money.Money {
	return money.Money{Amount: amount, Currency: currency}
}
