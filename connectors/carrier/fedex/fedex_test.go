package fedex

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/fedexfake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

const number = "794644790138"

func rig(t *testing.T) (*connectortest.Rig, *fedexfake.Fake, *Connector) {
	t.Helper()
	r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{Rate: 100, Burst: 1000})
	f := fedexfake.New(fedexfake.WithClock(r.Clock))
	return r, f, newTest(t, r, f, fedexfake.ClientSecret)
}

func newTest(t *testing.T, r *connectortest.Rig, f *fedexfake.Fake, secret string) *Connector {
	t.Helper()
	c, err := newConnector(r.Env, &Config{ClientID: fedexfake.ClientID, ClientSecret: connector.Secret(secret),
		BaseURL: "https://apis.fedex.test"}, f.Transport())
	if err != nil {
		t.Fatal(err)
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
		t.Fatal(err)
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

func TestTokenReuseAndRefresh(t *testing.T) {
	r, f, c := rig(t)
	f.AddScan(number, fedexfake.Scan(r.Clock.Now(), "PU", "Picked up"))
	ctx := context.Background()
	for range 3 {
		if _, err := c.Track(ctx, "fedex", number); err != nil {
			t.Fatal(err)
		}
	}
	if f.Minted() != 1 {
		t.Fatalf("minted %d for 3 calls", f.Minted())
	}
	r.Clock.Advance(fedexfake.TokenTTL - time.Minute)
	if _, err := c.Track(ctx, "fedex", number); err != nil || f.Minted() != 2 {
		t.Fatalf("near expiry: minted %d, %v", f.Minted(), err)
	}
	f.ExpireTokens()
	if _, err := c.Track(ctx, "fedex", number); err != nil || f.Minted() != 3 {
		t.Fatalf("revoked: minted %d, %v", f.Minted(), err)
	}
}

func TestErrorsClassified(t *testing.T) {
	r, f, c := rig(t)
	f.AddScan(number, fedexfake.Scan(r.Clock.Now(), "PU", "Picked up"))
	ctx := context.Background()
	f.Server().Inject(kit.Fault{Method: "POST", Path: fedexfake.TrackPath, Status: http.StatusTooManyRequests, Times: 1})
	if _, err := c.Track(ctx, "fedex", number); !retryable(err) {
		t.Fatalf("429: %v", err)
	}
	f.Server().Inject(kit.Fault{Method: "POST", Path: fedexfake.TrackPath, Status: http.StatusInternalServerError, Times: 1})
	if _, err := c.Track(ctx, "fedex", number); !retryable(err) {
		t.Fatalf("500: %v", err)
	}
	f.Server().Inject(kit.Fault{Method: "POST", Path: fedexfake.TrackPath, Status: http.StatusForbidden, Times: 1})
	if _, err := c.Track(ctx, "fedex", number); !fault.IsPermanent(err) {
		t.Fatalf("403: %v", err)
	}
	if ups, err := c.Track(ctx, "fedex", "999999999999"); err != nil || len(ups) != 0 {
		t.Fatalf("unknown number: %v %v", ups, err)
	}
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

func retryable(err error) bool {
	cl, _ := fault.Classify(err)
	return err != nil && cl == fault.ClassRetryable
}
