package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app/margins"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/internal/app"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// marginOrders are shippedPO (2 mugs at 20.00, tax 2.00, PO 2 × 4.00 to
// acme) paid by card, and a second one from a channel "market" in EUR.
func marginOrders(now time.Time) []*model.Aggregate {
	a := shippedPO(now)
	a.Payments = []model.Payment{{Provider: "card", ProviderID: "pi_1", Status: model.PaymentStatus("captured"), Captured: money.MustParse("42.00", "USD")}}
	eur := func(s string) money.Money { return money.MustParse(s, "EUR") }
	b := &model.Aggregate{Created: now.Add(-time.Hour),
		Order: model.Order{ID: "ord_eu", Channel: "market", ChannelOrderID: "eu1", Currency: "EUR", Status: model.OrderProcessing,
			Totals: model.Totals{Total: eur("30.00")}, Lines: []model.OrderLine{{ID: "l1", SKU: "MUG-BLK-11", Quantity: 1, UnitPrice: eur("30.00")}}},
		POs: []model.PurchaseOrder{{Number: "POEU1", OrderID: "ord_eu", Supplier: "acme", Status: model.POSent, Currency: "EUR",
			Lines: []model.POLine{{LineNo: 1, OrderLineID: "l1", SKU: "MUG-BLK-11", Quantity: 1, UnitCost: eur("10.00")}}}},
	}
	return []*model.Aggregate{a, b}
}

func seedOrders(ctx context.Context, t *testing.T, recs *repo.Orders, now time.Time) {
	t.Helper()
	for _, a := range marginOrders(now) {
		if err := recs.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMarginReportRemoteAndLocal: `reports margin` asks a running server
// (GET /api/v1/reports/margin), and with --config and no server reads the
// store itself, pricing payments with payments[].fees.
func TestMarginReportRemoteAndLocal(t *testing.T) {
	now := time.Now().UTC()
	dir := t.TempDir()
	s := serveIn(t, dir, demoConfigIn(t, dir), func(ctx context.Context, a *app.App) {
		seedOrders(ctx, t, repo.NewOrders(a.Store, clock.Real{}), now)
	})
	adm := s.admin()
	// The demo has no payment fees. USD: revenue 40.00, cost 2 × 4.00 +
	// acme's 2.50 + 6.00 fees = 16.50, margin 23.50 (58.75 %). EUR:
	// 30.00 − (10.00 + 8.50) = 11.50.
	out, errOut, code := dg(t, append([]string{"reports", "margin", "--since", "720h"}, adm...)...)
	if code != 0 || !strings.Contains(out, "margin of 2 order(s)") || !strings.Contains(out, "MARGIN %") || !strings.Contains(out, "58.75") ||
		!strings.Contains(out, "market") {
		t.Fatalf("reports margin (exit %d):\n%s%s", code, out, errOut)
	}
	out, errOut, code = dg(t, append([]string{"reports", "margin", "--since", "720h", "--by", "supplier", "--format", "csv"}, adm...)...)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 3 || rows[0][0] != "by" || rows[1][1] != "acme" || rows[1][2] != "EUR" || rows[1][12] != "11.50" ||
		rows[2][2] != "USD" || rows[2][4] != "40.00" || rows[2][8] != "2.50" || rows[2][9] != "6.00" || rows[2][12] != "23.50" || rows[2][13] != "58.75" {
		t.Fatalf("reports margin --format csv (exit %d, %v): %q\n%s", code, err, rows, errOut)
	}
	out, _, code = dg(t, append([]string{"reports", "margin", "--since", "720h", "--json"}, adm...)...)
	var sum margins.Summary
	if code != 0 || json.Unmarshal([]byte(out), &sum) != nil || sum.Orders != 2 || len(sum.ByChannel) != 2 {
		t.Fatalf("reports margin --json (exit %d): %s", code, out)
	}
	if _, errOut, code = dg(t, append([]string{"reports", "margin", "--since", "720h", "--by", "sku"}, adm...)...); code != exitUser {
		t.Errorf("--by sku: exit %d, want 1\n%s", code, errOut)
	}

	// No server: the same orders in a store of their own, priced with a
	// payment provider's fees from the config.
	ldir := t.TempDir()
	cfgPath := demoConfigIn(t, ldir)
	b, _ := os.ReadFile(cfgPath)
	pay := "\npayments:\n  - name: card\n    type: stripe\n    secret_key: \"${STRIPE_SECRET_KEY:-sk_test_margin}\"\n" +
		"    webhook_secret: \"${STRIPE_WEBHOOK_SECRET:-whsec_margin}\"\n    fees: { percent: \"2.9\", fixed: \"0.30\" }\n"
	if err := os.WriteFile(cfgPath, append(b, pay...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(ldir, "var"), 0o755); err != nil {
		t.Fatal(err)
	}
	st, err := embedded.Open(filepath.Join(ldir, "var", "dropgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	seedOrders(context.Background(), t, repo.NewOrders(st, clock.Real{}), now)
	st.Close()
	t.Setenv("DROPGATE_URL", "")
	// card fee on 42.00: 1.218 → 1.22 + 0.30 = 1.52; USD margin 23.50 − 1.52 = 21.98 (54.95 %).
	out, errOut, code = dg(t, "reports", "margin", "--config", cfgPath, "--since", "720h", "--by", "channel", "--format", "csv")
	rows, err = csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 3 || rows[2][1] != "shop" || rows[2][10] != "1.52" || rows[2][12] != "21.98" || rows[2][13] != "54.95" {
		t.Fatalf("reports margin on the store (exit %d, %v): %q\n%s", code, err, rows, errOut)
	}
	out, errOut, code = dg(t, "reports", "margin", "--config", cfgPath, "--since", "720h")
	if code != 0 || !strings.Contains(out, "(the store "+filepath.Join(ldir, "var", "dropgate.db")) {
		t.Errorf("reports margin on the store should say where (exit %d):\n%s%s", code, out, errOut)
	}
}
