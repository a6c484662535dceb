package payments

import (
	"fmt"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// captureAmount is what to capture for shipment: under at_order, the whole
// authorisation at the first shipment; under per_shipment, the shipped
// lines' share of their totals (unit price × quantity − discount + tax,
// pro rata), and, when this shipment completes the order, everything left
// (shipping and rounding remainders included). final says no capture
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
	if complete(a) {
		return rest, true, nil
	}
	value := money.Money{Amount: 0, Currency: rest.Currency}
	for _, pkg := range sh.Packages {
		for _, sl := range pkg.Lines {
			l := a.Order.Line(sl.OrderLineID)
			if l == nil || l.Quantity <= 0 {
				continue
			}
			if l.UnitPrice.Currency != "" && l.UnitPrice.Currency != rest.Currency {
				return money.Money{}, false, fmt.Errorf("line %s is in %s, the payment in %s", l.ID, l.UnitPrice.Currency, rest.Currency)
			}
			total := l.UnitPrice.Amount*l.Quantity - l.Discount.Amount + l.Tax.Amount
			value.Amount += total * sl.Quantity / l.Quantity
		}
	}
	if value.Amount > rest.Amount {
		value = rest
	}
	return value, false, nil
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
