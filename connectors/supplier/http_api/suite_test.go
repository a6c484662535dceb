package http_api

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/supplierapi"
)

// The capability suites of internal/connectortest, run against the
// README's config on the supplierapi fake (the tests in the other files
// are the connector's own).

// suiteLimit is the README's rate limit, which the fake enforces too.
var suiteLimit = store.Limit{Rate: 5, Burst: 10}

// suiteAPI is the connector and the fake it talks to over HTTP.
type suiteAPI struct {
	c *Connector
	f *supplierapi.Fake
}

func newSuiteAPI(t *testing.T, r *connectortest.Rig) suiteAPI {
	f := supplierapi.New(supplierapi.WithClock(r.Clock), supplierapi.WithRateLimit(suiteLimit.Rate, suiteLimit.Burst))
	url := f.Start()
	r.T.Cleanup(f.Close)
	c, err := build(r.Env, readmeConfig(t, url, supplierapi.DefaultToken), nil)
	if err != nil {
		r.T.Fatalf("build: %v", err)
	}
	return suiteAPI{c: c, f: f}
}

// orders are the supplier's order ids for PO number n.
func (s suiteAPI) orders(n string) []string {
	var out []string
	for _, o := range s.f.Orders() {
		if o.ExternalRef == n {
			out = append(out, fmt.Sprint(o.ID))
		}
	}
	return out
}

// cancellations are the supplier's orders for PO number n that a cancel
// request cancelled.
func (s suiteAPI) cancellations(n string) []string {
	var out []string
	for _, id := range s.orders(n) {
		for _, q := range s.f.Server().Requests() {
			if q.Method == http.MethodPost && q.Path == "/v2/orders/"+id+"/cancel" && q.Succeeded() && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
	}
	return out
}

func suitePO(i int) (*model.PurchaseOrder, *model.Order) {
	po, order := testPO(i, "ACME-TEE")
	po.Supplier = connectortest.Instance
	po.Number = model.PONumber(order.ID, connectortest.Instance, 1)
	return po, order
}

func TestSuitePurchaseOrders(t *testing.T) {
	connectortest.RunPurchaseOrders(t, connectortest.POHarness{Limit: suiteLimit, Setup: func(r *connectortest.Rig) connectortest.POFixture {
		s := newSuiteAPI(t, r)
		return connectortest.POFixture{
			Connector:     s.c,
			PO:            suitePO,
			Orders:        s.orders,
			Cancellations: s.cancellations,
			Fake:          s.f.Server(),
			Write:         connectortest.Route{Method: http.MethodPost, Path: "/v2/orders"},
			CancelWrite:   connectortest.Route{Method: http.MethodPost, PathPrefix: "/v2/orders/"},
		}
	}})
}

func TestSuiteStatusPoll(t *testing.T) {
	connectortest.RunStatusPoll(t, connectortest.StatusPollHarness{Limit: suiteLimit, Setup: func(r *connectortest.Rig) connectortest.StatusPollFixture {
		s := newSuiteAPI(t, r)
		ids := map[string]uint64{}
		return connectortest.StatusPollFixture{
			Platform: connectortest.Platform{Connector: s.c, Fake: s.f.Server(),
				Write: connectortest.Route{Method: http.MethodGet, PathPrefix: "/v2/orders/"}},
			// The order is seeded on the fake, as if sent earlier: the
			// poll's quota is the poll's alone.
			Open: func(i int) *model.PurchaseOrder {
				po, _ := suitePO(i)
				var lines []supplierapi.Line
				for _, l := range po.Lines {
					lines = append(lines, supplierapi.Line{Line: l.LineNo, SKU: l.SupplierSKU, Quantity: l.Quantity, UnitPrice: l.UnitCost.Decimal().String()})
				}
				o := s.f.Seed(po.Number, po.Currency, supplierapi.Address{Name: po.ShipTo.Name, Address1: po.ShipTo.Line1,
					City: po.ShipTo.City, Country: po.ShipTo.Country}, lines...)
				ids[po.Number] = o.ID
				po.Status = model.POSent
				po.SetRef(s.c.refSystem(), fmt.Sprint(o.ID))
				return po
			},
			Ship: func(po *model.PurchaseOrder) {
				if !s.f.Ship(ids[po.Number]) {
					r.T.Fatalf("the fake cannot ship %s", po.Number)
				}
			},
		}
	}})
}
