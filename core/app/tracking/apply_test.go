package tracking

import (
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
)

func order() *model.Aggregate {
	return &model.Aggregate{Order: model.Order{ID: "o1", Lines: []model.OrderLine{{ID: "l1", Quantity: 1}}},
		Shipments: []model.Shipment{{ID: "s1", OrderID: "o1", Carrier: "usps", Status: model.TrackLabelCreated,
			Packages: []model.Package{{TrackingNumber: "9400111206206406260787", Lines: []model.ShipmentLine{{OrderLineID: "l1", Quantity: 1}}}}}}}
}

func upd(st model.TrackingStatus, code string, at time.Time) connector.TrackingUpdate {
	return connector.TrackingUpdate{TrackingNumber: "9400111206206406260787", Event: model.TrackingEvent{At: at, Status: st, Code: code}}
}

func TestDeliveredThenLateInTransitChangesNothing(t *testing.T) {
	a := order()
	p := Parcel{Order: "o1", Shipment: "s1", Number: "9400111206206406260787"}
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	st := lifecycle.Step{At: t0}
	var types []model.EventType
	for i, s := range []model.TrackingStatus{model.TrackInTransit, model.TrackOutForDelivery, model.TrackDelivered} {
		out := applyUpdate(a, p, upd(s, string(s)+"_code", t0.Add(time.Duration(i)*time.Hour)), st)
		for _, e := range out.Events {
			types = append(types, e.Type)
		}
	}
	if got := a.Shipments[0].Status; got != model.TrackDelivered {
		t.Fatalf("shipment status %q, want delivered", got)
	}
	if a.Order.Status != model.OrderDelivered {
		t.Fatalf("order status %q, want delivered", a.Order.Status)
	}
	want := []model.EventType{model.EvTrackingUpdated, model.EvTrackingUpdated, model.EvTrackingUpdated, model.EvShipmentDelivered}
	if len(types) != len(want) {
		t.Fatalf("events %v, want %v", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("events %v, want %v", types, want)
		}
	}
	if c := a.Shipments[0].Packages[0].Events[2].Code; c != "delivered_code" {
		t.Fatalf("carrier code %q not kept", c)
	}
	logLen := len(a.Timeline)
	out := applyUpdate(a, p, upd(model.TrackInTransit, "late", t0.Add(-time.Hour)), st)
	if len(out.Events) != 0 || a.Shipments[0].Status != model.TrackDelivered || a.Order.Status != model.OrderDelivered || len(a.Timeline) != logLen {
		t.Fatalf("late in transit moved something: events %v, shipment %q, order %q", out.Events, a.Shipments[0].Status, a.Order.Status)
	}
	again := applyUpdate(a, p, upd(model.TrackInTransit, "late", t0.Add(-time.Hour)), st)
	if again.Changed {
		t.Fatal("a replayed scan changed the order")
	}
}

func TestReturningAndException(t *testing.T) {
	a := order()
	p := Parcel{Order: "o1", Shipment: "s1", Number: "9400111206206406260787"}
	st := lifecycle.Step{At: time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)}
	out := applyUpdate(a, p, upd(model.TrackReturningToSender, "return_to_sender", time.Time{}), st)
	if n := len(out.Events); n != 2 || out.Events[1].Type != model.EvShipmentReturning {
		t.Fatalf("events %+v, want tracking.updated + shipment.returning", out.Events)
	}
	b := order()
	out = applyUpdate(b, p, upd(model.TrackFailure, "package_lost", time.Time{}), st)
	if n := len(out.Events); n != 2 || out.Events[1].Type != model.EvShipmentException {
		t.Fatalf("events %+v, want tracking.updated + shipment.exception", out.Events)
	}
}

func TestPollBacksOff(t *testing.T) {
	if nextPoll(0) != Poll || nextPoll(1) != 2*Poll || nextPoll(20) != MaxPoll {
		t.Fatalf("back-off %v %v %v", nextPoll(0), nextPoll(1), nextPoll(20))
	}
}

type namer struct{}

func (namer) DetectCarrier(string) (string, bool) { return "", false }
func (namer) CarrierFromName(name string) (string, bool) {
	if name == "UPS Ground" {
		return "ups", true
	}
	return "", false
}

// A shipment's carrier written as a service name finds its connector.
func TestCarrierCodeByName(t *testing.T) {
	s := &Service{detector: namer{}}
	if got := s.carrierCode("UPS Ground"); got != "ups" {
		t.Errorf("UPS Ground = %q, want ups", got)
	}
	if got := s.carrierCode(" OnTrac "); got != "ontrac" {
		t.Errorf("an unnamed carrier = %q, want it lower-cased", got)
	}
	if got := (&Service{}).carrierCode("FedEx"); got != "fedex" {
		t.Errorf("without a namer = %q", got)
	}
}
