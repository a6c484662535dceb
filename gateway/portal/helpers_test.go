package portal_test

import (
	"context"
	"github.com/dropgate/dropgate/core/scorecard"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/gateway/portal"
)

// ops is an operator port over a few orders, each with one PO.
type ops struct {
	ports.Operator // for the dashboard of the separation test; unused methods panic
	orders         map[string]*model.Aggregate
}

func (o *ops) Orders(_ context.Context, where map[string]string, _ repo.Page) ([]model.Aggregate, string, error) {
	var out []model.Aggregate
	for _, a := range o.orders {
		match := true
		for k := range where {
			found := false
			for _, po := range a.POs {
				found = found || k == "supplier."+po.Supplier
			}
			match = match && found
		}
		if match {
			out = append(out, *a)
		}
	}
	return out, "", nil
}

func (o *ops) Order(_ context.Context, id string) (*model.Aggregate, error) {
	if a, ok := o.orders[id]; ok {
		return a, nil
	}
	return nil, store.ErrNotFound
}

func (o *ops) OrderOfPO(_ context.Context, number string) (string, error) {
	for id, a := range o.orders {
		if a.PO(number) != nil {
			return id, nil
		}
	}
	return "", store.ErrNotFound
}

// fixture is a portal with suppliers a (ann@a.example) and b
// (bob@b.example), each with one sent PO (POA1, POB1), and a fake clock.
type fixture struct {
	srv *httptest.Server
	mu  sync.Mutex
	// docs are the documents submitted, with their actor.
	docs   []connector.InboundDoc
	actors []string
	now    time.Time
	cards  []string // suppliers whose scorecard was asked for
}

const password = "correct horse battery"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	hash, _ := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	f := &fixture{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	o := &ops{orders: map[string]*model.Aggregate{"o1": order("o1", "POA1", "a"), "o2": order("o2", "POB1", "b")}}
	p := &portal.Portal{Ops: o, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Users: []portal.User{{Supplier: "a", Email: "ann@a.example", PasswordHash: string(hash)}, {Supplier: "b", Email: "bob@b.example", PasswordHash: string(hash)}},
		Now:   func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now },
		Submit: func(_ context.Context, supplier, actor string, d connector.InboundDoc) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			if o.orders["o1"].PO(d.PONumber) == nil && supplier == "a" || o.orders["o2"].PO(d.PONumber) == nil && supplier == "b" {
				return portal.ErrNotYours
			}
			f.docs, f.actors = append(f.docs, d), append(f.actors, actor)
			return nil
		},
		Scorecard: func(_ context.Context, supplier string) (scorecard.Card, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.cards = append(f.cards, supplier)
			half := 0.5
			return scorecard.Card{Supplier: supplier, AsOf: f.now, Windows: []scorecard.Summary{{Label: "30d", POs: 4,
				Metrics: map[string]scorecard.Metric{scorecard.FillRate: {Value: &half, Num: 2, Den: 4}}}}}, nil
		}}
	h, err := p.Handler()
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *fixture) submitted() ([]connector.InboundDoc, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]connector.InboundDoc(nil), f.docs...), append([]string(nil), f.actors...)
}

func order(id, po, supplier string) *model.Aggregate {
	return &model.Aggregate{Order: model.Order{ID: id}, POs: []model.PurchaseOrder{{
		Number: po, OrderID: id, Supplier: supplier, Status: model.POSent, Currency: "USD",
		ShipTo: model.Address{Name: "=HYPERLINK(\"x\")", Line1: "1 Main St", City: "Springfield", Country: "US"},
		Lines:  []model.POLine{{LineNo: 1, SupplierSKU: supplier + "-MUG", SKU: "MUG", Quantity: 2, UnitCost: money.MustParse("4.00", "USD")}},
	}}}
}
