package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/app/reconcile"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
)

// TestSweepCatchesWhatWebhooksMissed: two orders are placed on the store
// with no webhook (a removed subscription); one more arrives by webhook.
// The sweep (the server's own at start-up, or `dropgate reconcile`
// through it, whichever sees them first) takes the two in exactly once,
// counts them as missed and raises an exception saying the shop's
// webhooks stopped; the webhook's order is not taken twice, and a further
// sweep adds nothing.
func TestSweepCatchesWhatWebhooksMissed(t *testing.T) {
	t.Parallel()
	l := newLoop(t, []supplierSpec{{name: "acme", rows: []string{"MUG,3.00,50"}, shipAfter: time.Hour}})
	var missed []model.Order
	for range 2 {
		// Placed an hour ago: long enough for a webhook to have come.
		o, err := l.fake.AddOrder(shopifyfake.NewOrder{Email: "ada@example.com", Currency: "USD", CreatedAt: time.Now().Add(-time.Hour),
			Lines:           []shopifyfake.NewLineItem{item("MUG", 1, "14.95")},
			ShippingAddress: shopifyfake.Address{FirstName: "Ada", Address1: "1 Row", City: "Austin", ProvinceCode: "TX", CountryCode: "US", Zip: "78701"}})
		if err != nil {
			t.Fatal(err)
		}
		missed = append(missed, model.Order{ID: orderIDOf(o)})
	}
	o, body := l.order(item("MUG", 1, "14.95"))
	l.webhook("orders/create", body)
	l.wait(orderIDOf(o), "the webhook's order", func(a *model.Aggregate) bool { return len(a.POs) == 1 })

	cfg := absConfig(t, l.dir)
	sweep := func() reconcile.Report {
		t.Helper()
		out, errOut, code := dg(t, "reconcile", "--config", cfg, "--channel", "shop", "--url", l.srv.url, "--token", loopAdmin, "--json")
		if code != 0 {
			t.Fatalf("reconcile: exit %d: %s", code, errOut)
		}
		var rep reconcile.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("reconcile output: %v: %s", err, out)
		}
		return rep
	}
	if rep := sweep(); rep.Orders != 3 {
		t.Fatalf("sweep: %+v, want the 3 orders listed", rep)
	}
	for _, m := range missed {
		l.wait(m.ID, "the swept order's PO", func(a *model.Aggregate) bool { return len(a.POs) == 1 && a.POs[0].Status != model.PODraft })
	}
	var x struct{ Exceptions []model.Exception }
	l.admin("/exceptions?kind="+string(model.ExWebhooksStopped), &x)
	if len(x.Exceptions) != 1 || x.Exceptions[0].Supplier != "shop" {
		t.Errorf("webhooks_stopped exceptions: %+v", x.Exceptions)
	}
	if rep := sweep(); rep.New != 0 || rep.Missed != 0 {
		t.Errorf("another sweep: %+v, want nothing new", rep)
	}
	if got := metricValue(t, l.srv.url, `dropgate_webhooks_missed_total{channel="shop"}`); got != "2" {
		t.Errorf("webhooks missed counted %q times, want 2", got)
	}
	a := l.wait(orderIDOf(o), "the webhook's order", func(*model.Aggregate) bool { return true })
	if len(a.POs) != 1 {
		t.Errorf("the webhook's order has %d POs after the sweeps", len(a.POs))
	}
}

// absConfig is the loop's config with its relative paths made absolute,
// for a command run from another directory.
func absConfig(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "configs", "demo.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "configs", "abs.yaml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(b), "./", dir+"/")), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// metricValue reads one sample of the server's /metrics ("" when absent).
func metricValue(t *testing.T, url, sample string) string {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			return v
		}
	}
	return ""
}
