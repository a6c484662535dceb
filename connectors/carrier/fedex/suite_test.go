package fedex

import (
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/fedexfake"
)

func TestSuiteTracking(t *testing.T) {
	connectortest.RunTracking(t, connectortest.TrackingHarness{Limit: store.Limit{Rate: 2, Burst: 10},
		Setup: func(r *connectortest.Rig) connectortest.TrackingFixture {
			f := fedexfake.New(fedexfake.WithClock(r.Clock))
			return connectortest.TrackingFixture{Connector: newTest(r.T, r, f, fedexfake.ClientSecret), Fake: f.Server(),
				Track: connectortest.Route{Method: "POST", Path: fedexfake.TrackPath}, Carrier: "fedex",
				Number: number, Unknown: "999999999999",
				Delivered: func(at time.Time) {
					f.AddScan(number, fedexfake.Scan(at, "PU", "Picked up"))
					f.AddScan(number, fedexfake.Scan(at.Add(time.Hour), "DL", "Delivered"))
				},
				Minted: f.Minted, Expire: f.ExpireTokens, TokenTTL: fedexfake.TokenTTL}
		}})
}
