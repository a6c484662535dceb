package ui_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/margin"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/gateway/ui"
)

// accountsOps adds the money port to the fake operator.
type accountsOps struct{ *fakeOps }

var _ ports.Accounts = accountsOps{}

func (accountsOps) Payables(context.Context, map[string]string, repo.Page) ([]model.Payable, string, error) {
	return nil, "", nil
}

func (accountsOps) MarkPayablePaid(context.Context, string, string) (*model.Payable, error) {
	return nil, nil
}

func (a accountsOps) Margin(ctx context.Context, id string) (margin.Report, error) {
	o, err := a.Order(ctx, id)
	if err != nil {
		return margin.Report{}, err
	}
	return a.MarginOf(o)
}

func (accountsOps) MarginOf(o *model.Aggregate) (margin.Report, error) { return margin.Of(o, nil) }

// TestOrderPageShowsMargin: the order page has a margin block, per
// currency, with each PO's cost and basis.
func TestOrderPageShowsMargin(t *testing.T) {
	srv := httptest.NewServer((&ui.UI{Ops: accountsOps{newOps()}, Token: token}).Handler())
	t.Cleanup(srv.Close)
	c := client(t)
	login(t, c, srv.URL, token)
	_, page := get(t, c, srv.URL+"/ui/orders/o1")
	// revenue 84.50 (no tax); cost PO-ABC's 2 × 6.20 = 12.40; margin 72.10
	for _, want := range []string{`<table id="margin">`, "<td>84.50 USD</td>", "<td>12.40 USD</td>", "<td>72.10 USD</td>", "PO-ABC → acme: 12.40 USD (PO cost and fees)"} {
		if !strings.Contains(page, want) {
			t.Fatalf("order page lacks %q:\n%s", want, page)
		}
	}
	// Without the port the page still shows, without the block.
	plain, c2 := server(t, newOps()), client(t)
	login(t, c2, plain.URL, token)
	if _, page = get(t, c2, plain.URL+"/ui/orders/o1"); !strings.Contains(page, "PO-ABC") || strings.Contains(page, `id="margin"`) {
		t.Errorf("without the accounts port: want the page without a margin block:\n%s", page)
	}
}
