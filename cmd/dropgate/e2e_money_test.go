package main

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/connectors/payment/stripe"
	"github.com/dropgate/dropgate/core/model"
)

// multicaptureStatus rewrites stripe-mock's PaymentIntent reads so their
// card charge reports multicapture status (stripe-mock always says
// "unavailable"): a card of an account Stripe granted multicapture.
func multicaptureStatus(status string) func(*http.Response) error {
	re := regexp.MustCompile(`"multicapture":\s*\{\s*"status":\s*"[a-z]+"`)
	return func(r *http.Response) error {
		if r.Request.Method != http.MethodGet || !strings.HasPrefix(r.Request.URL.Path, "/v1/payment_intents/") {
			return nil
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		b = re.ReplaceAll(b, []byte(`"multicapture": {"status": "`+status+`"`))
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		r.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
}

// splitPaidOrder: a two-line order (2 × MUG 7.00, 1 × TEE 5.00) in the
// Stripe loop whose supplier ships each line in its own 856, authorised
// at Stripe for the lines' total; it returns once both shipments are
// recorded and the payment is fully captured.
func splitPaidOrder(t *testing.T, multicapture string) (*loop, func() []stripeCall, *model.Aggregate) {
	t.Helper()
	l, calls := stripeLoopWith(t, []supplierSpec{{name: "acme", rows: []string{"MUG,3.00,50", "TEE,2.00,50"}, split: true}}, multicaptureStatus(multicapture), "")
	o, body := l.order(item("MUG", 2, "7.00"), item("TEE", 1, "5.00"))
	id := orderIDOf(o)
	l.webhook("orders/create", withFinancial(body, "pending"))
	a := l.wait(id, "a payment hold", func(a *model.Aggregate) bool { return len(a.Order.Holds) > 0 })
	var total int64
	for _, ln := range a.Order.Lines {
		total += lineValue(ln)
	}
	if code := stripePost(t, l, stripeAuthEventOf("evt_split_auth", "pi_split", id, total), stripeSecret); code != http.StatusOK {
		t.Fatalf("event answered %d", code)
	}
	a = l.wait(id, "both shipments captured", func(a *model.Aggregate) bool {
		return len(a.Shipments) == 2 && len(a.Payments) == 1 && a.Payments[0].Status == model.PayCaptured
	})
	if a.Payments[0].Authorized.Amount != total || total != 1900 {
		t.Fatalf("authorised %s, lines total %d", a.Payments[0].Authorized, total)
	}
	return l, calls, a
}

// lineValue is what a line is worth to the payment: unit price ×
// quantity − discount + tax.
func lineValue(l model.OrderLine) int64 {
	return l.UnitPrice.Amount*l.Quantity - l.Discount.Amount + l.Tax.Amount
}

// shipmentValue is the value of the order lines a shipment carries.
func shipmentValue(a *model.Aggregate, sh model.Shipment) int64 {
	var v int64
	for _, p := range sh.Packages {
		for _, sl := range p.Lines {
			if l := a.Order.Line(sl.OrderLineID); l != nil {
				v += lineValue(*l) * sl.Quantity / l.Quantity
			}
		}
	}
	return v
}

// captures are the captures Stripe made from the calls the proxy saw. A
// job that runs again (its commit lost, a worker stopped) sends its
// capture again under the same Idempotency-Key, and Stripe answers that
// with the first answer, charging nothing more; so repeats of a key are
// one capture, and must carry the same parameters, as Stripe refuses a
// reused key with others.
func captures(t *testing.T, calls []stripeCall) []stripeCall {
	t.Helper()
	var out []stripeCall
	seen := map[string]url.Values{}
	for _, c := range calls {
		if !strings.HasPrefix(c.line, "POST /v1/payment_intents/") || !strings.Contains(c.line, "/capture ") {
			continue
		}
		if first, ok := seen[c.line]; ok {
			if first.Encode() != c.form.Encode() {
				t.Errorf("%s sent again with %v, first with %v: Stripe refuses a key reused with other parameters", c.line, c.form, first)
			}
			continue
		}
		if strings.HasSuffix(c.line, " ") {
			t.Errorf("%s: a capture without an Idempotency-Key", c.line)
		}
		seen[c.line] = c.form
		out = append(out, c)
	}
	return out
}

// TestStripeTwoShipmentsTwoPartialCaptures: with multicapture, a paid
// two-line order shipped in two 856s is captured twice at Stripe: each
// shipment's value under its own idempotency key (final_capture=false on
// the first), the two summing to the shipped value. An 856 sent
// again (in a new interchange) captures nothing more.
func TestStripeTwoShipmentsTwoPartialCaptures(t *testing.T) {
	t.Parallel()
	l, calls, a := splitPaidOrder(t, "available")
	id := a.Order.ID
	p := a.Payments[0]
	got := captures(t, calls())
	if len(got) != 2 || len(p.Movements) != 2 {
		t.Fatalf("captures %v, movements %+v", got, p.Movements)
	}
	var sum, shipped int64
	for i, sh := range a.Shipments {
		v := shipmentValue(a, sh)
		shipped += v
		key := stripe.IdempotencyKey(id, "capture", sh.ID)
		c := got[i]
		if c.line != "POST /v1/payment_intents/pi_split/capture "+key || c.form.Get("amount_to_capture") != strconv.FormatInt(v, 10) {
			t.Errorf("capture %d: %q %v, want %s for %d", i, c.line, c.form, key, v)
		}
		if final := c.form.Get("final_capture"); (i == 0) != (final == "false") {
			t.Errorf("capture %d: final_capture %q", i, final)
		}
		mv := p.Movements[i]
		if mv.Kind != "capture" || mv.Shipment != sh.ID || mv.Amount.Amount != v || mv.IdempotencyKey != key {
			t.Errorf("movement %d: %+v, want %d for %s", i, mv, v, sh.ID)
		}
		sum += mv.Amount.Amount
	}
	if v := shipmentValue(a, a.Shipments[0]); v != 1400 && v != 500 {
		t.Errorf("first shipment worth %d: not one line", v)
	}
	if sum != shipped || sum != p.Authorized.Amount || p.Captured.Amount != sum || a.Order.PaymentStatus != model.PaymentPaid {
		t.Errorf("captured %d (payment %s), shipped %d, authorised %s, order payment %s", sum, p.Captured, shipped, p.Authorized, a.Order.PaymentStatus)
	}

	b := replay856(t, l, a)
	if n := len(captures(t, calls())); n != 2 || len(b.Payments[0].Movements) != 2 || len(b.Shipments) != 2 {
		t.Fatalf("after the replayed 856: %d captures at Stripe, %d movements, %d shipments", n, len(b.Payments[0].Movements), len(b.Shipments))
	}
}

// TestStripeWithoutMulticaptureCapturesOnceAtTheLastShipment: stripe-mock's
// card has no multicapture, so the first shipment's capture is deferred
// (a partial capture would release the rest) and the last shipment
// captures the whole shipped value once, final.
func TestStripeWithoutMulticaptureCapturesOnceAtTheLastShipment(t *testing.T) {
	t.Parallel()
	_, calls, a := splitPaidOrder(t, "unavailable")
	p := a.Payments[0]
	got := captures(t, calls())
	last := a.Shipments[1]
	key := stripe.IdempotencyKey(a.Order.ID, "capture", last.ID)
	if len(got) != 1 || got[0].line != "POST /v1/payment_intents/pi_split/capture "+key || got[0].form.Get("amount_to_capture") != "1900" || got[0].form.Has("final_capture") {
		t.Fatalf("captures %v, want one of 1900 for %s", got, last.ID)
	}
	if len(p.Movements) != 1 || p.Movements[0].Shipment != last.ID || p.Captured.Amount != 1900 {
		t.Errorf("payment %+v", p)
	}
	if !hasEvent(a, "payment.capture_deferred", model.CauseSystem) {
		t.Errorf("timeline %v", events(a))
	}
}

// replay856 sends one of the order's 856s again, the way a supplier
// resends one: in a new interchange (ISA13/GS06 changed), so it is read,
// answered and applied. It returns once the order shows it was received
// again.
func replay856(t *testing.T, l *loop, a *model.Aggregate) *model.Aggregate {
	t.Helper()
	in := filepath.Join(l.dir, "var", "in", "acme")
	archived, _ := filepath.Glob(filepath.Join(in, "archive", "*-856-*.x12"))
	if len(archived) == 0 {
		t.Fatalf("no archived 856 in %s", in)
	}
	data, err := os.ReadFile(archived[0])
	if err != nil {
		t.Fatal(err)
	}
	// The simulator names its files <PO>-856-<control>.x12.
	base := strings.TrimSuffix(filepath.Base(archived[0]), ".x12")
	ctrl := base[strings.LastIndex(base, "-")+1:]
	again := ctrl[:len(ctrl)-3] + "999"
	resent := bytes.ReplaceAll(data, []byte(ctrl), []byte(again))
	if err := os.WriteFile(filepath.Join(in, strings.Replace(filepath.Base(archived[0]), ctrl, again, 1)), resent, 0o644); err != nil {
		t.Fatal(err)
	}
	return l.wait(a.Order.ID, "the resent 856 seen as a duplicate", func(a *model.Aggregate) bool {
		return hasEvent(a, "document.duplicate", model.CauseDocument)
	})
}
