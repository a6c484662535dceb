package usps

import (
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/uspsfake"
)

func TestSuiteTracking(t *testing.T) {
	connectortest.RunTracking(t, connectortest.TrackingHarness{Limit: store.Limit{Rate: 2, Burst: 10},
		Setup: func(r *connectortest.Rig) connectortest.TrackingFixture {
			f := uspsfake.New(uspsfake.WithClock(r.Clock))
			return connectortest.TrackingFixture{Connector: newTest(r.T, r, f, uspsfake.ClientSecret), Fake: f.Server(),
				Track: connectortest.Route{Method: "GET", PathPrefix: uspsfake.TrackPath}, Carrier: "usps",
				Number: number, Unknown: "9400100000000000000000",
				Delivered: func(at time.Time) {
					f.AddScan(number, uspsfake.Scan(at, "10", "Processed through USPS Facility"))
					f.AddScan(number, uspsfake.Scan(at.Add(time.Hour), "01", "Delivered, In/At Mailbox"))
				},
				Minted: f.Minted, Expire: f.ExpireTokens, TokenTTL: uspsfake.TokenTTL}
		}})
}
