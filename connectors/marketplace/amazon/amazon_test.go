package amazon

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/amazonfake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

// keys records the limiter keys the connector takes tokens from.
type keys struct {
	store.Limiter
	mu   sync.Mutex
	seen map[string]store.Limit
}

func (k *keys) Take(ctx context.Context, key string, n int, l store.Limit) (time.Duration, error) {
	k.mu.Lock()
	k.seen[key] = l
	k.mu.Unlock()
	return k.Limiter.Take(ctx, key, n, l)
}

// rig is the connector with Amazon's default per-operation limits on a
// fake with Amazon's default buckets.
func rig(t *testing.T) (*connectortest.Rig, *amazonfake.Fake, *Connector, *keys) {
	t.Helper()
	r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{Rate: 5, Burst: 30})
	k := &keys{Limiter: r.Env.Limiter, seen: map[string]store.Limit{}}
	r.Env.Limiter = k
	f := amazonfake.New(amazonfake.WithClock(r.Clock), amazonfake.WithItemPage(1))
	c := suiteConnector(r, f.Transport(), store.Limit{})
	c.limits = OpLimits
	return r, f, c, k
}

func poll(t *testing.T, c *Connector, cursor string) ([]connector.ChannelEvent, string) {
	t.Helper()
	evs, next, err := c.PollOrders(context.Background(), cursor)
	if err != nil {
		t.Fatalf("poll: %v", err)
	}
	return evs, next
}

func byID(evs []connector.ChannelEvent) map[string]connector.ChannelEvent {
	m := map[string]connector.ChannelEvent{}
	for _, e := range evs {
		m[e.ChannelOrderID] = e
	}
	return m
}

// A poll reads items (paged: one item a page here) and, for a routable
// order, the PII address with an RDT; Pending is payment pending;
// Canceled and buyer-requested cancels are cancellations; AFN and
// Shipped orders are not events. Each operation draws on its own
// limiter key with Amazon's plan, and the stated plan is read.
func TestPollStatusesAddressAndLimits(t *testing.T) {
	r, f, c, k := rig(t)
	ship := f.AddOrder(amazonfake.NewLine{SKU: "MUG", Title: "Mug", Qty: 2, Price: "39.98"},
		amazonfake.NewLine{SKU: "TEE", Title: "Tee", Qty: 1, Price: "15.00"})
	pending := f.AddOrder(amazonfake.NewLine{SKU: "MUG", Qty: 1, Price: "19.99"})
	f.SetStatus(pending, "Pending")
	gone := f.AddOrder(amazonfake.NewLine{SKU: "MUG", Qty: 1, Price: "19.99"})
	f.SetStatus(gone, "Canceled")
	asked := f.AddOrder(amazonfake.NewLine{SKU: "MUG", Qty: 1, Price: "19.99"})
	f.BuyerCancel(asked, "Found cheaper somewhere else.")
	shipped := f.AddOrder(amazonfake.NewLine{SKU: "MUG", Qty: 1, Price: "19.99"})
	f.SetStatus(shipped, "Shipped")
	r.Clock.Advance(time.Minute)

	evs, cursor := poll(t, c, "")
	got := byID(evs)
	if len(evs) != 4 {
		t.Fatalf("%d events, want 4 (the Shipped order is none): %+v", len(evs), evs)
	}
	o := got[ship].Order
	if got[ship].Kind != connector.EventOrderUpdated || o.PaymentStatus != model.PaymentPaid || len(o.Lines) != 2 {
		t.Fatalf("unshipped order: %+v", got[ship])
	}
	if o.ShippingAddress == nil || o.ShippingAddress.Name != "Ada Lovelace" || o.ShippingAddress.Line1 != "12 Analytical Row" {
		t.Errorf("address %+v: the name and street come from getOrderAddress with an RDT", o.ShippingAddress)
	}
	if o.Lines[0].UnitPrice != usd("19.99") || o.Lines[0].Quantity != 2 || o.Totals.Total != usd("54.98") {
		t.Errorf("lines %+v totals %+v", o.Lines, o.Totals)
	}
	if p := got[pending]; p.Kind != connector.EventOrderUpdated || p.Order.PaymentStatus != model.PaymentPending {
		t.Errorf("pending order: %+v, want an update with payment pending", p)
	}
	if p := got[pending].Order.ShippingAddress; p != nil && p.Name != "" {
		t.Errorf("pending order's address read with an RDT (%+v); only routable orders need one", p)
	}
	if g := got[gone]; g.Kind != connector.EventOrderCancelled {
		t.Errorf("canceled order: %+v", g)
	}
	if a := got[asked]; a.Kind != connector.EventOrderCancelled || !strings.Contains(a.Reason, "Found cheaper") {
		t.Errorf("buyer-cancelled order: %+v", a)
	}
	if cursor == "" {
		t.Errorf("no cursor")
	}
	for op, want := range map[string]store.Limit{opOrders: OpLimits[opOrders], opItems: OpLimits[opItems],
		opRDT: OpLimits[opRDT], opAddress: OpLimits[opAddress]} {
		if l, ok := k.seen["amazon:"+amazonfake.SellerID+":"+op]; !ok || l != want {
			t.Errorf("limiter key of %s: %v %v; want its own with Amazon's plan %v (seen %v)", op, ok, l, want, k.seen)
		}
	}
	if p := c.Plan(opOrders); p != "0.0167" { // Amazon's, not ours with the margin
		t.Errorf("getOrders plan read %q, want 0.0167 from x-amzn-RateLimit-Limit", p)
	}
	if v := f.Server().QuotaViolations(); v != 0 {
		t.Errorf("%d quota violations", v)
	}
	// The next poll, from the cursor, sees the orders again through the
	// overlap, but nothing new.
	r.Clock.Advance(2 * time.Minute)
	again, _ := poll(t, c, cursor)
	if len(again) != 4 {
		t.Errorf("%d events from the cursor, want the 4 again within the overlap", len(again))
	}
}

// The LWA token is minted once, shared by a replica on the same State,
// and replaced shortly before its hour is up; an expired one is refused
// by the fake with 403, after which the next call mints anew.
func TestTokenSharedRenewedAndExpired(t *testing.T) {
	r, f, c, _ := rig(t)
	push := func(cn *Connector, n int64) error {
		return cn.PushInventory(context.Background(), []connector.InventoryUpdate{{SKU: "A", Available: n}})
	}
	if err := push(c, 1); err != nil {
		t.Fatal(err)
	}
	other := suiteConnector(r, f.Transport(), store.Limit{Rate: 5, Burst: 5})
	if err := push(other, 2); err != nil {
		t.Fatal(err)
	}
	if n := f.TokensIssued(); n != 1 {
		t.Fatalf("%d tokens for two replicas; want 1 shared through State", n)
	}
	r.Clock.Advance(56 * time.Minute)
	if err := push(c, 3); err != nil {
		t.Fatal(err)
	}
	if n := f.TokensIssued(); n != 2 {
		t.Fatalf("%d tokens after 56 minutes; want a fresh one", n)
	}
	// A token Amazon no longer takes: 403, retryable, forgotten.
	f.Server().Inject(kit.Fault{Path: "/listings/2021-08-01/items/" + amazonfake.SellerID + "/A", Status: http.StatusForbidden,
		Body: []byte(`{"errors": [{"code": "Unauthorized", "message": "Access to requested resource is denied.",
 "details": "The access token you provided has expired."}]}`), Times: 1})
	err := push(c, 4)
	if err == nil || fault.IsPermanent(err) {
		t.Fatalf("expired token: %v; want a retryable error", err)
	}
	if err := push(c, 4); err != nil {
		t.Fatalf("after an expired token: %v", err)
	}
	if n := f.TokensIssued(); n != 3 {
		t.Errorf("%d tokens; the refused one must be replaced", n)
	}
}

// A call without a token is refused by the fake as Amazon does.
func TestFakeRefusesMissingToken(t *testing.T) {
	f := amazonfake.New()
	req, _ := http.NewRequest("GET", suiteURL+"/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER&LastUpdatedAfter=2026-01-01T00:00:00Z", nil)
	resp, err := f.Transport().RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 403", resp.StatusCode)
	}
}

// Amazon's getOrderItems example is in JPY with cents: refused, naming
// the amount, never rounded.
func TestOrderItemsExampleJPY(t *testing.T) {
	body := orderItemsDoc(t, "Unshipped")
	_, _, c, _ := rig(t)
	_, err := c.DecodeEvent(context.Background(), TopicOrder, body)
	if err == nil || !fault.IsPermanent(err) || !strings.Contains(err.Error(), `"25.99" in JPY`) {
		t.Fatalf("decode: %v; want a permanent error naming 25.99 JPY", err)
	}
}

// A carrier Amazon has no code for is "Other" with its name; a replay
// confirms nothing more; a second shipment of the rest is confirmed; no
// items are read for it.
func TestConfirmShipmentCarriersAndReplay(t *testing.T) {
	r, f, c, _ := rig(t)
	id := f.AddOrder(amazonfake.NewLine{SKU: "MUG", Qty: 3, Price: "59.97"})
	ao, _ := f.Order(id)
	item := ao.Items[0].OrderItemID
	o := &model.Order{ChannelOrderID: id, Tags: []string{marketplaceTag + amazonfake.Marketplace}}
	sh := func(n, carrier, tracking string, qty int64) *model.Shipment {
		return &model.Shipment{ID: n, Carrier: carrier, ShippedAt: r.Clock.Now(), Packages: []model.Package{{TrackingNumber: tracking,
			Lines: []model.ShipmentLine{{OrderLineID: item, Quantity: qty}}}}}
	}
	first := sh("s1", "evri", "EV1", 1)
	for range 2 {
		if _, err := c.PushFulfillment(context.Background(), o, first); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.PushFulfillment(context.Background(), o, sh("s2", "fedex", "FX2", 2)); err != nil {
		t.Fatal(err)
	}
	cs := f.Confirmations(id)
	if len(cs) != 2 {
		t.Fatalf("%d confirmations, want 2 (the replay confirms nothing)", len(cs))
	}
	if cs[0].CarrierCode != "Other" || cs[0].CarrierName != "evri" || cs[1].CarrierCode != "FedEx" {
		t.Errorf("carriers %+v", cs)
	}
	if got, _ := f.Order(id); got.OrderStatus != "Shipped" {
		t.Errorf("order %s after shipping everything", got.OrderStatus)
	}
	// Every answer arrived: the shipments named their items, and nothing
	// needed Amazon's QuantityShipped.
	if n := f.Server().Calls()["GET /orders/v0/orders/{id}/orderItems"]; n != 0 {
		t.Errorf("%d getOrderItems calls to confirm shipments; want none", n)
	}
}

// A patch Amazon answers with an ERROR issue is that SKU's failure,
// reported with the issue; the other SKUs before it are written.
func TestListingIssueReportedPerSKU(t *testing.T) {
	_, f, c, _ := rig(t)
	f.SetIssue("BAD", "The attribute purchasable_offer is not allowed for this product type")
	err := c.PushInventory(context.Background(), []connector.InventoryUpdate{{SKU: "GOOD", Available: 3}, {SKU: "BAD", Available: 1}})
	if err == nil || !fault.IsPermanent(err) || !strings.Contains(err.Error(), "sku BAD") || !strings.Contains(err.Error(), "not allowed") {
		t.Fatalf("push: %v; want a permanent error naming BAD and Amazon's issue", err)
	}
	if l, _ := f.Listing("GOOD"); l.Quantity != 3 {
		t.Errorf("GOOD has %d", l.Quantity)
	}
}
