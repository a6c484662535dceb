// Package scorecard measures how well suppliers perform, from what the
// order aggregates already record (purchase orders, their timeline,
// shipments, tracking events, invoices). It is pure: the caller reads the
// orders and passes them in, so every formula is testable without I/O.
//
// A purchase order counts in the window its PO went out (SentAt); its
// outcomes (acknowledgement, shipping, delivery, invoice) are judged as
// of now, and one still in progress counts only once its deadline passed.
package scorecard

import (
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/model"
)

// DefaultTransit is the delivery allowance on top of ship_within when a
// supplier has no sla.deliver_within.
const DefaultTransit = 5 * 24 * time.Hour

// Terms are the supplier's promises the scorecard measures against
// (its sla: block).
type Terms struct {
	AcknowledgeWithin time.Duration
	ShipWithin        time.Duration
	DeliverWithin     time.Duration
}

func (t Terms) deliverWithin() time.Duration {
	switch {
	case t.DeliverWithin > 0:
		return t.DeliverWithin
	case t.ShipWithin > 0:
		return t.ShipWithin + DefaultTransit
	}
	return 0
}

// Fact is what one purchase order contributes to its supplier's
// scorecard.
type Fact struct {
	PONumber string
	Supplier string
	Sent     time.Time

	// Acked is when the supplier first answered (acknowledged or
	// rejected); zero when it has not. AckDue is the acknowledgement
	// deadline; zero when the supplier has none.
	Acked  time.Time
	AckDue time.Time

	// LinesAnswered are PO lines the supplier answered (not cancelled by
	// us); LinesFilled those it accepted in full.
	LinesAnswered, LinesFilled int64
	// UnitsOrdered (net of our cancellations) and UnitsRejected by the
	// supplier, on answered lines.
	UnitsOrdered, UnitsRejected int64

	// Due is the ship-by deadline (zero: none). Owed says whether the
	// supplier still owed units after its answer; Complete whether it
	// shipped all of them, the last at LastShip.
	Due      time.Time
	Owed     bool
	Complete bool
	LastShip time.Time

	// Packages shipped, and those whose tracking number passes the
	// check-digit detector.
	Packages, ValidTracking int64
	// Deliveries are the packages still expected or delivered (returned
	// and cancelled ones are left out); DeliverDue their deadline.
	Deliveries []Delivery
	DeliverDue time.Time

	// Invoices received for the PO, and those that matched it.
	Invoices, InvoicesMatched int64
}

// Delivery is one package's delivery: Done once the carrier reported it
// delivered, At the time of that scan (zero when it gave none).
type Delivery struct {
	Done bool
	At   time.Time
}

// Validator says whether a tracking number is genuine (its format and
// check digit match a carrier's).
type Validator func(number string) bool

// Facts extracts the facts of supplier's purchase orders in one order
// aggregate. POs never sent (drafts, cancelled before sending) are left
// out: there is nothing to measure.
func Facts(a *model.Aggregate, supplier string, t Terms, valid Validator) []Fact {
	var out []Fact
	for i := range a.POs {
		po := &a.POs[i]
		if po.Supplier != supplier || po.SentAt == nil {
			continue
		}
		out = append(out, poFact(a, po, t, valid))
	}
	return out
}

func poFact(a *model.Aggregate, po *model.PurchaseOrder, t Terms, valid Validator) Fact {
	f := Fact{PONumber: po.Number, Supplier: po.Supplier, Sent: *po.SentAt}
	f.Acked = firstAnswer(a, po)
	switch {
	case po.AckDueAt != nil:
		f.AckDue = *po.AckDueAt
	case t.AcknowledgeWithin > 0:
		f.AckDue = f.Sent.Add(t.AcknowledgeWithin)
	}
	answered := !f.Acked.IsZero() || po.Status == model.PORejected
	var live, shipped int64
	for _, l := range po.Lines {
		net := l.Quantity - l.Cancelled
		if answered && net > 0 {
			f.LinesAnswered++
			f.UnitsOrdered += net
			f.UnitsRejected += min(l.Rejected, net)
			if l.Rejected == 0 {
				f.LinesFilled++
			}
		}
		live += l.Live()
		shipped += min(l.Shipped, l.Live())
	}
	switch {
	case po.ShipDueAt != nil:
		f.Due = *po.ShipDueAt
	case t.ShipWithin > 0:
		f.Due = f.Sent.Add(t.ShipWithin)
	}
	switch {
	case po.Withdrawn():
		// Taken back for missing its SLA: the supplier owed what it had
		// not shipped, and never shipped it (its cancellation makes the
		// rest look not owed, so the lines cannot tell).
		f.Owed = true
	case po.Status == model.POCancelled || po.Status == model.POCancelRequested:
		// The order was cancelled: nothing is owed any more.
	default:
		f.Owed = live > 0
		f.Complete = shipped >= live
	}
	if d := t.deliverWithin(); d > 0 {
		f.DeliverDue = f.Sent.Add(d)
	}
	for _, sh := range a.Shipments {
		if sh.PONumber != po.Number {
			continue
		}
		if sh.ShippedAt.After(f.LastShip) {
			f.LastShip = sh.ShippedAt
		}
		for _, p := range sh.Packages {
			f.Packages++
			if p.TrackingNumber != "" && valid != nil && valid(p.TrackingNumber) {
				f.ValidTracking++
			}
			switch st := packageStatus(sh, p); {
			case st == model.TrackDelivered:
				f.Deliveries = append(f.Deliveries, Delivery{Done: true, At: deliveredAt(p)})
			case st.Final():
				// returned or cancelled: no delivery to time
			default:
				f.Deliveries = append(f.Deliveries, Delivery{})
			}
		}
	}
	prefix := "po:" + po.Number
	for _, e := range a.Timeline {
		if e.Entity != prefix {
			continue
		}
		switch e.Event {
		case "invoice.matched":
			f.Invoices++
			f.InvoicesMatched++
		case "invoice.mismatch":
			f.Invoices++
		}
	}
	return f
}

// firstAnswer is when the supplier first answered the PO: the first
// acknowledgement or rejection on its timeline (a revised 855 later does
// not make the first answer slower), else AcknowledgedAt.
func firstAnswer(a *model.Aggregate, po *model.PurchaseOrder) time.Time {
	prefix := "po:" + po.Number
	for _, e := range a.Timeline {
		if e.Entity != prefix {
			continue
		}
		switch e.Event {
		case "po." + string(model.POAcknowledged), "po." + string(model.POAckWithChanges), "po." + string(model.PORejected):
			return e.At
		}
		if strings.HasPrefix(e.Event, "po.line_") {
			return e.At
		}
	}
	if po.AcknowledgedAt != nil {
		return *po.AcknowledgedAt
	}
	return time.Time{}
}

func packageStatus(sh model.Shipment, p model.Package) model.TrackingStatus {
	if p.Status != "" {
		return p.Status
	}
	return sh.Status
}

// deliveredAt is the time of the package's first delivered scan; zero
// when the carrier reported the status without one.
func deliveredAt(p model.Package) time.Time {
	for _, ev := range p.Events {
		if ev.Status == model.TrackDelivered {
			return ev.At
		}
	}
	return time.Time{}
}
