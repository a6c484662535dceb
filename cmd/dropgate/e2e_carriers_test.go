package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/carrier/easypost"
	"github.com/dropgate/dropgate/core/model"
)

const carriersSecret = "sécret" // non-ASCII: EasyPost keys the HMAC with its NFKD form

// carriersLoop is the loop world with an EasyPost carrier added: the
// server is restarted on the same store with a `carriers:` block.
func carriersLoop(t *testing.T) *loop {
	t.Helper()
	l := newLoop(t, []supplierSpec{{name: "acme", rows: []string{"MUG,3.00,50"}}})
	l.srv.stop(t)
	cfg := filepath.Join(l.dir, "configs", "demo.yaml")
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "carriers:\n  - name: easypost\n    type: easypost\n    webhook_secret: \"${E2E_EASYPOST_SECRET:-%s}\"\n", carriersSecret)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	l.srv = startServer(t, l.dir)
	return l
}

// carriersEvent is an EasyPost tracker.updated event for number.
func carriersEvent(id, number, status, detail string, at time.Time) []byte {
	return []byte(fmt.Sprintf(`{"id":%q,"object":"Event","description":"tracker.updated","mode":"test","result":{"id":"trk_1","object":"Tracker",`+
		`"tracking_code":%q,"carrier":"UPS","status":%q,"status_detail":%q,"updated_at":%q,"tracking_details":[{"object":"TrackingDetail",`+
		`"message":"%s","status":%q,"status_detail":%q,"datetime":%q}]}}`,
		id, number, status, detail, at.Format(time.RFC3339), status, status, detail, at.Format(time.RFC3339)))
}

// carriersPost posts an EasyPost delivery signed with sig and returns the
// response status.
func carriersPost(t *testing.T, l *loop, body []byte, sig string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, l.srv.url+"/webhooks/easypost", bytes.NewReader(body))
	req.Header.Set(easypost.HeaderSignature, sig)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func carriersPackage(a *model.Aggregate) *model.Package {
	if len(a.Shipments) == 0 || len(a.Shipments[0].Packages) == 0 {
		return nil
	}
	return &a.Shipments[0].Packages[0]
}

// TestEasyPostWebhooksDeliverTheOrder: in transit → out for delivery →
// delivered moves the shipment and order to delivered; a forged delivery
// is refused; a late "in transit" after delivered changes nothing.
func TestEasyPostWebhooksDeliverTheOrder(t *testing.T) {
	t.Parallel()
	l := carriersLoop(t)
	o, body := l.order(item("MUG", 1, "14.95"))
	l.webhook("orders/create", body)
	id := orderIDOf(o)
	a := l.wait(id, "shipped", func(a *model.Aggregate) bool {
		return a.Order.Status == model.OrderShipped && carriersPackage(a) != nil && carriersPackage(a).TrackingNumber != ""
	})
	number := carriersPackage(a).TrackingNumber
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

	forged := carriersEvent("evt_forged", number, "delivered", "arrived_at_destination", t0)
	if code := carriersPost(t, l, forged, easypost.Sign("wrong", forged)); code/100 == 2 {
		t.Fatalf("forged delivery answered %d", code)
	}
	steps := []struct{ status, detail string }{{"in_transit", "arrived_at_facility"}, {"out_for_delivery", "out_for_delivery"}, {"delivered", "arrived_at_destination"}}
	for i, s := range steps {
		ev := carriersEvent(fmt.Sprintf("evt_%d", i), number, s.status, s.detail, t0.Add(time.Duration(i)*time.Hour))
		if code := carriersPost(t, l, ev, easypost.Sign(carriersSecret, ev)); code != 200 {
			t.Fatalf("%s: %d", s.status, code)
		}
	}
	a = l.wait(id, "delivered", func(a *model.Aggregate) bool { return a.Order.Status == model.OrderDelivered })
	if a.Shipments[0].Status != model.TrackDelivered {
		t.Fatalf("shipment %q", a.Shipments[0].Status)
	}
	if !hasEvent(a, string(model.EvShipmentDelivered), model.CauseWebhook) {
		t.Errorf("no shipment.delivered in the timeline")
	}
	// The 856 may already have put the parcel in transit; out for
	// delivery and delivered are each one move on the timeline.
	moves := map[string]int{}
	for _, e := range a.Timeline {
		if e.Event == string(model.EvTrackingUpdated) {
			moves[e.To]++
		}
	}
	if moves["out_for_delivery"] != 1 || moves["delivered"] != 1 {
		t.Errorf("tracking moves %v, want one to out_for_delivery and one to delivered", moves)
	}
	if c := carriersPackage(a).Events[len(carriersPackage(a).Events)-1].Code; c != "delivered/arrived_at_destination" {
		t.Errorf("carrier code %q not kept", c)
	}

	late := carriersEvent("evt_late", number, "in_transit", "departed_facility", t0.Add(30*time.Minute))
	if code := carriersPost(t, l, late, easypost.Sign(carriersSecret, late)); code != 200 {
		t.Fatalf("late: %d", code)
	}
	// The late scan is kept on the package (the point it was processed),
	// and moves nothing.
	b := l.wait(id, "the late scan recorded", func(a *model.Aggregate) bool {
		for _, e := range carriersPackage(a).Events {
			if e.Code == "in_transit/departed_facility" {
				return true
			}
		}
		return false
	})
	if b.Order.Status != model.OrderDelivered || b.Shipments[0].Status != model.TrackDelivered || carriersPackage(b).Status != model.TrackDelivered {
		t.Fatalf("late in transit moved the order: order %s, shipment %s", b.Order.Status, b.Shipments[0].Status)
	}
	if len(b.Timeline) != len(a.Timeline) {
		t.Errorf("late in transit wrote the timeline: %d → %d entries", len(a.Timeline), len(b.Timeline))
	}
}
