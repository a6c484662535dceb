package walmart

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/kit"
	"github.com/dropgate/dropgate/internal/fakes/walmartfake"
)

var roomy = store.Limit{Rate: 100, Burst: 1000}

func rig(t *testing.T) (*connectortest.Rig, *walmartfake.Fake, *Connector) {
	t.Helper()
	r := connectortest.NewRig(connectortest.Wrap(t), roomy)
	f := walmartfake.New(walmartfake.WithClock(r.Clock))
	return r, f, suiteConnector(r, &Config{PageSize: 2}, f.Transport())
}

func push(t *testing.T, c *Connector, sku string, n int64) {
	t.Helper()
	if err := c.PushInventory(context.Background(), []connector.InventoryUpdate{{SKU: sku, Available: n}}); err != nil {
		t.Fatalf("push inventory: %v", err)
	}
}

// The token is minted once, shared by a second replica (same State), and
// replaced shortly before its 15 minutes are up; the fake refuses an
// expired one, so a connector keeping it would fail.
func TestTokenSharedAndRenewed(t *testing.T) {
	r, f, c := rig(t)
	push(t, c, "A", 1)
	other := suiteConnector(r, &Config{}, f.Transport()) // another replica on the same state
	push(t, other, "A", 2)
	if n := f.TokensIssued(); n != 1 {
		t.Fatalf("%d tokens minted for two replicas within 15 minutes; want 1 (shared through State)", n)
	}
	r.Clock.Advance(14 * time.Minute)
	push(t, c, "A", 3)
	if n := f.TokensIssued(); n != 2 {
		t.Fatalf("%d tokens after 14 minutes; want a fresh one (the old has under 2 minutes left)", n)
	}
	if d := f.DuplicateCorrelationIDs(); d != 0 {
		t.Errorf("%d correlation ids sent twice; WM_QOS.CORRELATION_ID must be unique per call", d)
	}
}

// A revoked token (401) is forgotten: the call fails, the next mints anew.
func TestRevokedTokenIsDropped(t *testing.T) {
	r, f, c := rig(t)
	push(t, c, "A", 1)
	f.Server().Inject(kit.Fault{Method: "PUT", Path: "/v3/inventory", Status: http.StatusUnauthorized, Times: 1})
	err := c.PushInventory(context.Background(), []connector.InventoryUpdate{{SKU: "A", Available: 2}})
	if err == nil || !fault.IsPermanent(err) {
		t.Fatalf("a 401: %v; want a permanent error", err)
	}
	if _, err := r.Env.State.GetRecord(context.Background(), tokenKind, tokenID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused token is still cached (%v)", err)
	}
	push(t, c, "A", 2)
	if n := f.TokensIssued(); n != 2 {
		t.Errorf("%d tokens; want a second after the 401", n)
	}
}

// Every call carries the WM_* headers (the fake refuses one without).
func TestHeadersOnEveryCall(t *testing.T) {
	_, f, c := rig(t)
	push(t, c, "A", 1)
	for _, q := range f.Server().Requests() {
		for _, h := range []string{"WM_SVC.NAME", "WM_QOS.CORRELATION_ID"} {
			if q.Header.Get(h) == "" {
				t.Errorf("%s %s without %s", q.Method, q.Path, h)
			}
		}
		if q.Path != "/v3/token" && q.Header.Get("WM_SEC.ACCESS_TOKEN") == "" {
			t.Errorf("%s %s without WM_SEC.ACCESS_TOKEN", q.Method, q.Path)
		}
	}
}

// A polled order is acknowledged at the next poll (once its first poll
// was ingested), once; a cancelled line comes as its units cancelled and
// a wholly cancelled order as a cancellation.
func TestPollAcknowledgesAndCancels(t *testing.T) {
	_, f, c := rig(t)
	ctx := context.Background()
	o1 := f.AddOrder(walmartfake.NewLine{SKU: "MUG", Name: "Mug", Qty: 1, Price: "9.99"}, walmartfake.NewLine{SKU: "TEE", Name: "Tee", Qty: 1, Price: "5"})
	o2 := f.AddOrder(walmartfake.NewLine{SKU: "MUG", Name: "Mug", Qty: 1, Price: "9.99"})
	o3 := f.AddOrder(walmartfake.NewLine{SKU: "CAP", Name: "Cap", Qty: 2, Price: "20"})
	evs, cursor, err := c.PollOrders(ctx, "")
	if err != nil || len(evs) != 3 {
		t.Fatalf("first poll: %d events, %v", len(evs), err)
	}
	if f.Acks(o1.PurchaseOrderID) != 0 {
		t.Fatalf("acknowledged before the poll's events were ingested")
	}
	f.CancelLine(o1.PurchaseOrderID, "2")
	f.CancelLine(o2.PurchaseOrderID, "1")
	evs, _, err = c.PollOrders(ctx, cursor)
	if err != nil {
		t.Fatalf("second poll: %v", err)
	}
	for _, po := range []string{o1.PurchaseOrderID, o2.PurchaseOrderID, o3.PurchaseOrderID} {
		if n := f.Acks(po); n != 1 {
			t.Errorf("order %s acknowledged %d times; want 1", po, n)
		}
	}
	got := map[string]connector.ChannelEvent{}
	for _, ev := range evs {
		got[ev.ChannelOrderID] = ev
	}
	if ev := got[o1.PurchaseOrderID]; ev.Kind != connector.EventOrderUpdated || ev.Order.Lines[1].Cancelled != 1 || ev.Order.Lines[0].Cancelled != 0 {
		t.Errorf("a cancelled line: %+v", ev)
	}
	if ev := got[o2.PurchaseOrderID]; ev.Kind != connector.EventOrderCancelled || !ev.ProvesCancellation() {
		t.Errorf("a wholly cancelled order: %+v", ev)
	}
	if _, _, err := c.PollOrders(ctx, cursor); err != nil {
		t.Fatalf("third poll: %v", err)
	}
	if n := f.Acks(o3.PurchaseOrderID); n != 1 {
		t.Errorf("order acknowledged %d times after three polls; want 1", n)
	}
}

// A shipment maps carriers to Walmart's names (otherwise otherCarrier),
// one entry per line with its quantity as a string.
func TestShipmentCarriers(t *testing.T) {
	_, f, c := rig(t)
	o, sh := shipmentOf(f, 1)
	if _, err := c.PushFulfillment(context.Background(), o, sh); err != nil {
		t.Fatalf("push: %v", err)
	}
	ss := f.Shipments(o.ChannelOrderID)
	if len(ss) != 1 || len(ss[0].Lines) != 2 {
		t.Fatalf("shipments %+v", ss)
	}
	l1, l2 := ss[0].Lines[0], ss[0].Lines[1]
	if l1.LineNumber != "1" || l1.Qty != 2 || l1.Tracking.CarrierName.Carrier != "UPS" || l1.Tracking.MethodCode != "Standard" {
		t.Errorf("line 1: %+v", l1)
	}
	if l2.Tracking.CarrierName.Carrier != "" || l2.Tracking.CarrierName.OtherCarrier != "yodel" || l2.Tracking.TrackingNumber != "LP00000001" {
		t.Errorf("line 2: %+v", l2)
	}
	// A cancelled line cannot ship: Walmart's 400 is permanent.
	o2, sh2 := shipmentOf(f, 2)
	f.CancelLine(o2.ChannelOrderID, "2")
	if _, err := c.PushFulfillment(context.Background(), o2, sh2); err == nil || !fault.IsPermanent(err) {
		t.Errorf("shipping a cancelled line: %v; want a permanent error", err)
	}
}

func TestCheck(t *testing.T) {
	cfg := &Config{BaseURL: "ftp://x", PollEvery: 0, PageSize: 500, WebhookSecret: "s"}
	if ps := cfg.Check(); len(ps) != 4 {
		t.Errorf("problems %+v; want base_url, poll_every, page_size, webhook_secret", ps)
	}
	ok := &Config{BaseURL: DefaultBaseURL, PollEvery: time.Minute, PageSize: 100}
	if ps := ok.Check(); len(ps) != 0 {
		t.Errorf("a valid config: %+v", ps)
	}
}

// TestTokenRevokedMidRunIsRetried: a token Walmart refuses ten minutes
// after it was minted (revoked, or replaced by another client) makes the
// job retryable, not dead: the retry mints another and succeeds.
func TestTokenRevokedMidRunIsRetried(t *testing.T) {
	r, f, c := rig(t)
	push(t, c, "A", 1)
	r.Clock.Advance(10 * time.Minute)
	f.Server().Inject(kit.Fault{Method: "PUT", Path: "/v3/inventory", Status: http.StatusUnauthorized, Times: 1})
	err := c.PushInventory(context.Background(), []connector.InventoryUpdate{{SKU: "A", Available: 2}})
	if class, _ := fault.Classify(err); class != fault.ClassRetryable {
		t.Fatalf("a 401 on a ten-minute-old token: %v; want retryable", err)
	}
	push(t, c, "A", 2)
	if n := f.TokensIssued(); n != 2 {
		t.Errorf("%d tokens; want a second after the 401", n)
	}
}
