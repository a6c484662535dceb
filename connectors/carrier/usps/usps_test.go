package usps

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
	"github.com/dropgate/dropgate/internal/fakes/uspsfake"
)

const number = "9400111206206406260787"

func rig(t *testing.T) (*connectortest.Rig, *uspsfake.Fake, *Connector) {
	t.Helper()
	r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{Rate: 100, Burst: 1000})
	f := uspsfake.New(uspsfake.WithClock(r.Clock))
	return r, f, newTest(t, r, f, uspsfake.ClientSecret)
}

func newTest(t interface {
	Helper()
	Fatalf(string, ...any)
}, r *connectortest.Rig, f *uspsfake.Fake, secret string) *Connector {
	t.Helper()
	c, err := newConnector(r.Env, &Config{ClientID: uspsfake.ClientID, ClientSecret: connector.Secret(secret),
		BaseURL: "https://apis.usps.test"}, f.Transport())
	if err != nil {
		t.Fatalf("new connector: %v", err)
	}
	return c
}

func TestStatusTable(t *testing.T) {
	for code, want := range map[string]model.TrackingStatus{
		"GX": model.TrackLabelCreated, "03": model.TrackInTransit, "10": model.TrackInTransit, "OF": model.TrackOutForDelivery,
		"02": model.TrackDeliveryAttempted, "16": model.TrackAvailableForPickup, "01": model.TrackDelivered,
		"09": model.TrackReturningToSender, "08": model.TrackFailure, "ZZ": model.TrackUnknown,
	} {
		if got := Status(code); got != want {
			t.Errorf("Status(%q) = %s, want %s", code, got, want)
		}
	}
}

func TestTrackMapsHistory(t *testing.T) {
	r, f, c := rig(t)
	t0 := r.Clock.Now().Add(-30 * time.Hour).In(time.FixedZone("EST", -5*3600))
	f.AddScan(number, uspsfake.Scan(t0, "GX", "Shipping Label Created, USPS Awaiting Item"))
	f.AddScan(number, uspsfake.Scan(t0.Add(6*time.Hour), "03", "USPS picked up item"))
	f.AddScan(number, uspsfake.Scan(t0.Add(24*time.Hour), "OF", "Out for Delivery"))
	f.AddScan(number, uspsfake.Scan(t0.Add(28*time.Hour), "01", "Delivered, In/At Mailbox"))
	ups, err := c.Track(context.Background(), "usps", number)
	if err != nil {
		t.Fatalf("new connector: %v", err)
	}
	want := []model.TrackingStatus{model.TrackLabelCreated, model.TrackInTransit, model.TrackOutForDelivery, model.TrackDelivered}
	if len(ups) != len(want) {
		t.Fatalf("got %+v", ups)
	}
	for i, u := range ups {
		if u.Event.Status != want[i] || u.TrackingNumber != number || u.Carrier != "usps" {
			t.Errorf("update %d: %+v", i, u)
		}
	}
	if !ups[3].Event.At.Equal(t0.Add(28*time.Hour).Truncate(time.Second)) || ups[3].Event.Code != "01" {
		t.Errorf("delivered: %+v", ups[3].Event)
	}
}

func TestBadCredentials(t *testing.T) {
	// The generic cases are in the tracking suite; here: bad credentials are
	// permanent, say the carrier's reason, and never show the secret.
	r, f, _ := rig(t)
	f.AddScan(number, uspsfake.Scan(r.Clock.Now(), "03", "Picked up"))
	ctx := context.Background()
	_ = r.Env.State.DeleteRecord(ctx, "token", "access")
	_, err := newTest(t, r, f, "wrong").Track(ctx, "usps", number)
	if !fault.IsPermanent(err) || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("bad credentials: %v", err)
	}
}

func TestDecodeSaysWhere(t *testing.T) {
	_, err := Decode(number, []byte(`{"trackingEvents":[{"eventTimestamp":"noon","eventCode":"01"}]}`))
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "trackingEvents[0]") {
		t.Fatalf("bad time: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"trackingNumber":"94","trackingEvents":[{"eventTimestamp":"2026-01-01T10:00:00-05:00","eventCode":"01","eventType":"Delivered"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Decode(number, b)
	})
}
