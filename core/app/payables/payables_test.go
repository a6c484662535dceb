package payables_test

import (
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app/payables"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
)

func TestDueDate(t *testing.T) {
	date := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	netDue := time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
	sixty := 60
	for name, tc := range map[string]struct {
		terms    *model.InvoiceTerms
		supplier routing.PaymentTerms
		want     time.Time
	}{
		"the invoice's net due date first":  {&model.InvoiceTerms{NetDue: &netDue, NetDays: 10}, routing.PaymentTerms{NetDays: &sixty}, netDue},
		"the invoice's net days":            {&model.InvoiceTerms{NetDays: 10}, routing.PaymentTerms{NetDays: &sixty}, date.AddDate(0, 0, 10)},
		"terms without net: the supplier's": {&model.InvoiceTerms{DiscountDays: 10}, routing.PaymentTerms{NetDays: &sixty}, date.AddDate(0, 0, 60)},
		"no terms: the default 30 days":     {nil, routing.PaymentTerms{}, date.AddDate(0, 0, 30)},
	} {
		if got := payables.DueDate(tc.terms, date, tc.supplier); !got.Equal(tc.want) {
			t.Errorf("%s: %s, want %s", name, got, tc.want)
		}
	}
}

func TestBuildCreditMemoAndUndatedInvoice(t *testing.T) {
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	inv := &model.Invoice{Number: "CM-1", PONumber: "PO1", Supplier: "acme", Total: money.MustParse("2.50", "EUR"), CreditMemo: true}
	p := payables.Build(inv, "ord_1", "acme", routing.PaymentTerms{}, []string{"x"}, now)
	if p.Amount != money.MustParse("-2.50", "EUR") || !p.InvoiceDate.Equal(now) || !p.DueDate.Equal(now.AddDate(0, 0, 30)) ||
		p.Status != model.PayableOpen || p.ID != model.PayableID("acme", "PO1", "CM-1") || len(p.Mismatches) != 1 {
		t.Errorf("payable = %+v", p)
	}
}
