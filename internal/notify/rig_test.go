package notify

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/apptest"
)

// settle runs every ready job as the worker settles it: done, retried
// (at once: the fake clock stands still) or buried. It returns the
// errors the notify handlers returned; other jobs are dropped.
func settle(t *testing.T, r *apptest.Rig) []error {
	t.Helper()
	ctx := context.Background()
	var errs []error
	for i := 0; i < 100; i++ {
		j := r.NextReady(time.Minute)
		if j == nil {
			return errs
		}
		if !strings.HasPrefix(j.Kind, "notify.") {
			// Other services' jobs on the same events (the fulfillment
			// push) have no connectors here.
			if err := r.Store.Ack(ctx, j); err != nil {
				t.Fatal(err)
			}
			continue
		}
		herr := r.S.Mux.Serve(ctx, j)
		var err error
		switch class, _ := fault.Classify(herr); class {
		case fault.ClassNone:
			err = r.Store.Ack(ctx, j)
		case fault.ClassPermanent:
			errs = append(errs, herr)
			err = r.Store.Bury(ctx, j, herr)
		default:
			errs = append(errs, herr)
			err = r.Store.Retry(ctx, j, r.Clock.Now(), herr, true)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("jobs keep coming")
	return nil
}

// shippedOrder stores an order with one shipment of two parcels and
// returns it with its shipment event.
func shippedOrder(t *testing.T, r *apptest.Rig) (*model.Aggregate, model.Event) {
	t.Helper()
	o := apptest.NewOrder("shop", "1001", apptest.Line("l1", "MUG-1", 2), apptest.Line("l2", "CUP-9", 1))
	o.Lines[0].Title = "Blue mug"
	o.Customer = model.Customer{Name: "Ada Lovelace", Email: "ada@example.com"}
	a := &model.Aggregate{Order: *o, Created: apptest.Start}
	a.Shipments = []model.Shipment{{ID: "shp_1", OrderID: o.ID, PONumber: "PO1", Supplier: "acme", Carrier: "ups",
		Packages: []model.Package{
			{TrackingNumber: "1Z999AA10123456784", TrackingURL: "https://track.example/1Z999AA10123456784",
				Lines: []model.ShipmentLine{{OrderLineID: "l1", Quantity: 2}}},
			{TrackingNumber: "1Z999AA10123456785", Lines: []model.ShipmentLine{{OrderLineID: "l2", Quantity: 1}}},
		}}}
	if err := r.Deps.Orders.Create(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a, model.Event{Type: model.EvShipmentCreated, At: apptest.Start, OrderID: o.ID, ShipmentID: "shp_1", PONumber: "PO1"}
}

func publish(t *testing.T, r *apptest.Rig, a *model.Aggregate, ev model.Event) {
	t.Helper()
	if err := r.Deps.Events.Publish(context.Background(), a, []model.Event{ev}); err != nil {
		t.Fatal(err)
	}
}

func timelineOf(r *apptest.Rig, id, event string) []model.TimelineEntry {
	var out []model.TimelineEntry
	for _, e := range r.Order(id).Timeline {
		if e.Event == event {
			out = append(out, e)
		}
	}
	return out
}

func deadLetters(t *testing.T, r *apptest.Rig) []store.Job {
	t.Helper()
	js, _, err := r.Store.DeadLetters(context.Background(), "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func header(msg, name string) string {
	for _, l := range strings.Split(msg, "\r\n") {
		if l == "" {
			break
		}
		if k, v, ok := strings.Cut(l, ": "); ok && strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

func writeFile(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func secretOf(s string) connector.Secret { return connector.Secret(s) }
