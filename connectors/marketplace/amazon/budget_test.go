package amazon

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/amazonfake"
)

// sweeper is the core's reconcile sweep as it drives this connector
// (core/app/reconcile): each sweep lists from the last one's cursor, one
// an hour (deepEvery) from the last start minus the lookback; a sweep cut
// by the rate limiter resumes where it stopped once the budget is back
// (the queue's wait: here the fake clock moves); the events are taken in
// and handed back (TakenIn).
type sweeper struct {
	t         *testing.T
	r         *connectortest.Rig
	c         *Connector
	cursor    string
	lastStart time.Time
	lastDeep  time.Time
	taken     map[string]int // events taken in per order
	orders    map[string]*model.Order
	cuts      int
}

func (s *sweeper) sweep(ctx context.Context) {
	s.t.Helper()
	start := s.r.Clock.Now()
	cursor := s.cursor
	deep := s.lastDeep.IsZero() || start.Sub(s.lastDeep) >= deepEvery
	if deep {
		since := start.Add(-sweepLookback)
		if !s.lastStart.IsZero() {
			since = s.lastStart.Add(-sweepLookback)
		}
		cursor = s.c.CursorAt(since)
	}
	for try := 0; ; try++ {
		if try > 50 {
			s.t.Fatalf("sweep at %s: still throttled after 50 resumes", start)
		}
		evs, next, err := s.c.PollOrders(ctx, cursor)
		var th *fault.ThrottledError
		if err != nil && !errors.As(err, &th) {
			s.t.Fatalf("sweep at %s: %v", start, err)
		}
		for _, ev := range evs {
			if ev.Kind == connector.EventIgnored || ev.Order == nil {
				continue
			}
			s.taken[ev.ChannelOrderID]++
			s.orders[ev.ChannelOrderID] = ev.Order
		}
		if err := s.c.TakenIn(ctx, evs); err != nil {
			s.t.Fatalf("taken in: %v", err)
		}
		if th == nil {
			s.cursor, s.lastStart = next, start
			if deep {
				s.lastDeep = start
			}
			return
		}
		s.cuts++
		cursor = next
		if d := th.NotBefore.Sub(s.r.Clock.Now()); d > 0 {
			s.r.Clock.Advance(d)
		}
	}
}

// TestSweepsFitTheBudgetAtAThousandOrdersAnHour places 1,000 orders an
// hour on the fake (Amazon's default usage plans, quota violations
// counted) for two hours of its clock, sweeps every poll_every as the core
// does and ships each order an hour and a half after it was taken in. Every
// order is taken in exactly once; in the second hour (deep sweeps
// included) getOrders, getOrderItems and getOrderAddress stay well within
// their hourly budgets, the items and address of each order are read
// once, a shipment reads no items, and Amazon refuses nothing.
func TestSweepsFitTheBudgetAtAThousandOrdersAnHour(t *testing.T) {
	const perHour, hours = 1000, 2
	r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{Rate: 5, Burst: 30})
	f := amazonfake.New(amazonfake.WithClock(r.Clock)) // Amazon's default plans
	cfg := &Config{Region: "na", MarketplaceIDs: []string{amazonfake.Marketplace}, SellerID: amazonfake.SellerID,
		LWAClientID: amazonfake.ClientID, LWAClientSecret: connector.Secret(amazonfake.ClientSecret),
		RefreshToken: connector.Secret(amazonfake.RefreshToken), BaseURL: suiteURL, LWAURL: suiteURL + amazonfake.TokenPath}
	c, err := newConnector(r.Env, cfg, f.Transport(), nil) // OpLimits: the connector's own metering
	if err != nil {
		t.Fatal(err)
	}
	if c.cfg.PollEvery != DefaultPollEvery || DefaultPollEvery != 5*time.Minute {
		t.Fatalf("poll_every %s; this arithmetic is for the 5m default", c.cfg.PollEvery)
	}
	ctx := context.Background()
	s := &sweeper{t: t, r: r, c: c, taken: map[string]int{}, orders: map[string]*model.Order{}}
	gap := time.Hour / perHour
	end := connectortest.Epoch.Add(hours * time.Hour)
	nextSweep := connectortest.Epoch
	nextOrder := connectortest.Epoch
	shipAt := map[string]time.Time{}
	var placed []string
	shipped := 0
	mark, inHour := 0, 0
	for r.Clock.Now().Before(end) {
		now := r.Clock.Now()
		if mark == 0 && !now.Before(connectortest.Epoch.Add(time.Hour)) {
			mark, inHour = f.Server().LastSeq(), len(placed)
		}
		for ; !nextOrder.After(now) && nextOrder.Before(end); nextOrder = nextOrder.Add(gap) {
			placed = append(placed, f.AddOrder(amazonfake.NewLine{SKU: "TEE", Title: "Tee", Qty: 2, Price: "40.00"},
				amazonfake.NewLine{SKU: "MUG", Title: "Mug", Qty: 1, Price: "6.00"}))
		}
		if !nextSweep.After(now) {
			s.sweep(ctx)
			for id := range s.taken {
				if _, ok := shipAt[id]; !ok {
					shipAt[id] = r.Clock.Now().Add(90 * time.Minute)
				}
			}
			nextSweep = nextSweep.Add(c.cfg.PollEvery)
		}
		for id, at := range shipAt {
			if !at.IsZero() && !at.After(now) {
				if shipAt[id] = ship(t, c, s.orders[id], now); shipAt[id].IsZero() { // else the queue's retry
					shipped++
				}
			}
		}
		r.Clock.Advance(gap)
	}
	s.sweep(ctx) // the last orders
	inHour = len(placed) - inHour

	for _, id := range placed {
		if n := s.taken[id]; n != 1 {
			t.Errorf("order %s taken in %d times; want exactly once", id, n)
		}
	}
	if v := f.Server().QuotaViolations(); v != 0 {
		t.Errorf("Amazon refused %d calls over quota; want none", v)
	}
	hour := map[string]int{}
	for _, rq := range f.Server().Since(mark) {
		hour[rq.Route]++
	}
	all := f.Server().Calls()
	const (
		orders  = "GET /orders/v0/orders"
		items   = "GET /orders/v0/orders/{id}/orderItems"
		address = "GET /orders/v0/orders/{id}/address"
		confirm = "POST /orders/v0/orders/{id}/shipmentConfirmation"
	)
	t.Logf("second hour: %d orders placed; calls %v; sweeps cut by the limiter %d", inHour, hour, s.cuts)
	// Amazon's hourly budgets: getOrders 0.0167/s = 60, the others 0.5/s = 1,800.
	budget := map[string]int{orders: 60, items: 1800, address: 1800}
	// The arithmetic of docs/MARKETPLACES.md: 11 sweeps × 2 pages + one
	// deep sweep of 22 = 44 getOrders (73 %); 1,000 items and addresses
	// (56 %; the hour's count includes a few orders of the hour before,
	// read by a sweep the limiter spread past it). Bounded at 75 % and 65 %.
	share := map[string]float64{orders: 0.75, items: 0.65, address: 0.65}
	for op, b := range budget {
		if lim := int(float64(b) * share[op]); hour[op] > lim {
			t.Errorf("%s: %d calls in an hour; want at most %d (%.0f%% of Amazon's %d)", op, hour[op], lim, 100*share[op], b)
		}
	}
	if all[items] != len(placed) || all[address] != len(placed) {
		t.Errorf("getOrderItems %d, getOrderAddress %d for %d orders; want each read once (no re-read of an unchanged order, none at shipment)",
			all[items], all[address], len(placed))
	}
	if due := len(placed) / 5; shipped < due || all[confirm] != shipped {
		t.Errorf("%d shipments confirmed, %d confirmShipment calls; want at least %d, one call each", shipped, all[confirm], due)
	}
}

// ship confirms one package of the whole order; throttled, it returns
// when to try again (zero: done).
func ship(t *testing.T, c *Connector, o *model.Order, at time.Time) time.Time {
	t.Helper()
	p := model.Package{TrackingNumber: "1Z" + o.ChannelOrderID}
	for _, l := range o.Lines {
		p.Lines = append(p.Lines, model.ShipmentLine{OrderLineID: l.ID, Quantity: l.Quantity})
	}
	sh := &model.Shipment{ID: "shp_" + o.ChannelOrderID, OrderID: o.ID, Carrier: "ups", ShippedAt: at, Packages: []model.Package{p}}
	_, err := c.PushFulfillment(context.Background(), o, sh)
	var th *fault.ThrottledError
	if errors.As(err, &th) {
		return th.NotBefore
	}
	if err != nil {
		t.Fatalf("ship %s: %v", o.ChannelOrderID, err)
	}
	return time.Time{}
}
