package dhl

import (
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/dhlfake"
)

func TestSuiteTracking(t *testing.T) {
	connectortest.RunTracking(t, connectortest.TrackingHarness{Limit: store.Limit{Rate: 0.2, Burst: 1},
		Setup: func(r *connectortest.Rig) connectortest.TrackingFixture {
			f := dhlfake.New(dhlfake.WithClock(r.Clock))
			c, err := newConnector(r.Env, &Config{APIKey: connector.Secret(dhlfake.APIKey), BaseURL: "https://api-eu.dhl.test"}, f.Transport())
			if err != nil {
				r.T.Fatalf("new connector: %v", err)
			}
			return connectortest.TrackingFixture{Connector: c, Fake: f.Server(),
				Track: connectortest.Route{Method: "GET", Path: dhlfake.TrackPath}, Carrier: "dhl",
				Number: number, Unknown: "0000000000",
				Delivered: func(at time.Time) {
					f.AddScan(number, dhlfake.Scan(at, "transit", "Processed at LEIPZIG - GERMANY"))
					f.AddScan(number, dhlfake.Scan(at.Add(time.Hour), "delivered", "Delivered"))
				}}
		}})
}
