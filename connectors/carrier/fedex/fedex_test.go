package fedex

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/fedexfake"
)

const number = "794644790138"

func rig(t *testing.T) (*connectortest.Rig, *fedexfake.Fake, *Connector) {
	t.Helper()
	r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{Rate: 100, Burst: 1000})
	f := fedexfake.New(fedexfake.WithClock(r.Clock))
	return r, f, newTest(t, r, f, fedexfake.ClientSecret)
}

func newTest(t interface {
	Helper()
	Fatalf(string, ...any)
}, r *connectortest.Rig, f *fedexfake.Fake, secret string) *Connector {
	t.Helper()
	c, err := newConnector(r.Env, &Config{ClientID: fedexfake.ClientID, ClientSecret: connector.Secret(secret),
		BaseURL: "https://apis.fedex.test"}, f.Transport())
	if err != nil {
		t.Fatalf("new connector: %v", err)
	}
	return c
}

func TestStatusTable(t *testing.T) {
	for code, want := range map[string]model.TrackingStatus{
		"OC": model.TrackLabelCreated, "PU": model.TrackInTransit, "AR": model.TrackInTransit, "DP": model.TrackInTransit,
		"OD": model.TrackOutForDelivery, "DL": model.TrackDelivered, "HL": model.TrackAvailableForPickup,
		"RS": model.TrackReturningToSender, "CA": model.TrackCancelled, "DE": model.TrackUnknown, "ZZ": model.TrackUnknown,
	} {
		if got := Status(code); got != want {
			t.Errorf("Status(%q) = %s, want %s", code, got, want)
		}
	}
}

func TestTrackMapsHistory(t *testing.T) {
	r, f, c := rig(t)
	t0 := r.Clock.Now().Add(-48 * time.Hour).In(time.FixedZone("CST", -6*3600))
	f.AddScan(number, fedexfake.Scan(t0, "OC", "Shipment information sent to FedEx"))
	f.AddScan(number, fedexfake.Scan(t0.Add(10*time.Hour), "PU", "Picked up"))
	f.AddScan(number, fedexfake.Scan(t0.Add(30*time.Hour), "OD", "On FedEx vehicle for delivery"))
	f.AddScan(number, fedexfake.Scan(t0.Add(34*time.Hour), "DL", "Delivered"))
	ups, err := c.Track(context.Background(), "fedex", number)
	if err != nil {
		t.Fatalf("new connector: %v", err)
	}
	want := []model.TrackingStatus{model.TrackLabelCreated, model.TrackInTransit, model.TrackOutForDelivery, model.TrackDelivered}
	if len(ups) != len(want) {
		t.Fatalf("got %d updates: %+v", len(ups), ups)
	}
	for i, u := range ups {
		if u.Event.Status != want[i] || u.TrackingNumber != number || u.Carrier != "fedex" {
			t.Errorf("update %d: %+v", i, u)
		}
	}
	if !ups[3].Event.At.Equal(t0.Add(34*time.Hour).Truncate(time.Second)) || ups[3].Event.Code != "DL" {
		t.Errorf("delivered: %+v", ups[3].Event)
	}
}

func TestBadCredentials(t *testing.T) {
	// The generic cases are in the tracking suite; here: bad credentials are
	// permanent, say the carrier's reason, and never show the secret.
	r, f, _ := rig(t)
	f.AddScan(number, fedexfake.Scan(r.Clock.Now(), "PU", "Picked up"))
	ctx := context.Background()
	_ = r.Env.State.DeleteRecord(ctx, "token", "access")
	_, err := newTest(t, r, f, "wrong").Track(ctx, "fedex", number)
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "NOT.AUTHORIZED.ERROR") || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("bad credentials: %v", err)
	}
}

func TestDecodeSaysWhere(t *testing.T) {
	_, err := Decode(number, []byte(`{"output":{"completeTrackResults":[{"trackResults":[{"scanEvents":[{"date":"yesterday"}]}]}]}}`))
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "scanEvents[0].date") {
		t.Fatalf("bad date: %v", err)
	}
	_, err = Decode(number, []byte(`{"output":{"completeTrackResults":[{"trackResults":[{"error":{"code":"TRACKING.TRACKINGNUMBER.INVALID","message":"bad"}}]}]}}`))
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "INVALID") {
		t.Fatalf("result error: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"output":{"completeTrackResults":[{"trackingNumber":"1","trackResults":[{"scanEvents":[{"date":"2026-01-01T10:00:00-06:00","eventType":"DL"}]}]}]}}`))
	f.Add([]byte(`{"output":{"completeTrackResults":[{"trackResults":[{"error":{"code":"TRACKING.TRACKINGNUMBER.NOTFOUND"}}]}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Decode(number, b)
	})
}
