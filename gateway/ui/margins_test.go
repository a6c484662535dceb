package ui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app/margins"
	"github.com/dropgate/dropgate/core/margin"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/gateway/ui"
)

// reportOps adds the margin report to the fake operator; it remembers
// the period it was asked for.
type reportOps struct {
	accountsOps
	since, until *time.Time
}

func (o reportOps) MarginReport(_ context.Context, since, until time.Time) (*margins.Summary, error) {
	*o.since, *o.until = since, until
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	row := margin.Row{Group: "acme", Orders: 3, Line: margin.Line{Currency: "USD", Revenue: usd("120.00"), Shipping: usd("10.00"),
		SupplierCost: usd("50.00"), SupplierFees: usd("5.00"), ShippingCost: usd("7.00"), Cost: usd("62.00"), PaymentFees: usd("3.78"),
		Margin: usd("54.22"), MarginPercent: "45.18"}}
	ch := row
	ch.Group = "shop"
	return &margins.Summary{Since: since, Orders: 3, Cancelled: 1, BySupplier: []margin.Row{row}, ByChannel: []margin.Row{ch}}, nil
}

// TestMarginReportPage: behind the login, the page shows the period's
// rows by supplier and by channel with every part of the margin.
func TestMarginReportPage(t *testing.T) {
	var since, until time.Time
	srv := httptest.NewServer((&ui.UI{Ops: reportOps{accountsOps{newOps()}, &since, &until}, Token: token}).Handler())
	t.Cleanup(srv.Close)
	c := client(t)
	if resp, body := get(t, c, srv.URL+"/ui/reports/margin"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/login" ||
		strings.Contains(body, "acme") {
		t.Fatalf("without a session: %d %q, want the login page", resp.StatusCode, resp.Header.Get("Location"))
	}
	login(t, c, srv.URL, token)
	resp, page := get(t, c, srv.URL+"/ui/reports/margin?since=2026-11-01&until=2026-11-15")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d:\n%s", resp.StatusCode, page)
	}
	for _, want := range []string{`<table id="margin-by-supplier">`, `<table id="margin-by-channel">`, `<th scope="row">acme</th>`,
		`<th scope="row">shop</th>`, "<td>120.00 USD</td>", "<td>3.78 USD</td>", "<td>54.22 USD</td>", "<td>45.18</td>", "1 cancelled left out",
		`href="/ui/reports/margin"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("page lacks %q:\n%s", want, page)
		}
	}
	if !since.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || !until.Equal(time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("asked for %s – %s", since, until)
	}
	if resp, page = get(t, c, srv.URL+"/ui/reports/margin?since=soon"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "neither a span") {
		t.Errorf("bad since: status %d\n%s", resp.StatusCode, page)
	}
	// A server without the report says so.
	plain, c2 := server(t, newOps()), client(t)
	login(t, c2, plain.URL, token)
	if resp, _ = get(t, c2, plain.URL+"/ui/reports/margin"); resp.StatusCode != http.StatusNotImplemented {
		t.Errorf("without the port: status %d", resp.StatusCode)
	}
}
