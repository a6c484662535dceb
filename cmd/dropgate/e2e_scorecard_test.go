package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/internal/app"
	"github.com/dropgate/dropgate/internal/config"
)

// scoreConfigIn is the demo config with a second EDI supplier, backup,
// carrying the same catalog; acme's prior score is 90, backup's 50, and
// routing ranks by score with measured scores after 3 POs.
func scoreConfigIn(t *testing.T, dir string) string {
	t.Helper()
	path := demoConfigIn(t, dir)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start, end := strings.Index(text, "  - name: acme"), strings.Index(text, "\nrouting:")
	if start < 0 || end < start {
		t.Fatal("the demo config's shape changed: no acme block before routing")
	}
	acme := strings.Replace(text[start:end], "    priority: 1\n", "    priority: 1\n    score: 90\n", 1)
	backup := strings.Replace(strings.ReplaceAll(text[start:end], "acme", "backup"), "    priority: 1\n", "    priority: 2\n    score: 50\n", 1)
	text = text[:start] + acme + "\n" + backup + strings.Replace(text[end:], "  strategy: cheapest\n", "  strategy: score\n  score: { min_samples: 3, window: 30d }\n", 1)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// rejectedPO is an order whose PO to acme went out two days ago and was
// rejected an hour later: on time, but nothing filled.
func rejectedPO(n int, now time.Time) *model.Aggregate {
	sent, ack := now.Add(-48*time.Hour), now.Add(-47*time.Hour)
	id := "ord_seed" + string(rune('a'+n))
	po := "POSEED" + string(rune('A'+n))
	a := &model.Aggregate{
		Order: model.Order{ID: id, Channel: "shop", ChannelOrderID: id, Lines: []model.OrderLine{{ID: "l1", SKU: "MUG-BLK-11", Quantity: 1}}},
		POs: []model.PurchaseOrder{{Number: po, OrderID: id, Supplier: "acme", Status: model.PORejected, SentAt: &sent, AcknowledgedAt: &ack,
			Lines: []model.POLine{{LineNo: 1, OrderLineID: "l1", SKU: "MUG-BLK-11", Quantity: 1, Rejected: 1}}}},
		Created: sent.Add(-time.Minute),
	}
	a.Log(model.TimelineEntry{At: ack, Entity: "po:" + po, Event: "po.rejected"})
	return a
}

// TestMeasuredScoresRouteAwayFromAWeakSupplier: acme's stored history
// (three rejected POs) measures it below backup's prior, so an order its
// prior would have sent to acme goes to backup — in route --explain, in
// the live routing of a triggered order and its timeline — and the
// scorecard command shows the counts behind it.
func TestMeasuredScoresRouteAwayFromAWeakSupplier(t *testing.T) {
	dir := t.TempDir()
	path := scoreConfigIn(t, dir)
	s := serveIn(t, dir, path, func(ctx context.Context, a *app.App) {
		orders := repo.NewOrders(a.Store, clock.Real{})
		for n := range 3 {
			if err := orders.Create(ctx, rejectedPO(n, time.Now().UTC())); err != nil {
				t.Fatal(err)
			}
		}
	})
	adm := s.admin()

	out, errOut, code := dg(t, append([]string{"suppliers", "scorecard", "acme"}, adm...)...)
	if code != 0 || !strings.Contains(out, "0.0% (0/3)") || !strings.Contains(out, "100.0% (3/3)") ||
		!strings.Contains(out, "routing score: 33 measured over 30d from 3 POs (prior 90)") {
		t.Fatalf("suppliers scorecard acme (exit %d): want fill_rate 0/3, ack_on_time 3/3 and the routing score:\n%s%s", code, out, errOut)
	}

	order := filepath.Join(dir, "order.json")
	if err := os.WriteFile(order, []byte(`{"id": 9007199254740993, "name": "#1001", "currency": "USD",
 "shipping_address": {"name": "Ada", "address1": "1 Road", "city": "Austin", "province_code": "TX", "zip": "78701", "country_code": "US"},
 "line_items": [{"id": 1, "sku": "MUG-BLK-11", "quantity": 2, "price": "14.95"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = dg(t, "route", "--config", path, "--explain", order, "--url", s.url, "--token", config.DemoAdminToken)
	// fill_rate 0 × 0.4 and ack_latency 1 × 0.2: 33, below backup's prior 50.
	for _, want := range []string{"winner   backup", "score: acme: 33 measured over 30d from 3 POs (prior 90)", "score: backup: 50 prior"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("route --explain (exit %d) lacks %q:\n%s%s", code, want, out, errOut)
		}
	}

	trigger := []string{"trigger", "--config", path, "--connector", "shop", "--event", "orders/create", "--url", s.url}
	if out, errOut, code := dg(t, trigger...); code != 0 {
		t.Fatalf("trigger: exit %d\n%s%s", code, out, errOut)
	}
	var routed map[string]any
	waitJSON(t, func(v map[string]any) bool {
		for _, o := range list(v, "orders") {
			if field(o, "channel_order_id") != "" && !strings.HasPrefix(field(o, "id"), "ord_seed") && len(list(o.(map[string]any), "suppliers")) > 0 {
				routed = o.(map[string]any)
				return true
			}
		}
		return false
	}, append([]string{"orders", "list", "--json"}, adm...)...)
	if sups := list(routed, "suppliers"); len(sups) != 1 || sups[0] != "backup" {
		t.Fatalf("the triggered order went to %v, want backup", sups)
	}
	out, _, _ = dg(t, append([]string{"orders", "show", field(routed, "id"), "--json"}, adm...)...)
	var agg model.Aggregate
	if err := json.Unmarshal([]byte(out), &agg); err != nil {
		t.Fatalf("orders show --json: %v\n%s", err, out)
	}
	found := false
	for _, e := range agg.Timeline {
		if e.Event == "routing.decided" && strings.HasPrefix(e.Data["score.acme"], "33 measured") {
			found = true
		}
	}
	if !found {
		t.Errorf("no routing.decided entry with acme's measured score in %+v", agg.Timeline)
	}
}
