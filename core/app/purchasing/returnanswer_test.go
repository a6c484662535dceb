package purchasing

import (
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
)

// TestApplyReturnAnswer: a supplier's answer authorises or rejects its
// own return, once; another supplier's answer, or one that contradicts
// the decision, is refused.
func TestApplyReturnAnswer(t *testing.T) {
	st := lifecycle.Step{At: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC), Cause: model.Cause{Kind: model.CauseDocument, Ref: "acme/x12:1"}}
	a := &model.Aggregate{Returns: []model.Return{
		{ID: "ret_a", OrderID: "ord_1", Supplier: "acme", PONumber: "PO1", Status: model.ReturnRequested},
		{ID: "ret_b", OrderID: "ord_1", Supplier: "acme", PONumber: "PO1", Status: model.ReturnRequested},
	}}
	yes := &connector.ReturnAnswer{Return: "ret_a", Decision: connector.ReturnDecision{Authorized: true, RMA: "RMA-1"}}
	out, err := applyReturnAnswer(a, "acme", yes, st)
	if err != nil || !out.Changed || a.Return("ret_a").Status != model.ReturnAuthorized || a.Return("ret_a").RMA != "RMA-1" {
		t.Fatalf("authorise: %v %+v %+v", err, out, a.Return("ret_a"))
	}
	n := len(a.Timeline)
	if out, err := applyReturnAnswer(a, "acme", yes, st); err != nil || out.Changed || len(a.Timeline) != n {
		t.Fatalf("a replayed answer: %v changed=%v", err, out.Changed)
	}
	other := &connector.ReturnAnswer{Return: "ret_a", Decision: connector.ReturnDecision{Authorized: true, RMA: "RMA-2"}}
	if _, err := applyReturnAnswer(a, "acme", other, st); err == nil {
		t.Fatal("another RMA number for an authorised return was accepted")
	}
	if _, err := applyReturnAnswer(a, "globex", yes, st); err == nil || !strings.Contains(err.Error(), "not one of its returns") {
		t.Fatalf("another supplier's answer: %v", err)
	}
	no := &connector.ReturnAnswer{Return: "ret_b", Decision: connector.ReturnDecision{Reason: "outside the window"}}
	if _, err := applyReturnAnswer(a, "acme", no, st); err != nil || a.Return("ret_b").Status != model.ReturnRejected || a.Return("ret_b").Note != "outside the window" {
		t.Fatalf("reject: %v %+v", err, a.Return("ret_b"))
	}
}
