package scorecard

import (
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/routing"
)

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func at(h int) time.Time         { return t0.Add(time.Duration(h) * time.Hour) }
func ptr(t time.Time) *time.Time { return &t }

var terms = Terms{AcknowledgeWithin: 4 * time.Hour, ShipWithin: 48 * time.Hour, DeliverWithin: 120 * time.Hour}

// valid accepts tracking numbers starting with "1Z" (stands in for the
// check-digit detector).
func valid(n string) bool { return strings.HasPrefix(n, "1Z") }

// sentPO is a PO of acme sent at hour sent, with the lines given.
func sentPO(number string, sent int, lines ...model.POLine) model.PurchaseOrder {
	for i := range lines {
		lines[i].LineNo = i + 1
	}
	return model.PurchaseOrder{Number: number, Supplier: "acme", Status: model.POAcknowledged, SentAt: ptr(at(sent)), Lines: lines}
}

func acked(a *model.Aggregate, po string, h int) {
	a.Log(model.TimelineEntry{At: at(h), Entity: "po:" + po, Event: "po.acknowledged"})
}

func metric(t *testing.T, s Summary, name string) Metric {
	t.Helper()
	m, ok := s.Metrics[name]
	if !ok {
		t.Fatalf("no metric %s", name)
	}
	return m
}

func wantRatio(t *testing.T, s Summary, name string, num, den int64) {
	t.Helper()
	m := metric(t, s, name)
	if m.Num != num || m.Den != den {
		t.Errorf("%s = %d/%d, want %d/%d", name, m.Num, m.Den, num, den)
	}
	if den == 0 {
		if m.Value != nil {
			t.Errorf("%s value %v with no data, want null", name, *m.Value)
		}
		return
	}
	if m.Value == nil || *m.Value != float64(num)/float64(den) {
		t.Errorf("%s value %v, want %v", name, m.Value, float64(num)/float64(den))
	}
}

func summarize(a *model.Aggregate, now time.Time) Summary {
	return Summarize(Facts(a, "acme", terms, valid), now.Add(-30*24*time.Hour), now, now, "30d")
}

func TestAckLatencyAndOnTime(t *testing.T) {
	a := &model.Aggregate{POs: []model.PurchaseOrder{
		sentPO("P1", 0, model.POLine{Quantity: 1}),   // answered in 2h: on time
		sentPO("P2", 0, model.POLine{Quantity: 1}),   // answered in 6h: late
		sentPO("P3", 0, model.POLine{Quantity: 1}),   // never answered, overdue
		sentPO("P4", 200, model.POLine{Quantity: 1}), // never answered, not yet due
	}}
	acked(a, "P1", 2)
	acked(a, "P2", 6)
	acked(a, "P2", 9) // a revised 855 does not make the first answer later
	s := summarize(a, at(202))
	wantRatio(t, s, AckLatency, int64(8*3600), 2)
	if v := *metric(t, s, AckLatency).Value; v != 4*3600 {
		t.Errorf("mean latency %v s, want 14400", v)
	}
	wantRatio(t, s, AckOnTime, 1, 3)
}

func TestFillAndRejectRate(t *testing.T) {
	a := &model.Aggregate{POs: []model.PurchaseOrder{
		sentPO("P1", 0, model.POLine{Quantity: 4, Acknowledged: 4}, model.POLine{Quantity: 2, Acknowledged: 1, Rejected: 1}),
		sentPO("P2", 0, model.POLine{Quantity: 3, Rejected: 3}, model.POLine{Quantity: 5, Cancelled: 5}), // a line we cancelled is not the supplier's
		sentPO("P3", 0, model.POLine{Quantity: 9}), // unanswered: not counted
	}}
	a.POs[1].Status = model.PORejected
	acked(a, "P1", 1)
	s := summarize(a, at(10))
	wantRatio(t, s, FillRate, 1, 3)
	wantRatio(t, s, RejectRate, 4, 9)
}

func TestOnTimeShip(t *testing.T) {
	ship := func(id, po string, h int) model.Shipment {
		return model.Shipment{ID: id, PONumber: po, ShippedAt: at(h), Packages: []model.Package{{TrackingNumber: "1Z" + id}}}
	}
	a := &model.Aggregate{POs: []model.PurchaseOrder{
		sentPO("P1", 0, model.POLine{Quantity: 2, Shipped: 2}),              // shipped at 40h: on time
		sentPO("P2", 0, model.POLine{Quantity: 2, Shipped: 2}),              // last parcel at 50h: late
		sentPO("P3", 0, model.POLine{Quantity: 2, Shipped: 1}),              // half shipped, overdue: late
		sentPO("P4", 0, model.POLine{Quantity: 2, Rejected: 2}),             // nothing owed
		sentPO("P5", 100, model.POLine{Quantity: 2}),                        // not yet due
		sentPO("P6", 0, model.POLine{Quantity: 2, Shipped: 1, Rejected: 1}), // owed 1, shipped 1 at 10h
	}}
	withdrawn := sentPO("P7", 0, model.POLine{Quantity: 2, Cancelled: 2}) // taken back after missing the SLA: late
	withdrawn.Status = model.POCancelled
	withdrawn.SetRef(model.RefWithdrawn, "ship_within")
	cancelled := sentPO("P8", 0, model.POLine{Quantity: 2}) // the channel cancelled the order: not the supplier's
	cancelled.Status = model.POCancelRequested
	a.POs = append(a.POs, withdrawn, cancelled)
	a.Shipments = []model.Shipment{ship("a", "P1", 40), ship("b", "P2", 10), ship("c", "P2", 50), ship("d", "P3", 10), ship("e", "P6", 10)}
	s := summarize(a, at(110))
	wantRatio(t, s, OnTimeShip, 2, 5)
}

func TestValidTracking(t *testing.T) {
	a := &model.Aggregate{POs: []model.PurchaseOrder{sentPO("P1", 0, model.POLine{Quantity: 3, Shipped: 3})}}
	a.Shipments = []model.Shipment{{PONumber: "P1", ShippedAt: at(5), Packages: []model.Package{
		{TrackingNumber: "1Z999AA10123456784"}, {TrackingNumber: "12345"}, {}, // none: not valid either
	}}}
	wantRatio(t, summarize(a, at(10)), ValidTracking, 1, 3)
}

func TestDeliveredOnTime(t *testing.T) {
	delivered := func(h int) model.Package {
		return model.Package{Status: model.TrackDelivered, Events: []model.TrackingEvent{{At: at(h - 5), Status: model.TrackInTransit}, {At: at(h), Status: model.TrackDelivered}}}
	}
	a := &model.Aggregate{POs: []model.PurchaseOrder{sentPO("P1", 0, model.POLine{Quantity: 5, Shipped: 5})}}
	a.Shipments = []model.Shipment{{PONumber: "P1", ShippedAt: at(5), Status: model.TrackInTransit, Packages: []model.Package{
		delivered(100),                 // on time (due at 120h)
		delivered(130),                 // late
		{Status: model.TrackInTransit}, // overdue at 150h
		{Status: model.TrackReturned},  // not a delivery
		{Status: model.TrackDelivered}, // delivered without a scan time: cannot judge
	}}}
	wantRatio(t, summarize(a, at(150)), DeliveredOnTime, 1, 3)
	// Before the deadline the parcel in transit may still make it.
	wantRatio(t, summarize(a, at(119)), DeliveredOnTime, 1, 2)
}

func TestInvoiceAccuracy(t *testing.T) {
	a := &model.Aggregate{POs: []model.PurchaseOrder{sentPO("P1", 0, model.POLine{Quantity: 1}), sentPO("P2", 0, model.POLine{Quantity: 1})}}
	a.Log(model.TimelineEntry{At: at(50), Entity: "po:P1", Event: "invoice.matched"})
	a.Log(model.TimelineEntry{At: at(50), Entity: "po:P2", Event: "invoice.mismatch"})
	a.Log(model.TimelineEntry{At: at(60), Entity: "po:P2", Event: "invoice.matched"})
	wantRatio(t, summarize(a, at(100)), InvoiceAccuracy, 2, 3)
}

func TestWindowsAndWeeks(t *testing.T) {
	now := at(24 * 100)
	var facts []Fact
	for _, daysAgo := range []int{1, 5, 20, 60, 120} {
		facts = append(facts, Fact{Supplier: "acme", Sent: now.Add(-time.Duration(daysAgo) * 24 * time.Hour)})
	}
	c := Build("acme", facts, now)
	for label, want := range map[string]int{"7d": 2, "30d": 3, "90d": 4} {
		s, ok := c.Window(label)
		if !ok || s.POs != want {
			t.Errorf("window %s: %d POs (found %v), want %d", label, s.POs, ok, want)
		}
	}
	if len(c.Weekly) != Weeks {
		t.Fatalf("%d weeks, want %d", len(c.Weekly), Weeks)
	}
	total := 0
	for _, w := range c.Weekly {
		total += w.POs
	}
	if total != 4 || c.Weekly[Weeks-1].POs != 2 {
		t.Errorf("weekly POs total %d, last week %d; want 4 and 2", total, c.Weekly[Weeks-1].POs)
	}
}

func TestMeasure(t *testing.T) {
	v := func(f float64) *float64 { return &f }
	s := Summary{Label: "30d", POs: 25, Metrics: map[string]Metric{
		FillRate:   {Value: v(0.9), Num: 9, Den: 10},
		OnTimeShip: {Value: v(0.5), Num: 1, Den: 2},
		RejectRate: {Value: v(0.1), Num: 1, Den: 10},
		AckOnTime:  {}, // no data: left out, the rest re-weighted
	}}
	m, ok := Measure(s, map[string]float64{routing.InputFillRate: 0.5, routing.InputOnTime: 0.25, routing.InputReject: 0.25, routing.InputAckLatency: 1})
	// (0.9×0.5 + 0.5×0.25 + 0.9×0.25) / 1 = 0.8
	if !ok || m.Score != 80 || m.Samples != 25 || len(m.Inputs) != 3 {
		t.Fatalf("Measure = %+v, %v; want score 80 from 3 inputs", m, ok)
	}
	if _, ok := Measure(Summary{Metrics: map[string]Metric{}}, routing.DefaultWeights()); ok {
		t.Error("a summary without data measured a score")
	}
}

func TestFormat(t *testing.T) {
	half, secs := 0.5, 5400.0
	for _, tt := range []struct {
		name string
		m    Metric
		want string
	}{
		{FillRate, Metric{Value: &half, Num: 1, Den: 2}, "50.0% (1/2)"},
		{AckLatency, Metric{Value: &secs, Num: 10800, Den: 2}, "1h30m0s (2 POs)"},
		{FillRate, Metric{}, "-"},
	} {
		if got := Format(tt.name, tt.m); got != tt.want {
			t.Errorf("Format(%s, %+v) = %q, want %q", tt.name, tt.m, got, tt.want)
		}
	}
}
