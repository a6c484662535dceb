package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/internal/config"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// TestReplayThousandOrders: 1,000 stored orders all routed to acme; the
// new rule sends mugs to backup. Every even order (a mug and a tee)
// moves its mug line and splits, every odd one (a tee) stays; the totals
// are computed by hand below; the store is the same record for record
// before and after.
func TestReplayThousandOrders(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	for name, body := range map[string]string{
		"acme.csv":   "supplier_sku,sku,cost,stock\nA-M1,MUG-1,10.00,100000\nA-T1,TEE-1,5.00,100000\n",
		"backup.csv": "supplier_sku,sku,cost,stock\nB-M1,MUG-1,12.00,100000\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, probs := ParseReplayConfig(filepath.Join(dir, "new.yaml"), []byte(strings.ReplaceAll(replayNewYAML, "DIR", dir)), config.Options{Registry: replayRegistry()})
	if len(probs) > 0 {
		t.Fatalf("config: %v", probs)
	}
	st, err := embedded.Open(filepath.Join(dir, "db"), embedded.WithClock(clock.NewFake(now)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	orders := repo.NewOrders(st, clock.NewFake(now))
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	const n = 1000
	for i := range n {
		id := fmt.Sprintf("o%04d", i)
		skus := []string{"TEE-1"}
		if i%2 == 0 {
			skus = []string{"MUG-1", "TEE-1"}
		}
		a := model.Aggregate{Created: now.Add(-time.Duration(i) * time.Minute), Order: model.Order{ID: id, Channel: "shop", ChannelOrderID: id,
			Currency: "USD", Status: model.OrderProcessing, PaymentStatus: model.PaymentPaid, Totals: model.Totals{Subtotal: usd("100.00"), Total: usd("100.00")},
			ShippingAddress: &model.Address{Name: "A", Line1: "1 Main", City: "X", PostalCode: "1", Country: "US"}}}
		po := model.PurchaseOrder{Number: "PO-" + id, OrderID: id, Supplier: "acme", Status: model.POAcknowledged, Currency: "USD"}
		for j, sku := range skus {
			lid := fmt.Sprint(j + 1)
			cost := map[string]string{"MUG-1": "10.00", "TEE-1": "5.00"}[sku]
			a.Order.Lines = append(a.Order.Lines, model.OrderLine{ID: lid, SKU: sku, Quantity: 1, UnitPrice: usd("50.00")})
			po.Lines = append(po.Lines, model.POLine{LineNo: j + 1, OrderLineID: lid, SKU: sku, Quantity: 1, UnitCost: usd(cost)})
		}
		a.POs = []model.PurchaseOrder{po}
		if _, err := orders.Put(context.Background(), &a, 0); err != nil {
			t.Fatal(err)
		}
		if err := orders.IndexPO(context.Background(), &po); err != nil {
			t.Fatal(err)
		}
	}
	before := snapshot(t, st)
	rep, err := Replay(context.Background(), cfg, st, now.AddDate(0, 0, -30), time.Time{}, clock.NewFake(now))
	if err != nil {
		t.Fatal(err)
	}
	if after := snapshot(t, st); after != before {
		t.Fatal("the store changed during the replay")
	}
	if rep.Orders != n || len(rep.Changed) != n/2 {
		t.Fatalf("replayed %d orders, %d changed; want %d and %d", rep.Orders, len(rep.Changed), n, n/2)
	}
	for _, c := range rep.Changed {
		var i int
		fmt.Sscanf(c.OrderID, "o%04d", &i)
		if i%2 != 0 || len(c.Lines) != 1 || c.Lines[0].SKU != "MUG-1" || strings.Join(c.Lines[0].From, ",") != "acme" ||
			strings.Join(c.Lines[0].To, ",") != "backup" || c.POsBefore != 1 || c.POsAfter != 2 {
			t.Fatalf("change %+v; want only even orders, MUG-1 acme → backup, 1 → 2 POs", c)
		}
	}
	// Landed before: even 10 + 5 + 1.50 fee = 16.50, odd 5 + 1.50 = 6.50,
	// 500 of each = 11,500.00. After: even backup 12 + acme 5 + 1.50 =
	// 18.50, odd 6.50 = 12,500.00. Margins: 1,000 × 100.00 − landed.
	for _, w := range []struct {
		name string
		got  []money.Money
		want string
	}{{"landed before", rep.Before.Landed, "11500.00"}, {"landed after", rep.After.Landed, "12500.00"},
		{"margin before", rep.Before.Margin, "88500.00"}, {"margin after", rep.After.Margin, "87500.00"}} {
		if len(w.got) != 1 || w.got[0] != usd(w.want) {
			t.Errorf("%s = %v, want %s", w.name, w.got, w.want)
		}
	}
	if rep.Before.PurchaseOrders != n || rep.After.PurchaseOrders != n+n/2 || rep.After.SplitOrders != n/2 {
		t.Errorf("before %+v after %+v", rep.Before, rep.After)
	}
}
