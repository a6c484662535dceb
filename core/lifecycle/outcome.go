package lifecycle

import "github.com/dropgate/dropgate/core/model"

// Outcome tells the caller what a step changed and what follows from it.
// What follows is a list of domain events (model.Event): the caller saves
// the order, then publishes them to the services that subscribe
// (core/event): a drafted PO is sent, a shipment pushed to the channel,
// an exception raised, a cancellation requested.
type Outcome struct {
	Changed bool
	// Reroute: some units are open again (rejected, withdrawn) and need
	// another supplier, in the same update.
	Reroute bool
	Events  []model.Event
}

func (o *Outcome) emit(ev model.Event) { o.Events = append(o.Events, ev) }

// Add appends another step's outcome.
func (o *Outcome) Add(b Outcome) {
	o.Changed = o.Changed || b.Changed
	o.Reroute = o.Reroute || b.Reroute
	o.Events = append(o.Events, b.Events...)
}

func (o *Outcome) raise(kind model.ExceptionKind, a *model.Aggregate, po *model.PurchaseOrder, reason string, actions ...string) {
	x := model.Exception{Kind: kind, OrderID: a.Order.ID, Reason: reason, Actions: actions}
	if po != nil {
		x.PONumber, x.Supplier = po.Number, po.Supplier
	}
	o.emit(model.Event{Type: model.EvExceptionRaised, PONumber: x.PONumber, Supplier: x.Supplier, Exception: &x})
}

func (o *Outcome) settle(po string, why string, kinds ...model.ExceptionKind) {
	o.emit(model.Event{Type: model.EvExceptionsSettled, PONumber: po, Settlement: &model.Settlement{Kinds: kinds, PONumber: po, Why: why}})
}

// Settle adds a settlement of the order's exceptions of kinds (of one PO
// when po is set), made by by.
func (o *Outcome) Settle(po, why, by string, kinds ...model.ExceptionKind) {
	o.settle(po, why, kinds...)
	o.Events[len(o.Events)-1].Settlement.By = by
}

// Emit adds an event.
func (o *Outcome) Emit(ev model.Event) { o.emit(ev) }

// Raise adds an exception for a person (of po's supplier when po is set).
func (o *Outcome) Raise(kind model.ExceptionKind, a *model.Aggregate, po *model.PurchaseOrder, reason string, actions ...string) {
	o.raise(kind, a, po, reason, actions...)
}

// Of returns the events of one type.
func (o Outcome) Of(t model.EventType) []model.Event {
	var out []model.Event
	for _, ev := range o.Events {
		if ev.Type == t {
			out = append(out, ev)
		}
	}
	return out
}

// Exceptions returns the exceptions the step raised.
func (o Outcome) Exceptions() []model.Exception {
	var out []model.Exception
	for _, ev := range o.Of(model.EvExceptionRaised) {
		out = append(out, *ev.Exception)
	}
	return out
}

// Shipments returns the ids of the shipments the step created.
func (o Outcome) Shipments() []string {
	var out []string
	for _, ev := range o.Of(model.EvShipmentCreated) {
		out = append(out, ev.ShipmentID)
	}
	return out
}

// Cancel returns the PO numbers whose supplier must be asked to cancel.
func (o Outcome) Cancel() []string {
	var out []string
	for _, ev := range o.Of(model.EvPOCancelRequested) {
		out = append(out, ev.PONumber)
	}
	return out
}
