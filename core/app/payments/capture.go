package payments

import (
	"context"
	"fmt"
	"slices"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/store"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// captureAmount is what to capture for shipment: under at_order, the whole
// authorisation at the first shipment; under per_shipment, the shipped
// lines' share of their totals (unit price × quantity − discount + tax,
// pro rata), and, at the last shipment of a complete order, everything
// left (shipping and rounding remainders included). final says no capture
// follows.
func captureAmount(a *model.Aggregate, p *model.Payment, shipmentID string, pol connector.CapturePolicy) (money.Money, bool, error) {
	rest, err := p.Authorized.Sub(p.Captured)
	if p.Captured.Currency == "" {
		rest, err = p.Authorized, nil
	}
	if err != nil {
		return money.Money{}, false, fmt.Errorf("payment %s: %w", p.ProviderID, err)
	}
	if rest.Amount <= 0 {
		return money.Money{}, true, nil
	}
	if pol == connector.CaptureAtOrder {
		return rest, true, nil
	}
	var sh *model.Shipment
	for i := range a.Shipments {
		if a.Shipments[i].ID == shipmentID {
			sh = &a.Shipments[i]
		}
	}
	if sh == nil {
		return money.Money{}, false, fmt.Errorf("shipment %s is not on the order", shipmentID)
	}
	if complete(a) && a.Shipments[len(a.Shipments)-1].ID == shipmentID {
		// The last shipment takes the rest. Checking only that the order
		// is complete is not enough: when two shipments are recorded
		// before the first one's capture runs, the first would take
		// everything and the second nothing. Units cancelled before they
		// shipped are not the customer's to pay: their share stays
		// uncaptured, and the provider releases it with the final capture.
		cancelled, err := linesValue(a, rest.Currency, func(l *model.OrderLine) int64 { return l.Qty.Cancelled })
		if err != nil {
			return money.Money{}, false, err
		}
		rest.Amount = max(rest.Amount-cancelled, 0)
		return rest, true, nil
	}
	shipped := map[string]int64{}
	for _, pkg := range sh.Packages {
		for _, sl := range pkg.Lines {
			shipped[sl.OrderLineID] += sl.Quantity
		}
	}
	amount, err := linesValue(a, rest.Currency, func(l *model.OrderLine) int64 { return shipped[l.ID] })
	if err != nil {
		return money.Money{}, false, err
	}
	value := money.Money{Amount: amount, Currency: rest.Currency}
	if value.Amount > rest.Amount {
		value = rest
	}
	return value, false, nil
}

// linesValue is the value of qty(l) units of every line, each unit's share
// of its line's total (unit price × quantity − discount + tax).
func linesValue(a *model.Aggregate, currency string, qty func(*model.OrderLine) int64) (int64, error) {
	var v int64
	for i := range a.Order.Lines {
		l := &a.Order.Lines[i]
		n := qty(l)
		if n <= 0 || l.Quantity <= 0 {
			continue
		}
		if l.UnitPrice.Currency != "" && l.UnitPrice.Currency != currency {
			return 0, fmt.Errorf("line %s is in %s, the payment in %s", l.ID, l.UnitPrice.Currency, currency)
		}
		v += l.ShareOf(n)
	}
	return v, nil
}

// complete reports whether every unit of the order is shipped or
// cancelled: the capture of this shipment is the last.
func complete(a *model.Aggregate) bool {
	for _, l := range a.Order.Lines {
		if l.Qty.Shipped+l.Qty.Cancelled < l.Quantity {
			return false
		}
	}
	return true
}

// singleCapture reports whether the payment takes one capture only: its
// provider says it has no multicapture. A provider that does not say is
// trusted with several.
func singleCapture(ctx context.Context, c connector.Connector, ref connector.PaymentRef) (bool, error) {
	mc, ok := connector.As[connector.Multicapturer](c)
	if !ok {
		return false, nil
	}
	several, err := mc.Multicapture(ctx, ref)
	if err != nil {
		return false, fmt.Errorf("payments: order %s: does %s take several captures: %w", ref.OrderID, ref.ProviderID, err)
	}
	return !several, nil
}

// deferCapture notes on the timeline that a shipment's capture waits for
// the last shipment: the payment takes one capture only, and capturing
// this shipment's value now would release the rest of the authorisation.
func (s *Service) deferCapture(ctx context.Context, j *store.Job, m Move, amount money.Money) error {
	cause := model.Cause{Kind: model.CauseSystem, Ref: j.ID}
	_, _, err := s.d.Change(app.Background(ctx), m.Order, cause, func(a *model.Aggregate, st lifecycle.Step) (lifecycle.Outcome, error) {
		if slices.ContainsFunc(a.Timeline, func(e model.TimelineEntry) bool {
			return e.Event == "payment.capture_deferred" && e.Data["shipment"] == m.Shipment
		}) {
			return lifecycle.Outcome{}, nil
		}
		a.Log(model.TimelineEntry{At: st.At, Entity: "payment", Event: "payment.capture_deferred", Cause: st.Cause, Data: map[string]string{"shipment": m.Shipment},
			Message: fmt.Sprintf("%s of shipment %s not captured yet: %s (%s) takes one capture only (no multicapture), so the last shipment captures what shipped", amount, m.Shipment, m.Provider, m.Payment)})
		return lifecycle.Outcome{Changed: true}, nil
	})
	return err
}

// returnAmount is what to refund for a received return: its refund value,
// no more than what is captured and not yet refunded.
func returnAmount(a *model.Aggregate, p *model.Payment, id string) (money.Money, error) {
	r := a.Return(id)
	if r == nil {
		return money.Money{}, fmt.Errorf("no return %s", id)
	}
	if r.Status != model.ReturnReceived && r.Status != model.ReturnRefunded {
		return money.Money{}, fmt.Errorf("return %s is %s, not received", id, r.Status)
	}
	if r.Refund.Currency != "" && p.Captured.Currency != "" && r.Refund.Currency != p.Captured.Currency {
		return money.Money{}, fmt.Errorf("return %s is in %s, the payment in %s", id, r.Refund.Currency, p.Captured.Currency)
	}
	left := p.Captured.Amount - p.Refunded.Amount
	amount := r.Refund
	amount.Amount = min(amount.Amount, left)
	if amount.Amount <= 0 {
		return money.Money{}, fmt.Errorf("return %s: nothing captured left to refund on %s", id, p.ProviderID)
	}
	return amount, nil
}
