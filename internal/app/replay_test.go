package app

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	coreapp "github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/config"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

type replaySupConfig struct{}

// replayRegistry knows one supplier type; a replay builds no connector,
// so it never constructs one.
func replayRegistry() *connector.Registry {
	r := connector.NewRegistry()
	connector.RegisterIn(r, connector.Spec[replaySupConfig]{Type: "testsup", Kind: connector.KindSupplier,
		New: func(connector.Env, *replaySupConfig) (connector.Connector, error) {
			return nil, fmt.Errorf("not in a replay")
		}})
	return r
}

const replayNewYAML = `store: { path: ./db }
suppliers:
  - { name: acme, type: testsup, catalog: { file: DIR/acme.csv }, fees: { dropship: "1.50" } }
  - { name: backup, type: testsup, catalog: { file: DIR/backup.csv } }
routing:
  rules:
    - name: mugs
      when: { sku: "MUG-*" }
      suppliers: [backup]
orders: { release: immediately }
`

// replayFixture writes the catalogs and a store holding three orders
// routed to acme (one before the window), plus one queued job.
func replayFixture(t *testing.T, now time.Time) (dir string, cfg *config.Config) {
	t.Helper()
	dir = t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("acme.csv", "supplier_sku,sku,cost,stock\nA-M1,MUG-1,10.00,100\nA-T1,TEE-1,5.00,100\n")
	write("backup.csv", "supplier_sku,sku,cost,stock\nB-M1,MUG-1,12.00,100\n")
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
	put := func(id string, created time.Time, skus ...string) {
		a := model.Aggregate{Created: created, Order: model.Order{ID: id, Channel: "shop", ChannelOrderID: id, Currency: "USD",
			Status: model.OrderProcessing, PaymentStatus: model.PaymentPaid, Totals: model.Totals{Subtotal: usd("100.00"), Total: usd("100.00")},
			ShippingAddress: &model.Address{Name: "A", Line1: "1 Main", City: "X", PostalCode: "1", Country: "US"}}}
		po := model.PurchaseOrder{Number: "PO-" + id, OrderID: id, Supplier: "acme", Status: model.POAcknowledged, Currency: "USD"}
		for i, sku := range skus {
			lid := fmt.Sprint(i + 1)
			cost := map[string]string{"MUG-1": "10.00", "TEE-1": "5.00"}[sku]
			a.Order.Lines = append(a.Order.Lines, model.OrderLine{ID: lid, SKU: sku, Quantity: 1, UnitPrice: usd("50.00")})
			po.Lines = append(po.Lines, model.POLine{LineNo: i + 1, OrderLineID: lid, SKU: sku, Quantity: 1, UnitCost: usd(cost)})
		}
		a.POs = []model.PurchaseOrder{po}
		if _, err := orders.Put(context.Background(), &a, 0); err != nil {
			t.Fatal(err)
		}
		if err := orders.IndexPO(context.Background(), &po); err != nil {
			t.Fatal(err)
		}
	}
	put("o1", now.Add(-24*time.Hour), "MUG-1", "TEE-1")
	put("o2", now.Add(-48*time.Hour), "TEE-1")
	put("old", now.AddDate(0, 0, -60), "MUG-1")
	if _, err := st.Enqueue(context.Background(), store.Job{Queue: coreapp.QueueOutbound, Kind: "test.pending"}); err != nil {
		t.Fatal(err)
	}
	return dir, cfg
}

// snapshot is every order, PO index and exception record (id, version,
// bytes) and every queue's depth: what a side effect would change.
func snapshot(t *testing.T, st store.Store) string {
	t.Helper()
	var lines []string
	for _, kind := range []string{repo.KindOrder, repo.KindPOIndex, repo.KindException} {
		q := store.Query{Limit: 500}
		for {
			recs, next, err := st.ListRecords(context.Background(), kind, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				lines = append(lines, fmt.Sprintf("%s/%s v%d %x", kind, r.ID, r.Version, sha256.Sum256(r.Data)))
			}
			if next == "" {
				break
			}
			q.Cursor = next
		}
	}
	stats, err := st.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stats {
		lines = append(lines, fmt.Sprintf("queue %s ready=%d scheduled=%d inflight=%d waiting=%d dead=%d", s.Queue, s.Ready, s.Scheduled, s.InFlight, s.Waiting, s.Dead))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// The rule sends mugs to backup: o1's mug line moves and o1 splits, o2
// stays, the order before the window is not replayed; the totals are the
// stored POs' and the new plan's to the cent.
func TestReplayReportsTheMovedLines(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	dir, cfg := replayFixture(t, now)
	rd, err := embedded.OpenReader(filepath.Join(dir, "db"), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	rep, err := Replay(context.Background(), cfg, rd, now.AddDate(0, 0, -30), time.Time{}, clock.NewFake(now))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Orders != 2 {
		t.Fatalf("replayed %d orders, want o1 and o2 (old is before the window)", rep.Orders)
	}
	if len(rep.Changed) != 1 || rep.Changed[0].OrderID != "o1" {
		t.Fatalf("changed %+v, want only o1", rep.Changed)
	}
	c := rep.Changed[0]
	if len(c.Lines) != 1 || c.Lines[0].SKU != "MUG-1" || strings.Join(c.Lines[0].From, ",") != "acme" || strings.Join(c.Lines[0].To, ",") != "backup" {
		t.Errorf("o1 lines %+v, want MUG-1 acme → backup", c.Lines)
	}
	if c.POsBefore != 1 || c.POsAfter != 2 {
		t.Errorf("o1 POs %d → %d, want 1 → 2", c.POsBefore, c.POsAfter)
	}
	// Before: o1 10+5+1.50, o2 5+1.50 = 23.00; after: o1 backup 12 +
	// acme 5+1.50, o2 6.50 = 25.00. Margins: 200 − landed.
	usd := func(s string) money.Money { return money.MustParse(s, "USD") }
	for _, w := range []struct {
		name string
		got  []money.Money
		want money.Money
	}{{"landed before", rep.Before.Landed, usd("23.00")}, {"landed after", rep.After.Landed, usd("25.00")},
		{"margin before", rep.Before.Margin, usd("177.00")}, {"margin after", rep.After.Margin, usd("175.00")}} {
		if len(w.got) != 1 || w.got[0] != w.want {
			t.Errorf("%s = %v, want %s", w.name, w.got, w.want)
		}
	}
	if rep.Before.PurchaseOrders != 2 || rep.After.PurchaseOrders != 3 || rep.After.SplitOrders != 1 {
		t.Errorf("before %+v after %+v", rep.Before, rep.After)
	}
}

// A replay writes nothing: read-only, the store file is the same byte for
// byte; on the open store (the server's way), every record keeps its
// version and bytes and no job is queued.
func TestReplayHasNoSideEffects(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	dir, cfg := replayFixture(t, now)
	path := filepath.Join(dir, "db")
	before := fileHash(t, path)
	rd, err := embedded.OpenReader(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Replay(context.Background(), cfg, rd, now.AddDate(0, 0, -30), time.Time{}, clock.NewFake(now)); err != nil {
		t.Fatal(err)
	}
	rd.Close()
	if fileHash(t, path) != before {
		t.Fatal("the store file changed during a read-only replay")
	}

	st, err := embedded.Open(path, embedded.WithClock(clock.NewFake(now)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	snap := snapshot(t, st)
	if !strings.Contains(snap, "order/o1") || !strings.Contains(snap, "ready=1") {
		t.Fatalf("the fixture is not what the test compares:\n%s", snap)
	}
	rep, err := Replay(context.Background(), cfg, st, now.AddDate(0, 0, -30), time.Time{}, clock.NewFake(now))
	if err != nil || len(rep.Changed) != 1 {
		t.Fatalf("replay on the open store: %+v, %v", rep, err)
	}
	if after := snapshot(t, st); after != snap {
		t.Fatalf("the store changed:\nbefore:\n%s\nafter:\n%s", snap, after)
	}
}

// A new config with a problem is reported as FILE:LINE, and no replay
// runs.
func TestReplayConfigProblemsHaveLines(t *testing.T) {
	bad := strings.NewReplacer("suppliers: [backup]", "suppliers: [nobody]", "catalog: { file: DIR/acme.csv }, ", "", "catalog: { file: DIR/backup.csv } ", "").Replace(replayNewYAML)
	_, probs := ParseReplayConfig("NEW.yaml", []byte(bad), config.Options{Registry: replayRegistry()})
	if len(probs) != 1 || !strings.HasPrefix(probs[0].String(), "NEW.yaml:9: routing.rules[0].suppliers[0]: ") {
		t.Fatalf("problems %v, want one at NEW.yaml:9 on routing.rules[0].suppliers[0]", probs)
	}
}
