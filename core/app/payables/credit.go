package payables

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// onReturn records the supplier's credit for a received return: a
// negative payable against the return's PO, due at once, so what is owed
// to the supplier nets it. A second delivery finds it recorded.
func (s *Service) onReturn(ctx context.Context, a *model.Aggregate, ev model.Event) error {
	if a == nil || model.ReturnStatus(ev.Data["status"]) != model.ReturnReceived {
		return nil
	}
	r := a.Return(ev.Data["return"])
	if r == nil || r.Credit.Amount <= 0 {
		return nil
	}
	p := Credit(r, s.d.Now())
	if err := s.repo.Create(ctx, &p); err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("record credit of return %s for %s: %w", r.ID, r.PONumber, err)
	}
	return nil
}

// Credit is the payable that records what a supplier owes back for a
// return: its RMA number stands for the invoice number.
func Credit(r *model.Return, now time.Time) model.Payable {
	number := "RMA " + r.RMA
	if r.RMA == "" {
		number = "RMA " + r.ID
	}
	amount := r.Credit
	amount.Amount = -amount.Amount
	return model.Payable{
		ID: model.PayableID(r.Supplier, r.PONumber, "return:"+r.ID), Supplier: r.Supplier, InvoiceNumber: number,
		PONumber: r.PONumber, OrderID: r.OrderID, InvoiceDate: now, DueDate: now, Amount: amount,
		Status: model.PayableOpen, CreditMemo: true, Return: r.ID, Created: now,
	}
}
