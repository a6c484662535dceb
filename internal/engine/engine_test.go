package engine

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/catalog"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// recorder is a supplier that records what it was sent.
type recorder struct {
	name      string
	mu        sync.Mutex
	sent      []string
	cancelled []string
}

func (r *recorder) Name() string { return r.name }
func (r *recorder) Type() string { return "recorder" }
func (r *recorder) SendPO(_ context.Context, po *model.PurchaseOrder, _ *model.Order) (connector.Sent, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, po.Number)
	return connector.Sent{Document: po.Number + ".doc"}, nil
}

func (r *recorder) CancelPO(_ context.Context, po *model.PurchaseOrder, _ *model.Order) (connector.Sent, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cancelled = append(r.cancelled, po.Number)
	return connector.Sent{Document: po.Number + ".cancel"}, nil
}

// channel records fulfillments pushed to it.
type channel struct {
	mu     sync.Mutex
	pushed map[string]int
}

func (c *channel) Name() string { return "shop" }
func (c *channel) Type() string { return "fake" }
func (c *channel) PushFulfillment(_ context.Context, _ *model.Order, sh *model.Shipment) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pushed[sh.ID]++
	return "F-" + sh.ID, nil
}

type rig struct {
	e       *Engine
	st      *embedded.Store
	a, b    *recorder
	clk     *clock.Fake
	channel *channel
}

func newRig(t *testing.T) *rig {
	t.Helper()
	clk := clock.NewFake(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC))
	st, err := embedded.Open(filepath.Join(t.TempDir(), "db"), embedded.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat := catalog.New()
	cat.Replace("a", []routing.Offer{{SKU: "MUG", SupplierSKU: "A-MUG", Cost: usd("4.00"), Stock: 10}, {SKU: "TEE", SupplierSKU: "A-TEE", Cost: usd("9.00"), Stock: 10}})
	cat.Replace("b", []routing.Offer{{SKU: "TEE", SupplierSKU: "B-TEE", Cost: usd("7.00"), Stock: 10}})
	profiles := map[string]routing.SupplierProfile{"a": {Name: "a", SLA: routing.SLA{AcknowledgeWithin: 4 * time.Hour}}, "b": {Name: "b"}}
	r := &rig{st: st, a: &recorder{name: "a"}, b: &recorder{name: "b"}, clk: clk, channel: &channel{pushed: map[string]int{}}}
	r.e = &Engine{
		Store: st, Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Catalog: cat,
		Router:    &routing.Router{Suppliers: profiles, Catalog: cat},
		Suppliers: map[string]connector.Connector{"a": r.a, "b": r.b}, Profiles: profiles,
		Channels: map[string]connector.Connector{"shop": r.channel},
	}
	return r
}

func testOrder(id string, lines ...model.OrderLine) *model.Order {
	return &model.Order{
		ID: model.OrderID("shop", id), Channel: "shop", ChannelOrderID: id, ChannelOrderNumber: "#" + id, Currency: "USD",
		ShippingAddress: &model.Address{Name: "Ada", Line1: "1 Road", City: "Austin", Region: "TX", PostalCode: "78701", Country: "US"},
		Lines:           lines,
	}
}

func line(id, sku string, qty int64) model.OrderLine {
	return model.OrderLine{ID: id, SKU: sku, Quantity: qty, UnitPrice: money.MustParse("20.00", "USD")}
}

var cause = model.Cause{Kind: model.CauseWebhook, Ref: "test"}

// nextReady leases the next ready job of Queues, or returns nil when none
// is ready. The rigs run on a fake clock, so nothing becomes ready on its
// own while they look: the store's count decides, never a Dequeue timeout
// that a loaded machine could run into with work still queued.
func nextReady(t testing.TB, st *embedded.Store, lease time.Duration) *store.Job {
	t.Helper()
	ctx := context.Background()
	stats, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ready int64
	for _, q := range stats {
		if slices.Contains(Queues, q.Queue) {
			ready += q.Ready
		}
	}
	if ready == 0 {
		return nil
	}
	dctx, cancel := context.WithTimeout(ctx, time.Minute) // a hang guard
	defer cancel()
	j, err := st.Dequeue(dctx, Queues, lease)
	if err != nil {
		t.Fatalf("Dequeue with %d jobs ready: %v", ready, err)
	}
	return j
}

// drain runs every ready outbound job once through the engine's handler.
func (r *rig) drain(t *testing.T) int {
	t.Helper()
	n := 0
	for {
		j := nextReady(t, r.st, time.Minute)
		if j == nil {
			return n
		}
		handlers := map[string]func(context.Context, *store.Job) error{
			KindPOSend: r.e.handlePOSend, KindPOCancel: r.e.handlePOCancel, KindDocApply: r.e.handleDocApply,
			KindSLAAck: r.e.handleSLA, KindSLAShip: r.e.handleSLA, KindFulfillment: r.e.handleFulfillment,
		}
		h := handlers[j.Kind]
		if h == nil {
			t.Fatalf("unexpected job %s", j.Kind)
		}
		herr := h(context.Background(), j)
		if herr != nil {
			t.Fatalf("%s: %v", j.Kind, herr)
		}
		if err := r.st.Ack(context.Background(), j); err != nil {
			t.Fatal(err)
		}
		n++
	}
}

func TestIntakeSplitsBySupplierAndSendsOnce(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	o := testOrder("1001", line("1", "MUG", 2), line("2", "TEE", 1))
	if err := r.e.Intake(ctx, o, cause); err != nil {
		t.Fatal(err)
	}
	// Redelivery: the same order again changes nothing.
	if err := r.e.Intake(ctx, testOrder("1001", line("1", "MUG", 2), line("2", "TEE", 1)), cause); err != nil {
		t.Fatal(err)
	}
	if n := r.drain(t); n != 2 {
		t.Fatalf("sent %d jobs, want 2 (one per supplier)", n)
	}
	if len(r.a.sent) != 1 || len(r.b.sent) != 1 {
		t.Fatalf("a got %v, b got %v", r.a.sent, r.b.sent)
	}
	a, err := r.e.Load(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.POs) != 2 {
		t.Fatalf("POs = %d", len(a.POs))
	}
	for _, po := range a.POs {
		if po.Status != model.POSent || po.SentAt == nil || po.Number != model.PONumber(o.ID, po.Supplier, 1) {
			t.Errorf("PO %s: %+v", po.Number, po)
		}
		if po.Supplier == "a" && (po.AckDueAt == nil || !po.AckDueAt.Equal(r.clk.Now().Add(4*time.Hour))) {
			t.Errorf("PO to a has no ack due time: %v", po.AckDueAt)
		}
		if po.Supplier == "b" && (po.Lines[0].SupplierSKU != "B-TEE" || po.Lines[0].UnitCost.Amount != 700) {
			t.Errorf("TEE should go to b, cheaper: %+v", po.Lines)
		}
	}
	if a.Order.Status != model.OrderProcessing || a.Order.Lines[0].State != model.LineSent || a.Order.Lines[0].Qty.Sent != 2 {
		t.Errorf("order %s, line %s %+v", a.Order.Status, a.Order.Lines[0].State, a.Order.Lines[0].Qty)
	}
	events := map[string]int{}
	for _, e := range a.Timeline {
		events[e.Event]++
		if e.Cause.Kind == "" {
			t.Errorf("timeline entry without cause: %+v", e)
		}
	}
	if events["order.received"] != 1 || events["po.created"] != 2 || events["po.sent"] != 2 || events["line.routed"] != 2 || events["routing.decided"] != 1 {
		t.Errorf("timeline events = %v", events)
	}
	// The timeline says how the plan was found: MUG has one supplier, TEE
	// two, so the exact search ran.
	for _, e := range a.Timeline {
		if e.Event == "routing.decided" && !strings.HasPrefix(e.Message, "shipments: 2 (a, b), landed ") ||
			e.Event == "routing.decided" && !strings.Contains(e.Message, "; search: exact (branch and bound, 2 nodes)") {
			t.Errorf("routing.decided: %q", e.Message)
		}
	}
	// The PO index finds the order.
	if id, err := r.e.OrderOfPO(ctx, a.POs[0].Number); err != nil || id != o.ID {
		t.Errorf("OrderOfPO = %q, %v", id, err)
	}
	// A second run of a send job changes nothing.
	j := POSendJob(&a.POs[0])
	if err := r.e.handlePOSend(ctx, &j); err != nil || len(r.a.sent)+len(r.b.sent) != 2 {
		t.Errorf("resend: %v, sent %v %v", err, r.a.sent, r.b.sent)
	}
}

func TestInvalidOrdersGoOnHoldWithReason(t *testing.T) {
	noAddr := testOrder("3", line("1", "MUG", 1))
	noAddr.ShippingAddress = nil
	badCur := testOrder("4", line("1", "MUG", 1))
	badCur.Currency = "XYZ"
	negPrice := testOrder("8", line("1", "MUG", 1))
	negPrice.Lines[0].UnitPrice = usd("-20.00")
	negTotal := testOrder("9", line("1", "MUG", 1))
	negTotal.Totals.Total = usd("-5.00")
	tests := []struct {
		name   string
		order  *model.Order
		reason string
		kind   model.ExceptionKind
	}{
		{"no lines", testOrder("1"), "the order has no lines", model.ExInvalidOrder},
		{"zero quantity", testOrder("2", line("1", "MUG", 0)), "line 1 (MUG): quantity 0 is not positive", model.ExInvalidOrder},
		{"negative quantity", testOrder("5", line("1", "MUG", -2)), "line 1 (MUG): quantity -2 is not positive", model.ExInvalidOrder},
		{"missing address", noAddr, "missing shipping address", model.ExInvalidOrder},
		{"unknown currency", badCur, `unknown currency "XYZ"`, model.ExInvalidOrder},
		{"negative unit price", negPrice, "line 1 (MUG): negative unit price -20.00 USD", model.ExInvalidOrder},
		{"negative total", negTotal, "negative order total -5.00 USD", model.ExInvalidOrder},
		{"unroutable sku", testOrder("6", line("1", "MUG", 1), line("2", "GHOST", 1)), "SKU GHOST is carried by no supplier", model.ExUnroutable},
		{"not enough stock", testOrder("7", line("1", "MUG", 50)), "no eligible supplier for SKU MUG (a: stock 10 (minus safety buffer 0) is below quantity 50)", model.ExUnroutable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			ctx := context.Background()
			if err := r.e.Intake(ctx, tt.order, cause); err != nil {
				t.Fatal(err)
			}
			a, err := r.e.Load(ctx, tt.order.ID)
			if err != nil {
				t.Fatal(err)
			}
			if a.Order.Status != model.OrderOnHold || len(a.Order.Holds) == 0 || a.Order.Holds[0].Reason != tt.reason {
				t.Fatalf("status %s holds %+v, want reason %q", a.Order.Status, a.Order.Holds, tt.reason)
			}
			if len(a.POs) != 0 || r.drain(t) != 0 {
				t.Error("a held order must not produce POs or jobs")
			}
			recs, _, err := r.st.ListRecords(ctx, RecException, store.Query{Field: "order", Value: tt.order.ID})
			if err != nil || len(recs) != 1 {
				t.Fatalf("exceptions = %d, %v", len(recs), err)
			}
			var x model.Exception
			json.Unmarshal(recs[0].Data, &x)
			if x.Kind != tt.kind || x.Reason != tt.reason || x.Status != "open" {
				t.Errorf("exception = %+v", x)
			}
			// Processing the same order again raises nothing new.
			r.e.Intake(ctx, tt.order, cause)
			if recs, _, _ := r.st.ListRecords(ctx, RecException, store.Query{}); len(recs) != 1 {
				t.Errorf("exceptions after redelivery = %d", len(recs))
			}
		})
	}
}

func TestCancelBeforeSend(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	o := testOrder("9", line("1", "MUG", 1))
	if err := r.e.Intake(ctx, o, cause); err != nil {
		t.Fatal(err)
	}
	if err := r.e.CancelOrder(ctx, "shop", cancelEvent(o, "customer"), cause); err != nil {
		t.Fatal(err)
	}
	r.drain(t)
	if len(r.a.sent) != 0 {
		t.Fatalf("a cancelled order's PO was sent: %v", r.a.sent)
	}
	a, _ := r.e.Load(ctx, o.ID)
	if a.Order.Status != model.OrderCancelled || a.POs[0].Status != model.POCancelled {
		t.Errorf("order %s po %s", a.Order.Status, a.POs[0].Status)
	}
	last := a.Timeline[len(a.Timeline)-1]
	if last.Event != "order.cancelled" || !strings.Contains(last.Message, "customer") {
		t.Errorf("last timeline entry = %+v", last)
	}
}

func usd(s string) money.Money { return money.MustParse(s, "USD") }

// cancelEvent is the channel's proven cancellation of o.
func cancelEvent(o *model.Order, reason string) connector.ChannelEvent {
	c := *o
	at := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	c.CancelledAt, c.CancelReason = &at, reason
	return connector.ChannelEvent{Kind: connector.EventOrderCancelled, ChannelOrderID: o.ChannelOrderID, Order: &c, Reason: reason, At: at}
}

// TestUnprovenCancellationChangesNothing: an event that says "cancelled"
// without the order showing it (a header's word) is not acted on, on any
// channel.
func TestUnprovenCancellationChangesNothing(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	o := testOrder("11", line("1", "MUG", 1))
	if err := r.e.Intake(ctx, o, cause); err != nil {
		t.Fatal(err)
	}
	unproven := connector.ChannelEvent{Kind: connector.EventOrderCancelled, ChannelOrderID: "11", Order: o, Reason: "customer"}
	if err := r.e.CancelOrder(ctx, "shop", unproven, cause); err != nil {
		t.Fatal(err)
	}
	r.drain(t)
	a, _ := r.e.Load(ctx, o.ID)
	if a.Order.Status == model.OrderCancelled || len(r.a.sent) != 1 || len(r.a.cancelled) != 0 {
		t.Fatalf("order %s, sent %v, cancelled %v: an unproven cancellation was applied", a.Order.Status, r.a.sent, r.a.cancelled)
	}
	if err := r.e.CancelOrder(ctx, "shop", cancelEvent(o, "customer"), cause); err != nil {
		t.Fatal(err)
	}
	r.drain(t)
	if a, _ = r.e.Load(ctx, o.ID); a.Order.Status != model.OrderCancelled || len(r.a.cancelled) != 1 {
		t.Errorf("proven cancellation: order %s, cancelled %v", a.Order.Status, r.a.cancelled)
	}
}
