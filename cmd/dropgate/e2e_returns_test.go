package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/carrier/easypost"
	"github.com/dropgate/dropgate/connectors/payment/stripe"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/edisupplier"
	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
	"github.com/dropgate/dropgate/internal/x12"
)

// returnsLoop is the Stripe loop world whose supplier acme takes return
// requests as X12 180s (partner.rma: edi_180), with an EasyPost carrier
// whose webhooks deliver the parcels.
func returnsLoop(t *testing.T) (*loop, func() []string) {
	t.Helper()
	l, rec := stripeLoopWith(t, []supplierSpec{{name: "acme", rows: []string{"MUG,3.00,50"}}}, nil,
		fmt.Sprintf("carriers:\n  - name: easypost\n    type: easypost\n    webhook_secret: \"${E2E_EASYPOST_SECRET:-%s}\"\n", carriersSecret))
	calls := func() []string {
		var out []string
		for _, c := range rec() {
			out = append(out, c.line)
		}
		return out
	}
	l.srv.stop(t)
	cfg := filepath.Join(l.dir, "configs", "demo.yaml")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	with := strings.Replace(string(b), "receiver_id: ACME, usage: T }", "receiver_id: ACME, usage: T, rma: edi_180 }", 1)
	if with == string(b) {
		t.Fatal("the loop's partner block changed shape: cannot turn rma on")
	}
	if err := os.WriteFile(cfg, []byte(with), 0o644); err != nil {
		t.Fatal(err)
	}
	l.srv = startServer(t, l.dir)
	return l, calls
}

// dgLoop runs the dropgate binary as an operator of the loop's server.
func dgLoop(t *testing.T, l *loop, args ...string) (string, int) {
	t.Helper()
	return cli(t, l.dir, append(args, "--url", l.srv.url, "--token", loopAdmin)...)
}

// TestReturnAfterDeliveryRefundsAndCreditsTheSupplier: an order of two
// mugs is paid through Stripe (stripe-mock), shipped by its X12 supplier
// (856, captured in full) and delivered (a signed EasyPost tracker
// event for the 856's tracking number). The operator returns one mug through
// the binary: asking for three is refused; the return of one becomes an
// X12 180 in the supplier's outbox; the supplier's authorisation (its RMA
// number) and the units' receipt are recorded; the mug's value is
// refunded at Stripe with the return's own idempotency key (one refund), and
// recorded on the payment; the order line counts it as returned; and the
// supplier owes a credit of its unit cost, in the payables. Then the
// customer asks the store for the other mug: Shopify's returns/request
// opens a return from the channel, once, whose 180 reaches the supplier.
func TestReturnAfterDeliveryRefundsAndCreditsTheSupplier(t *testing.T) {
	t.Parallel()
	l, calls := returnsLoop(t)
	o, body := l.order(item("MUG", 2, "14.95"))
	id := orderIDOf(o)
	l.webhook("orders/create", withFinancial(body, "pending"))
	l.wait(id, "a payment hold", func(a *model.Aggregate) bool { return len(a.Order.Holds) > 0 })
	auth := []byte(fmt.Sprintf(`{"id":"evt_e2e_ret","object":"event","type":"payment_intent.amount_capturable_updated","created":%d,`+
		`"data":{"object":{"id":"pi_ret","object":"payment_intent","amount":2990,"amount_capturable":2990,"amount_received":0,`+
		`"currency":"usd","status":"requires_capture","capture_method":"manual","metadata":{"order_id":%q}}}}`, time.Now().Unix(), id))
	if code := stripePost(t, l, auth, stripeSecret); code != http.StatusOK {
		t.Fatalf("authorisation answered %d", code)
	}
	a := l.wait(id, "shipped and captured", func(a *model.Aggregate) bool {
		return a.Order.Status == model.OrderShipped && len(a.Payments) == 1 && a.Payments[0].Captured.Amount == 2990 &&
			carriersPackage(a) != nil && carriersPackage(a).TrackingNumber != ""
	})
	delivered := carriersEvent("evt_ret_delivered", carriersPackage(a).TrackingNumber, "delivered", "arrived_at_destination", time.Now().UTC())
	if code := carriersPost(t, l, delivered, easypost.Sign(carriersSecret, delivered)); code != http.StatusOK {
		t.Fatalf("delivery answered %d", code)
	}
	a = l.wait(id, "delivered", func(a *model.Aggregate) bool { return a.Order.Status == model.OrderDelivered })
	if ln := a.Order.Lines[0]; ln.State != model.LineDelivered || ln.Qty.Delivered != 2 || ln.Qty.Returned != 0 {
		t.Fatalf("before the return the line is %s %+v, want delivered", ln.State, ln.Qty)
	}

	out, code := dgLoop(t, l, "orders", "return", id, "--line", "MUG:3")
	if code != exitUser || !strings.Contains(out, "2 can be returned") {
		t.Fatalf("returning 3 of 2 shipped: exit %d\n%s", code, out)
	}
	out, code = dgLoop(t, l, "orders", "return", id, "--line", "MUG:1", "--reason", "arrived broken")
	m := regexp.MustCompile(`return (ret_[0-9A-Za-z]+) opened`).FindStringSubmatch(out)
	if code != 0 || m == nil || !strings.Contains(out, "refund 14.95 USD") {
		t.Fatalf("orders return: exit %d\n%s", code, out)
	}
	ret := m[1]

	// The RMA request reaches the supplier: a valid X12 180 naming the
	// return, its PO and the supplier's SKU.
	file := filepath.Join(l.dir, "var", "out", "acme", ret+".180.x12")
	a = l.wait(id, "the RMA request sent", func(a *model.Aggregate) bool { return hasEvent(a, "return.rma_requested", "") })
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("no 180 in the supplier's outbox: %v", err)
	}
	f, err := x12.Parse(data)
	if err != nil || len(f.AllErrors()) > 0 {
		t.Fatalf("the 180 does not parse: %v %v", err, f.AllErrors())
	}
	s180 := string(data)
	if !strings.Contains(s180, "ST*180*") || !strings.Contains(s180, "BGN*00*"+ret) || !strings.Contains(s180, "PRF*"+a.POs[0].Number) ||
		!strings.Contains(s180, "BLI*VP*A-MUG*1*EA") {
		t.Fatalf("180:\n%s", s180)
	}

	// Receiving before the supplier authorised is refused; then the
	// supplier's answer and the receipt.
	if out, code := dgLoop(t, l, "returns", "received", ret); code != exitUser || !strings.Contains(out, "not authorised yet") {
		t.Fatalf("received before authorisation: exit %d\n%s", code, out)
	}
	// The supplier answers on its own channel: a 180 response authorising
	// the return under its RMA number, read from its inbox; no operator.
	l.sims["acme"].AnswerReturns(true)
	rma := edisupplier.RMANumber(ret)
	a = l.wait(id, "the supplier's 180 authorisation", func(a *model.Aggregate) bool {
		r := a.Return(ret)
		return r != nil && r.Status == model.ReturnAuthorized && r.RMA == rma
	})
	if !hasEvent(a, "return.authorized", model.CauseDocument) {
		t.Fatalf("the authorisation is not the supplier's document: %v", events(a))
	}
	// The same answer delivered again (its archived file put back under
	// another name) changes nothing: its documents are deduplicated.
	var answer string
	_ = filepath.WalkDir(filepath.Join(l.dir, "var", "in", "acme"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.Contains(d.Name(), "-180-") {
			answer = p
		}
		return nil
	})
	b180, err := os.ReadFile(answer)
	if err != nil {
		t.Fatalf("the supplier's 180 answer is not kept: %v", err)
	}
	before := len(a.Timeline)
	if err := os.WriteFile(filepath.Join(l.dir, "var", "in", "acme", "replayed-180.x12"), b180, 0o644); err != nil {
		t.Fatal(err)
	}
	l.wait(id, "the replayed 180 read", func(a *model.Aggregate) bool {
		_, err := os.Stat(filepath.Join(l.dir, "var", "in", "acme", "replayed-180.x12"))
		return os.IsNotExist(err)
	})
	if a = l.wait(id, "", func(*model.Aggregate) bool { return true }); len(a.Timeline) != before || a.Return(ret).RMA != rma {
		t.Fatalf("a replayed 180 changed the order: %d → %d entries", before, len(a.Timeline))
	}
	if out, code := dgLoop(t, l, "returns", "received", ret); code != 0 || !strings.Contains(out, "received") {
		t.Fatalf("returns received: exit %d\n%s", code, out)
	}
	if _, code := dgLoop(t, l, "returns", "received", ret); code != 0 {
		t.Fatalf("a repeated receipt: exit %d", code)
	}

	a = l.wait(id, "the refund recorded", func(a *model.Aggregate) bool {
		r := a.Return(ret)
		return r != nil && r.Status == model.ReturnRefunded
	})
	p := a.Payments[0]
	var refunds []model.PaymentMovement
	for _, mv := range p.Movements {
		if mv.Kind == "refund" {
			refunds = append(refunds, mv)
		}
	}
	if len(refunds) != 1 || refunds[0].Amount.String() != "14.95 USD" || refunds[0].Return != ret || !strings.HasPrefix(refunds[0].ProviderID, "re_") {
		t.Fatalf("refunds %+v", refunds)
	}
	if p.Refunded.Amount != 1495 || p.Status != model.PayPartiallyRefunded || a.Order.PaymentStatus != model.PaymentPartiallyRefunded {
		t.Fatalf("payment %+v, order payment %s", p, a.Order.PaymentStatus)
	}
	key := stripe.IdempotencyKey(id, "refund", "return:"+ret)
	// Every refund call carries the return's key: a job run again (its
	// commit met a concurrent write) may call once more, and Stripe answers
	// that with the same refund. One refund is recorded (above).
	var n int
	for _, c := range calls() {
		if strings.HasPrefix(c, "POST /v1/refunds") {
			if c != "POST /v1/refunds "+key {
				t.Fatalf("refund call %q; want only the return's key %q", c, key)
			}
			n++
		}
	}
	if n == 0 || refunds[0].IdempotencyKey != key {
		t.Fatalf("refund calls with key %q: %d; calls %v", key, n, calls())
	}
	// The store records the refund too: the returned unit, not restocked
	// (dropgate holds no stock), with no transaction (Stripe moved the money).
	var shopRefunds []shopifyfake.Refund
	magentoWait(t, "the refund on Shopify", func() bool {
		shopRefunds = l.fake.Shop(loopShop).Refunds(o.ID)
		return len(shopRefunds) > 0
	})
	if r := shopRefunds[0]; len(shopRefunds) != 1 || len(r.Lines) != 1 || r.Lines[0].LineItemID != o.Lines[0].ID ||
		r.Lines[0].Quantity != 1 || r.Lines[0].RestockType != "no_restock" || len(r.Transactions) != 0 {
		t.Fatalf("refunds on Shopify: %+v", shopRefunds)
	}
	if l := a.Order.Lines[0]; l.Qty.Returned != 1 || l.Qty.Shipped != 2 || l.Qty.Delivered != 2 {
		t.Fatalf("line buckets %+v", l.Qty)
	}
	for _, ev := range []string{"return.requested", "return.rma_requested", "return.authorized", "return.received", "payment.refund", "return.refunded"} {
		if !hasEvent(a, ev, "") {
			t.Errorf("timeline lacks %s: %v", ev, events(a))
		}
	}

	// The supplier's credit: −3.00 (its unit cost) against the PO.
	var pays struct {
		Payables []model.Payable `json:"payables"`
	}
	l.admin("/payables?supplier=acme&order="+id, &pays)
	if len(pays.Payables) != 1 {
		t.Fatalf("payables %+v", pays.Payables)
	}
	if c := pays.Payables[0]; c.Amount.String() != "-3.00 USD" || !c.CreditMemo || c.Return != ret || c.PONumber != a.POs[0].Number || c.InvoiceNumber != "RMA "+rma {
		t.Fatalf("credit %+v", c)
	}
	if out, code := dgLoop(t, l, "orders", "show", id); code != 0 || !strings.Contains(out, "Return "+ret+" to acme") || !strings.Contains(out, "REFUNDED, RMA "+rma) {
		t.Fatalf("orders show: exit %d\n%s", code, out)
	}
	out, code = dgLoop(t, l, "returns", "list", "--status", "refunded", "--json")
	var page struct {
		Returns []model.Return `json:"returns"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &page) != nil {
		t.Fatalf("returns list: exit %d\n%s", code, out)
	}
	listed := page.Returns
	if len(listed) != 1 || listed[0].ID != ret || listed[0].RMA != rma || listed[0].Credit.Amount != 300 {
		t.Fatalf("returns list: %+v", listed)
	}

	// The customer asks the store for the other mug: Shopify's
	// returns/request, delivered twice, opens one return from the channel,
	// whose 180 goes to the supplier too.
	rr := []byte(fmt.Sprintf(`{"id":9001,"name":"#1001-R1","status":"requested","order":{"id":%d},"return_line_items":[{"id":1,"quantity":1,`+
		`"return_reason":"size_too_small","return_reason_note":"","customer_note":"too big","fulfillment_line_item":{"id":2,"line_item":{"id":%d}}}]}`,
		o.ID, o.Lines[0].ID))
	l.webhook("returns/request", rr)
	l.webhook("returns/request", rr)
	a = l.wait(id, "the channel's return sent to the supplier", func(a *model.Aggregate) bool {
		for _, r := range a.Returns {
			if r.Source == "shop" && r.RequestDoc != "" {
				return true
			}
		}
		return false
	})
	var fromShop []model.Return
	for _, r := range a.Returns {
		if r.Source == "shop" {
			fromShop = append(fromShop, r)
		}
	}
	if len(fromShop) != 1 || fromShop[0].ChannelRef != "9001" || fromShop[0].Lines[0].Quantity != 1 || fromShop[0].Reason != "size_too_small: too big" {
		t.Fatalf("returns from the store: %+v", fromShop)
	}
	if _, err := os.Stat(filepath.Join(l.dir, "var", "out", "acme", fromShop[0].ID+".180.x12")); err != nil {
		t.Fatalf("no 180 for the store's return: %v", err)
	}
}
