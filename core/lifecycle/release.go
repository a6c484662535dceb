package lifecycle

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/model"
)

// Release modes (orders.release).
const (
	// ReleaseOnPayment: no PO before the channel shows the order paid or
	// authorised (the default). A channel that says nothing of payment
	// does not hold its orders: there is nothing to wait for.
	ReleaseOnPayment = "on_payment"
	// ReleaseImmediately routes every valid order at once.
	ReleaseImmediately = "immediately"
	// ReleaseManual holds every order until an operator releases it.
	ReleaseManual = "manual"
)

// ReleaseModes lists the modes, for validation.
var ReleaseModes = []string{ReleaseOnPayment, ReleaseImmediately, ReleaseManual}

// ReleasePolicy decides whether an order may become purchase orders yet:
// the orders: block, or a channel's own.
type ReleasePolicy struct {
	Mode string // "" is ReleaseOnPayment
	// HoldRisk lists the channel fraud verdicts (model.Order.Risk) held
	// for an operator ("high").
	HoldRisk []string
	// HoldAfter keeps every order on a review hold this long after it is
	// received (0: none); ReviewDue lifts it.
	HoldAfter time.Duration
	// RequireCapture: under on_payment an authorisation is not enough;
	// the order waits until the money is captured (paid).
	RequireCapture bool
}

// released is what on_payment waits for.
func (p ReleasePolicy) released(pay model.OrderPayment) bool {
	switch pay {
	case model.PaymentPaid, model.PaymentUnknown:
		return true
	case model.PaymentAuthorized:
		return !p.RequireCapture
	}
	return false
}

// Holds returns the release holds o gets under p (none: it may go).
func (p ReleasePolicy) Holds(o *model.Order, s Step) []model.Hold {
	var out []model.Hold
	if o.Risk != "" && slices.Contains(p.HoldRisk, o.Risk) {
		out = append(out, model.Hold{Code: model.HoldRisk, At: s.At,
			Reason: fmt.Sprintf("the channel rates this order's fraud risk %s: it waits for an operator's release", o.Risk)})
	}
	if p.HoldAfter > 0 {
		out = append(out, model.Hold{Code: model.HoldReview, At: s.At,
			Reason: fmt.Sprintf("review window: released at %s (orders.hold_after %s)", s.At.Add(p.HoldAfter).UTC().Format("2006-01-02 15:04:05 MST"), p.HoldAfter)})
	}
	switch p.Mode {
	case ReleaseManual:
		out = append(out, model.Hold{Code: model.HoldManual, At: s.At, Reason: "orders.release is manual: it waits for an operator's release"})
	case ReleaseImmediately:
	default:
		if !p.released(o.PaymentStatus) {
			why := fmt.Sprintf("payment is %s: no purchase order before the customer has paid", o.PaymentStatus)
			if o.PaymentStatus == model.PaymentAuthorized {
				why = "payment is only authorised and orders.require_capture is on: no purchase order before it is captured"
			}
			out = append(out, model.Hold{Code: model.HoldPayment, At: s.At, Reason: why})
		}
	}
	return out
}

// IsReleaseHold reports whether code is one of the release policy's.
func IsReleaseHold(code string) bool {
	return code == model.HoldPayment || code == model.HoldRisk || code == model.HoldManual || code == model.HoldReview
}

// ReviewDue ends an order's review window: its review hold is lifted and,
// with no other hold left, it is routed. An order without one (released
// by an operator, cancelled) is left alone.
func ReviewDue(a *model.Aggregate, r Router, s Step) Outcome {
	if a.Order.Status == model.OrderCancelled || !slices.ContainsFunc(a.Order.Holds, func(h model.Hold) bool { return h.Code == model.HoldReview }) {
		return Outcome{}
	}
	return lift(a, func(h model.Hold) bool { return h.Code == model.HoldReview }, "review window over", r, s)
}

// PaymentChanged records the channel's newer view of an order's payment
// and risk (an orders/updated webhook, a poll), and lifts the payment
// hold when the policy now lets the order go; with no hold left it is
// routed. Risk and manual holds stay for an operator.
func PaymentChanged(a *model.Aggregate, payment model.OrderPayment, risk string, p ReleasePolicy, r Router, s Step) Outcome {
	var out Outcome
	o := &a.Order
	if o.PaymentStatus == payment && o.Risk == risk {
		return out
	}
	out.Changed = true
	if o.PaymentStatus != payment {
		a.Log(model.TimelineEntry{At: s.At, Entity: "order", Event: "order.payment_changed", Cause: s.Cause,
			From: string(o.PaymentStatus), To: string(payment), Message: fmt.Sprintf("the channel shows payment %s (was %s)", orDash(string(payment)), orDash(string(o.PaymentStatus)))})
	}
	o.PaymentStatus, o.Risk = payment, risk
	if !slices.ContainsFunc(o.Holds, func(h model.Hold) bool { return h.Code == model.HoldPayment }) {
		return out
	}
	if slices.ContainsFunc(p.Holds(o, s), func(h model.Hold) bool { return h.Code == model.HoldPayment }) {
		return out // still waiting
	}
	out.Add(lift(a, func(h model.Hold) bool { return h.Code == model.HoldPayment }, "payment received", r, s))
	return out
}

// Release is an operator's release of an order held by the release
// policy: every release hold is lifted and, with no other hold left, the
// order is routed. An order without a release hold is an error.
func Release(a *model.Aggregate, actor string, r Router, s Step) (Outcome, error) {
	if !slices.ContainsFunc(a.Order.Holds, func(h model.Hold) bool { return IsReleaseHold(h.Code) }) {
		return Outcome{}, fmt.Errorf("order %s is not held for release (holds: %s)", a.Order.ID, holdCodes(a.Order.Holds))
	}
	return lift(a, func(h model.Hold) bool { return IsReleaseHold(h.Code) }, "released by "+actor, r, s), nil
}

// lift removes the holds match selects, logs it, settles their
// exceptions and routes the order when no hold remains.
func lift(a *model.Aggregate, match func(model.Hold) bool, why string, r Router, s Step) Outcome {
	var out Outcome
	out.Changed = true
	kept := a.Order.Holds[:0]
	var lifted []string
	for _, h := range a.Order.Holds {
		if match(h) {
			lifted = append(lifted, h.Code)
			continue
		}
		kept = append(kept, h)
	}
	a.Order.Holds = kept
	a.Log(model.TimelineEntry{At: s.At, Entity: "order", Event: "order.released", Cause: s.Cause,
		Message: fmt.Sprintf("%s: %s hold lifted", why, strings.Join(lifted, ", ")), Data: map[string]string{"holds": strings.Join(lifted, ",")}})
	out.settle(a.Order.ID, "", model.ExReleaseHeld)
	if len(a.Order.Holds) == 0 {
		a.Order.Status = model.OrderReceived
		out.Add(Route(a, r, false, s))
	}
	return out
}

func holdCodes(hs []model.Hold) string {
	if len(hs) == 0 {
		return "none"
	}
	codes := make([]string, len(hs))
	for i, h := range hs {
		codes[i] = h.Code
	}
	return strings.Join(codes, ", ")
}
