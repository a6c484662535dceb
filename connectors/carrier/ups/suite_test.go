package ups

import (
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/upsfake"
)

func TestSuiteTracking(t *testing.T) {
	connectortest.RunTracking(t, connectortest.TrackingHarness{Limit: store.Limit{Rate: 2, Burst: 10},
		Setup: func(r *connectortest.Rig) connectortest.TrackingFixture {
			f := upsfake.New(upsfake.WithClock(r.Clock))
			return connectortest.TrackingFixture{Connector: newTest(r.T, r, f), Fake: f.Server(),
				Track: connectortest.Route{Method: "GET", PathPrefix: upsfake.TrackPath}, Carrier: "ups",
				Number: number, Unknown: "1Z999AA10000000001",
				Delivered: func(at time.Time) {
					f.AddScan(number, upsfake.Scan(at, "I", "OR", "Origin Scan"))
					f.AddScan(number, upsfake.Scan(at.Add(time.Hour), "D", "KB", "DELIVERED"))
				},
				Minted: f.Minted, Expire: f.ExpireTokens, TokenTTL: upsfake.TokenTTL}
		}})
}
