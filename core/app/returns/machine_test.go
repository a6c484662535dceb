package returns

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

func usd(n int64) money.Money { return money.Money{Amount: n, Currency: "USD"} }

var step = lifecycle.Step{At: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Cause: model.Cause{Kind: model.CauseOperator, Ref: "ann"}}

// shipped: line A 2 × 10.00 (1.00 tax) of which 2 shipped by PO1 at cost
// 6.00; line B 1 × 5.00 not shipped.
func shipped() *model.Aggregate {
	a := &model.Aggregate{
		Order: model.Order{ID: "o1", Currency: "USD", Lines: []model.OrderLine{
			{ID: "l1", SKU: "A", Quantity: 2, UnitPrice: usd(1000), Tax: usd(100)},
			{ID: "l2", SKU: "B", Quantity: 1, UnitPrice: usd(500)},
		}},
		POs: []model.PurchaseOrder{{Number: "PO1", Supplier: "acme", Status: model.POAcknowledged, Lines: []model.POLine{
			{LineNo: 1, OrderLineID: "l1", SKU: "A", SupplierSKU: "AC-A", Quantity: 2, UnitCost: usd(600), Shipped: 2},
			{LineNo: 2, OrderLineID: "l2", SKU: "B", SupplierSKU: "AC-B", Quantity: 1, UnitCost: usd(300)},
		}}},
		Shipments: []model.Shipment{{ID: "s1", PONumber: "PO1", Packages: []model.Package{{Lines: []model.ShipmentLine{{OrderLineID: "l1", Quantity: 2}}}}}},
	}
	a.Recompute()
	return a
}

func operatorReq(lines ...RequestLine) Request {
	return Request{OrderID: "o1", Lines: lines, Source: "operator", Actor: "ann", Reason: "damaged"}
}

func TestOpenRefusesWhatCannotBeReturned(t *testing.T) {
	for name, req := range map[string]Request{
		"more than shipped": operatorReq(RequestLine{SKU: "A", Quantity: 3}),
		"nothing shipped":   operatorReq(RequestLine{SKU: "B", Quantity: 1}),
		"unknown SKU":       operatorReq(RequestLine{SKU: "Z", Quantity: 1}),
		"no lines":          operatorReq(),
		"twice the same":    operatorReq(RequestLine{SKU: "A", Quantity: 2}, RequestLine{SKU: "A", Quantity: 1}),
	} {
		a := shipped()
		if _, out, err := Open(a, req, step); !errors.Is(err, ErrInput) || out.Changed || len(a.Returns) != 0 {
			t.Errorf("%s: err %v changed %v returns %d, want ErrInput and nothing recorded", name, err, out.Changed, len(a.Returns))
		}
	}
}

func TestOpenCountsEarlierReturns(t *testing.T) {
	a := shipped()
	made, out, err := Open(a, operatorReq(RequestLine{SKU: "A", Quantity: 1}), step)
	if err != nil || !out.Changed || len(made) != 1 {
		t.Fatalf("first return: %v %v %d", err, out.Changed, len(made))
	}
	r := made[0]
	if r.Supplier != "acme" || r.PONumber != "PO1" || r.Lines[0].SupplierSKU != "AC-A" || r.Status != model.ReturnRequested {
		t.Fatalf("return %+v", r)
	}
	// 1 of 2 units: (2 × 10.00 + 1.00 tax) / 2 = 10.50; credit 6.00.
	if r.Refund != usd(1050) || r.Credit != usd(600) {
		t.Fatalf("refund %s credit %s, want 10.50 and 6.00", r.Refund, r.Credit)
	}
	if len(out.Of(model.EvReturnUpdated)) != 1 {
		t.Fatalf("events %+v", out.Events)
	}
	if _, _, err := Open(a, operatorReq(RequestLine{SKU: "A", Quantity: 2}), step); !errors.Is(err, ErrInput) {
		t.Fatalf("second return of 2 with 1 left: %v, want ErrInput", err)
	}
	second, _, err := Open(a, operatorReq(RequestLine{SKU: "A", Quantity: 1}), step)
	if err != nil || second[0].ID == r.ID {
		t.Fatalf("second return of the last unit: %v (id %s, first %s)", err, second[0].ID, r.ID)
	}
	// A rejected return gives its units back.
	if _, err := Reject(a, r.ID, "worn", "acme", step); err != nil {
		t.Fatal(err)
	}
	if got := Returnable(a, "l1"); got != 1 {
		t.Fatalf("returnable after a rejection: %d, want 1", got)
	}
}

func TestChannelRequestIsRecordedOnce(t *testing.T) {
	a := shipped()
	req := Request{OrderID: "o1", Lines: []RequestLine{{SKU: "A", Quantity: 1}}, Source: "shop", ChannelRef: "rr_9"}
	if _, _, err := Open(a, req, step); err != nil {
		t.Fatal(err)
	}
	made, out, err := Open(a, req, step)
	if err != nil || out.Changed || len(made) != 0 || len(a.Returns) != 1 {
		t.Fatalf("replayed channel request: %v changed %v made %d returns %d", err, out.Changed, len(made), len(a.Returns))
	}
}

func TestAuthorizeReceiveAndReplays(t *testing.T) {
	a := shipped()
	made, _, _ := Open(a, operatorReq(RequestLine{SKU: "A", Quantity: 2}), step)
	id := made[0].ID
	if _, err := Receive(a, id, "ann", step); !errors.Is(err, ErrState) {
		t.Fatalf("receive before authorisation: %v, want ErrState", err)
	}
	out, err := Authorize(a, id, "RMA-77", "acme", step)
	if err != nil || !out.Changed || a.Return(id).RMA != "RMA-77" {
		t.Fatalf("authorize: %v %v %+v", err, out.Changed, a.Return(id))
	}
	if len(out.Of(model.EvExceptionsSettled)) != 1 {
		t.Fatalf("authorising settles the decision exception: %+v", out.Events)
	}
	if out, err := Authorize(a, id, "RMA-77", "acme", step); err != nil || out.Changed {
		t.Fatalf("replayed authorisation: %v changed %v", err, out.Changed)
	}
	if _, err := Authorize(a, id, "RMA-99", "acme", step); !errors.Is(err, ErrState) {
		t.Fatalf("authorisation with another RMA: %v, want ErrState", err)
	}
	out, err = Receive(a, id, "ann", step)
	if err != nil || !out.Changed {
		t.Fatalf("receive: %v %v", err, out.Changed)
	}
	a.Recompute()
	l := a.Order.Line("l1")
	if l.Returned != 2 || l.Qty.Returned != 2 || l.State != model.LineReturned {
		t.Fatalf("line after receipt: returned %d bucket %d state %s", l.Returned, l.Qty.Returned, l.State)
	}
	if out, err := Receive(a, id, "ann", step); err != nil || out.Changed || a.Order.Line("l1").Returned != 2 {
		t.Fatalf("replayed receipt: %v changed %v returned %d", err, out.Changed, a.Order.Line("l1").Returned)
	}
	if _, err := Reject(a, id, "late", "acme", step); !errors.Is(err, ErrState) {
		t.Fatalf("reject after receipt: %v, want ErrState", err)
	}
	if out := MarkRefunded(a, id, usd(2100), "stripe", step); !out.Changed || a.Return(id).Status != model.ReturnRefunded {
		t.Fatalf("refunded: %v %s", out.Changed, a.Return(id).Status)
	}
	if out := MarkRefunded(a, id, usd(2100), "stripe", step); out.Changed {
		t.Fatal("a second refund record changed the return")
	}
	var events []string
	for _, e := range a.Timeline {
		events = append(events, e.Event)
	}
	want := []string{"return.requested", "return.authorized", "return.received", "return.refunded"}
	if len(events) != len(want) {
		t.Fatalf("timeline %v, want %v", events, want)
	}
	for i := range want {
		if events[i] != want[i] {
			t.Fatalf("timeline %v, want %v", events, want)
		}
	}
}

func TestParseLine(t *testing.T) {
	if l, err := ParseLine("SKU:1:2"); err != nil || l.SKU != "SKU:1" || l.Quantity != 2 {
		t.Fatalf("%+v %v", l, err)
	}
	for _, bad := range []string{"SKU", "SKU:0", ":2", "SKU:x"} {
		if _, err := ParseLine(bad); !errors.Is(err, ErrInput) {
			t.Errorf("%q: %v, want ErrInput", bad, err)
		}
	}
}

// A supplier that takes no RMA requests leaves the return to an operator:
// the timeline says how, and a return_decision exception is raised with
// the PO's supplier; authorising settles it.
func TestAwaitOperatorRaisesTheDecision(t *testing.T) {
	a := shipped()
	made, _, _ := Open(a, operatorReq(RequestLine{SKU: "A", Quantity: 1}), step)
	out := awaitOperator(a, made[0].ID, step)
	xs := out.Of(model.EvExceptionRaised)
	if !out.Changed || len(xs) != 1 || xs[0].Exception.Kind != model.ExReturnDecision || xs[0].Exception.Supplier != "acme" ||
		!strings.Contains(xs[0].Exception.Reason, "dropgate returns authorize "+made[0].ID) {
		t.Fatalf("outcome %+v", out)
	}
	if again := awaitOperator(a, made[0].ID, step); again.Changed {
		t.Fatal("a replayed job asked the operator twice")
	}
	if again := awaitOperator(a, "ret_none", step); again.Changed {
		t.Fatal("an unknown return changed the order")
	}
	auth, err := Authorize(a, made[0].ID, "", "ann", step)
	if err != nil || a.Return(made[0].ID).RMA != made[0].ID || len(auth.Of(model.EvExceptionsSettled)) != 1 {
		t.Fatalf("authorise without a number: %v %+v", err, a.Return(made[0].ID))
	}
	if out := awaitOperator(a, made[0].ID, step); out.Changed {
		t.Fatal("an authorised return raised the decision again")
	}
}

// A supplier that answers the RMA request at once (an HTTP API) authorises
// or rejects the return in the same step; a request sent twice is
// recorded once.
func TestSentRequestAppliesAnImmediateAnswer(t *testing.T) {
	a := shipped()
	made, _, _ := Open(a, operatorReq(RequestLine{SKU: "A", Quantity: 1}), step)
	id := made[0].ID
	out, err := sentRequest(a, id, connector.ReturnSent{Document: "return request " + id,
		Decision: &connector.ReturnDecision{Authorized: true, RMA: "R-1"}}, step)
	if err != nil || !out.Changed || a.Return(id).Status != model.ReturnAuthorized || a.Return(id).RMA != "R-1" || a.Return(id).RequestDoc == "" {
		t.Fatalf("%v %+v", err, a.Return(id))
	}
	if again, _ := sentRequest(a, id, connector.ReturnSent{Document: "again"}, step); again.Changed || a.Return(id).RequestDoc != "return request "+id {
		t.Fatal("a second record of the request changed the return")
	}
	b := shipped()
	made, _, _ = Open(b, operatorReq(RequestLine{SKU: "A", Quantity: 1}), step)
	if _, err := sentRequest(b, made[0].ID, connector.ReturnSent{Document: "d", Decision: &connector.ReturnDecision{Reason: "final sale"}}, step); err != nil ||
		b.Return(made[0].ID).Status != model.ReturnRejected || b.Return(made[0].ID).Note != "final sale" {
		t.Fatalf("%v %+v", err, b.Return(made[0].ID))
	}
}
