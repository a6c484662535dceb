package amazon

import (
	"context"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/fakes/amazonfake"
)

// An order the sweep took in is listed again without its items and
// address being read — by a connector built afresh on the same state (a
// restart, another replica) too; one whose intake was not confirmed, or
// whose status changed, is read whole again.
func TestOrdersTakenInAreNotReadAgain(t *testing.T) {
	r, f, c, _ := rig(t)
	ctx := context.Background()
	a := f.AddOrder(amazonfake.NewLine{SKU: "MUG", Qty: 1, Price: "6.00"})
	b := f.AddOrder(amazonfake.NewLine{SKU: "TEE", Qty: 1, Price: "20.00"})
	cursor := c.CursorAt(r.Clock.Now().Add(-time.Hour))
	reads := func() int { return f.Server().Calls()["GET /orders/v0/orders/{id}/orderItems"] }
	addresses := func() int { return f.Server().Calls()["GET /orders/v0/orders/{id}/address"] }

	evs, _ := poll(t, c, cursor)
	if len(evs) != 2 || reads() != 2 || addresses() != 2 {
		t.Fatalf("first poll: %d events, %d item reads, %d addresses; want 2 of each", len(evs), reads(), addresses())
	}
	// Only a was taken in (b's intake failed).
	if err := c.TakenIn(ctx, []connector.ChannelEvent{byID(evs)[a]}); err != nil {
		t.Fatal(err)
	}
	again := suiteConnector(r, f.Transport(), OpLimits[opOrders]) // a restart: only the state remains
	again.limits = OpLimits
	evs, _ = poll(t, again, cursor)
	if got := byID(evs); len(evs) != 1 || got[b].Order == nil {
		t.Fatalf("second poll: events %v; want b alone (a unchanged, taken in)", evs)
	}
	if reads() != 3 || addresses() != 3 {
		t.Fatalf("second poll: %d item reads, %d addresses in all; want b's alone again (3 each)", reads(), addresses())
	}
	if err := again.TakenIn(ctx, evs); err != nil {
		t.Fatal(err)
	}
	r.Clock.Advance(time.Minute)
	f.SetStatus(a, "Canceled")
	evs, _ = poll(t, again, cursor)
	if len(evs) != 1 || evs[0].ChannelOrderID != a || reads() != 4 {
		t.Fatalf("after a changed: events %v, %d item reads; want a alone, read again", evs, reads())
	}
}
