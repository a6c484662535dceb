// Package payables is accounts payable: a payable per supplier invoice
// matched to one of dropgate's purchase orders, with its due date, amount
// and the differences matching found, and the operator's record that it
// was paid.
package payables

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/event"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
)

// ErrNotFound is returned for an unknown payable.
var ErrNotFound = store.ErrNotFound

// Service keeps the payables.
type Service struct {
	d    *app.Deps
	repo *repo.Payables
}

// New returns the service; its records live in d.Records.
func New(d *app.Deps) *Service { return &Service{d: d, repo: repo.NewPayables(d.Records)} }

// Register subscribes to invoices applied to orders, matched or not: a
// mismatched invoice is still owed, flagged for a person to check.
func (s *Service) Register(_ *job.Mux, t *event.Table) {
	t.On(model.EvInvoiceMatched, "payables.record", s.onInvoice)
	t.On(model.EvInvoiceMismatched, "payables.record", s.onInvoice)
	t.On(model.EvReturnUpdated, "payables.return_credit", s.onReturn)
}

// onInvoice records the payable of the invoice the event names. A second
// delivery finds it recorded and changes nothing (nor a paid status).
func (s *Service) onInvoice(ctx context.Context, a *model.Aggregate, ev model.Event) error {
	number := ev.Data["invoice"]
	inv := findInvoice(a, ev.PONumber, number)
	if inv == nil {
		return nil // not on this order (an event from a test or a purge)
	}
	var problems []string
	if p := ev.Data[lifecycle.InvoiceProblemsKey]; p != "" {
		problems = strings.Split(p, "\n")
	}
	p := Build(inv, a.Order.ID, ev.Supplier, s.d.Profiles[ev.Supplier].PaymentTerms, problems, s.d.Now())
	err := s.repo.Create(ctx, &p)
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("record payable of invoice %s for %s: %w", number, ev.PONumber, err)
	}
	return nil
}

func findInvoice(a *model.Aggregate, po, number string) *model.Invoice {
	for i := len(a.Invoices) - 1; i >= 0; i-- {
		if inv := &a.Invoices[i]; inv.PONumber == po && inv.Number == number {
			return inv
		}
	}
	return nil
}

// Build makes the payable of an invoice. The due date is the invoice's own
// (X12 ITD: a net due date, else net days after the invoice date), else
// the supplier's payment_terms after the invoice date. An invoice with no
// date counts from now, when dropgate received it.
func Build(inv *model.Invoice, orderID, supplier string, terms routing.PaymentTerms, problems []string, now time.Time) model.Payable {
	if supplier == "" {
		supplier = inv.Supplier
	}
	date := inv.Date
	if date.IsZero() {
		date = now
	}
	amount := inv.Total
	if inv.CreditMemo && amount.Amount > 0 {
		amount.Amount = -amount.Amount
	}
	return model.Payable{
		ID: model.PayableID(supplier, inv.PONumber, inv.Number), Supplier: supplier, InvoiceNumber: inv.Number,
		PONumber: inv.PONumber, OrderID: orderID, InvoiceDate: date, DueDate: DueDate(inv.Terms, date, terms),
		Amount: amount, Status: model.PayableOpen, Mismatches: problems, CreditMemo: inv.CreditMemo, Created: now,
	}
}

// DueDate is when an invoice dated date falls due.
func DueDate(it *model.InvoiceTerms, date time.Time, terms routing.PaymentTerms) time.Time {
	switch {
	case it != nil && it.NetDue != nil:
		return *it.NetDue
	case it != nil && it.NetDays > 0:
		return date.AddDate(0, 0, it.NetDays)
	}
	return date.AddDate(0, 0, terms.Net())
}

// List returns payables matching where (supplier, status, order), newest
// first, and the cursor of the next page.
func (s *Service) List(ctx context.Context, where map[string]string, p repo.Page) ([]model.Payable, string, error) {
	if st := where["status"]; st != "" && st != string(model.PayableOpen) && st != string(model.PayablePaid) {
		return nil, "", fmt.Errorf("status %q: want open or paid", st)
	}
	return s.repo.Where(ctx, where, p)
}

// Get returns one payable.
func (s *Service) Get(ctx context.Context, id string) (*model.Payable, error) {
	p, _, err := s.repo.Get(ctx, id)
	return p, err
}

// MarkPaid records that the operator paid the payable; marking it again
// changes nothing.
func (s *Service) MarkPaid(ctx context.Context, id, actor string) (*model.Payable, error) {
	return s.repo.Update(ctx, id, func(p *model.Payable) error {
		if p.Status == model.PayablePaid {
			return repo.ErrNoChange
		}
		now := s.d.Now()
		p.Status, p.PaidAt, p.PaidBy = model.PayablePaid, &now, actor
		return nil
	})
}
