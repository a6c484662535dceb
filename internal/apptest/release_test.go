package apptest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/apptest"
)

func withRelease(p lifecycle.ReleasePolicy) rigOption {
	return func(o *apptest.Options, _ *rig) { o.Release = map[string]lifecycle.ReleasePolicy{"": p} }
}

func paidOrder(id string, payment model.OrderPayment, risk string) *model.Order {
	o := testOrder(id, line("1", "MUG", 1))
	o.PaymentStatus, o.Risk = payment, risk
	return o
}

func holdCodes(a *model.Aggregate) string {
	var c []string
	for _, h := range a.Order.Holds {
		c = append(c, h.Code)
	}
	return strings.Join(c, ",")
}

// TestPendingPaymentWaitsThenPaidUpdateReleases: on_payment (the default)
// keeps an unpaid order from becoming a PO; the channel's update showing
// it paid routes it and sends the PO, once.
func TestPendingPaymentWaitsThenPaidUpdateReleases(t *testing.T) {
	r := newRig(t)
	r.intake(paidOrder("2001", model.PaymentPending, ""))
	r.Drain()
	a := r.Order(model.OrderID("shop", "2001"))
	if len(a.POs) != 0 || holdCodes(a) != model.HoldPayment || a.Order.Status != model.OrderOnHold {
		t.Fatalf("pending order: POs %d, holds %q, status %s", len(a.POs), holdCodes(a), a.Order.Status)
	}
	if len(r.a.Sent())+len(r.b.Sent()) != 0 {
		t.Fatal("a PO went out before payment")
	}
	if xs := r.Exceptions(map[string]string{"order": a.Order.ID}); len(xs) != 0 {
		t.Errorf("a payment wait is not an exception: %+v", xs)
	}
	// An update with nothing new about the payment changes nothing.
	r.intake(paidOrder("2001", model.PaymentPending, ""))
	r.Drain()
	if a := r.Order(a.Order.ID); len(a.POs) != 0 {
		t.Fatal("released by an update that did not show payment")
	}
	r.intake(paidOrder("2001", model.PaymentPaid, ""))
	r.Drain()
	a = r.Order(a.Order.ID)
	if len(a.POs) != 1 || a.POs[0].Status != model.POSent || len(a.Order.Holds) != 0 || a.Order.PaymentStatus != model.PaymentPaid {
		t.Fatalf("after payment: POs %+v, holds %q, payment %s", a.POs, holdCodes(a), a.Order.PaymentStatus)
	}
	if !strings.Contains(timeline(a), "order.payment_changed") || !strings.Contains(timeline(a), "order.released") {
		t.Errorf("timeline %v", timeline(a))
	}
	r.intake(paidOrder("2001", model.PaymentPaid, ""))
	r.Drain()
	if n := len(r.a.Sent()) + len(r.b.Sent()); n != 1 {
		t.Errorf("%d POs sent, want 1", n)
	}
}

// TestReleasePolicyDecides: what each mode and payment state does at
// intake.
func TestReleasePolicyDecides(t *testing.T) {
	for _, c := range []struct {
		name    string
		policy  lifecycle.ReleasePolicy
		payment model.OrderPayment
		risk    string
		holds   string
	}{
		{"paid goes", lifecycle.ReleasePolicy{}, model.PaymentPaid, "", ""},
		{"authorised goes", lifecycle.ReleasePolicy{}, model.PaymentAuthorized, "", ""},
		{"authorised waits when capture is required", lifecycle.ReleasePolicy{RequireCapture: true}, model.PaymentAuthorized, "", model.HoldPayment},
		{"paid goes when capture is required", lifecycle.ReleasePolicy{RequireCapture: true}, model.PaymentPaid, "", ""},
		{"channel silent on payment goes", lifecycle.ReleasePolicy{}, model.PaymentUnknown, "", ""},
		{"failed waits", lifecycle.ReleasePolicy{}, model.PaymentFailed, "", model.HoldPayment},
		{"pending goes when immediately", lifecycle.ReleasePolicy{Mode: lifecycle.ReleaseImmediately}, model.PaymentPending, "", ""},
		{"manual waits though paid", lifecycle.ReleasePolicy{Mode: lifecycle.ReleaseManual}, model.PaymentPaid, "", model.HoldManual},
		{"high risk waits", lifecycle.ReleasePolicy{HoldRisk: []string{"high"}}, model.PaymentPaid, "high", model.HoldRisk},
		{"medium risk goes", lifecycle.ReleasePolicy{HoldRisk: []string{"high"}}, model.PaymentPaid, "medium", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, withRelease(c.policy))
			r.intake(paidOrder("3001", c.payment, c.risk))
			r.Drain()
			a := r.Order(model.OrderID("shop", "3001"))
			if got := holdCodes(a); got != c.holds {
				t.Fatalf("holds %q, want %q", got, c.holds)
			}
			if want := 0; c.holds == "" {
				want = 1
				if len(a.POs) != want {
					t.Errorf("POs %d, want %d", len(a.POs), want)
				}
			} else if len(a.POs) != want {
				t.Errorf("POs %d, want none while held", len(a.POs))
			}
		})
	}
}

// TestOperatorReleasesRiskyOrder: a high-risk order raises an exception
// offering release; releasing it (through the exception, as the CLI and
// the admin API do) routes the order and settles the exception. A
// second release is refused: nothing holds the order.
func TestOperatorReleasesRiskyOrder(t *testing.T) {
	r := newRig(t, withRelease(lifecycle.ReleasePolicy{HoldRisk: []string{"high"}}))
	ctx := context.Background()
	r.intake(paidOrder("4001", model.PaymentPaid, "high"))
	r.Drain()
	id := model.OrderID("shop", "4001")
	xs := r.Exceptions(map[string]string{"order": id})
	if len(xs) != 1 || xs[0].Kind != model.ExReleaseHeld || !strings.Contains(strings.Join(xs[0].Actions, ","), "release") {
		t.Fatalf("exceptions %+v", xs)
	}
	if _, err := r.S.Operator().ResolveException(ctx, xs[0].ID, "release", "ops@example.com", ""); err != nil {
		t.Fatal(err)
	}
	r.Drain()
	a := r.Order(id)
	if len(a.POs) != 1 || a.POs[0].Status != model.POSent || len(a.Order.Holds) != 0 {
		t.Fatalf("released order: POs %+v holds %q", a.POs, holdCodes(a))
	}
	if x, _ := r.S.Operator().Exception(ctx, xs[0].ID); x.Status != "resolved" {
		t.Errorf("exception %s", x.Status)
	}
	if _, err := r.S.Operator().Release(ctx, id, "ops@example.com"); err == nil || !strings.Contains(err.Error(), "not held for release") {
		t.Errorf("second release: %v", err)
	}
}

// TestReviewWindowReleasesWhenItEnds: hold_after keeps even a paid order
// back until its window ends; a payment arriving during the window lifts
// only the payment hold.
func TestReviewWindowReleasesWhenItEnds(t *testing.T) {
	r := newRig(t, withRelease(lifecycle.ReleasePolicy{HoldAfter: time.Hour}))
	r.intake(paidOrder("5001", model.PaymentPaid, ""))
	r.intake(paidOrder("5002", model.PaymentPending, ""))
	r.Drain()
	paid, pending := model.OrderID("shop", "5001"), model.OrderID("shop", "5002")
	if a := r.Order(paid); holdCodes(a) != model.HoldReview || len(a.POs) != 0 {
		t.Fatalf("paid order in its window: holds %q, POs %d", holdCodes(a), len(a.POs))
	}
	if a := r.Order(pending); holdCodes(a) != model.HoldReview+","+model.HoldPayment {
		t.Fatalf("pending order: holds %q", holdCodes(a))
	}
	r.Clock.Advance(30 * time.Minute)
	r.intake(paidOrder("5002", model.PaymentPaid, ""))
	r.Drain()
	if a := r.Order(pending); holdCodes(a) != model.HoldReview || len(a.POs) != 0 {
		t.Fatalf("paid within the window: holds %q, POs %d", holdCodes(a), len(a.POs))
	}
	r.Clock.Advance(31 * time.Minute)
	r.Drain()
	for _, id := range []string{paid, pending} {
		a := r.Order(id)
		if len(a.Order.Holds) != 0 || len(a.POs) != 1 || a.POs[0].Status != model.POSent {
			t.Errorf("%s after its window: holds %q, POs %+v", id, holdCodes(a), a.POs)
		}
	}
	if xs := r.Exceptions(map[string]string{}); len(xs) != 0 {
		t.Errorf("a review window is not an exception: %+v", xs)
	}
}
