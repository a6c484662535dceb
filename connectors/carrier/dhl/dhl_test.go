package dhl

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/dhlfake"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

const number = "1234567890"

func rig(t *testing.T, key string) (*connectortest.Rig, *dhlfake.Fake, *Connector) {
	t.Helper()
	r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{Rate: 100, Burst: 1000})
	f := dhlfake.New(dhlfake.WithClock(r.Clock))
	c, err := newConnector(r.Env, &Config{APIKey: connector.Secret(key), BaseURL: "https://api-eu.dhl.test", Language: "en"}, f.Transport())
	if err != nil {
		t.Fatal(err)
	}
	return r, f, c
}

func TestStatusTable(t *testing.T) {
	for _, tc := range []struct {
		code, text string
		want       model.TrackingStatus
	}{
		{"pre-transit", "Shipment information received", model.TrackLabelCreated},
		{"transit", "Processed at DHL facility", model.TrackInTransit},
		{"transit", "Shipment is out for delivery", model.TrackOutForDelivery},
		{"transit", "With delivery courier", model.TrackOutForDelivery},
		{"transit", "Shipment is being returned to the sender", model.TrackReturningToSender},
		{"delivered", "Delivered", model.TrackDelivered},
		{"delivered", "Returned to shipper", model.TrackReturned},
		{"failure", "Delivery attempted; recipient not home", model.TrackUnknown},
		{"failure", "Return to sender initiated", model.TrackReturningToSender},
		{"unknown", "", model.TrackUnknown},
	} {
		if got := Status(tc.code, tc.text); got != tc.want {
			t.Errorf("Status(%q, %q) = %s, want %s", tc.code, tc.text, got, tc.want)
		}
	}
}

func TestTrackMapsHistory(t *testing.T) {
	r, f, c := rig(t, dhlfake.APIKey)
	t0 := r.Clock.Now().Add(-24 * time.Hour)
	f.AddScan(number, dhlfake.Scan(t0, "pre-transit", "Shipment information received"))
	f.AddScan(number, dhlfake.Scan(t0.Add(5*time.Hour), "transit", "Processed at LEIPZIG - GERMANY"))
	f.AddScan(number, dhlfake.Scan(t0.Add(20*time.Hour), "delivered", "Delivered"))
	ups, err := c.Track(context.Background(), "dhl", number)
	if err != nil {
		t.Fatal(err)
	}
	want := []model.TrackingStatus{model.TrackLabelCreated, model.TrackInTransit, model.TrackDelivered}
	if len(ups) != len(want) {
		t.Fatalf("got %+v", ups)
	}
	for i, u := range ups {
		if u.Event.Status != want[i] || u.TrackingNumber != number || u.Carrier != "dhl" {
			t.Errorf("update %d: %+v", i, u)
		}
	}
	if !ups[2].Event.At.Equal(t0.Add(20*time.Hour).Truncate(time.Second)) || ups[2].Event.Code != "delivered" {
		t.Errorf("delivered: %+v", ups[2].Event)
	}
	q, _ := url.ParseQuery(f.Server().Requests()[0].Query)
	if q.Get("trackingNumber") != number || q.Get("language") != "en" {
		t.Errorf("query %v", q)
	}
}

func TestErrorsClassified(t *testing.T) {
	r, f, c := rig(t, dhlfake.APIKey)
	f.AddScan(number, dhlfake.Scan(r.Clock.Now(), "transit", "Processed"))
	ctx := context.Background()
	f.Server().Inject(kit.Fault{Method: "GET", Path: dhlfake.TrackPath, Status: http.StatusTooManyRequests, Times: 1})
	if _, err := c.Track(ctx, "dhl", number); !retryable(err) {
		t.Fatalf("429: %v", err)
	}
	f.Server().Inject(kit.Fault{Method: "GET", Path: dhlfake.TrackPath, Status: http.StatusBadGateway, Times: 1})
	if _, err := c.Track(ctx, "dhl", number); !retryable(err) {
		t.Fatalf("502: %v", err)
	}
	if ups, err := c.Track(ctx, "dhl", "0000000000"); err != nil || len(ups) != 0 {
		t.Fatalf("unknown number: %v %v", ups, err)
	}
	_, _, bad := rig(t, "wrong-key")
	_, err := bad.Track(ctx, "dhl", number)
	if !fault.IsPermanent(err) || strings.Contains(err.Error(), "wrong-key") {
		t.Fatalf("bad key: %v", err)
	}
}

func TestDecodeSaysWhere(t *testing.T) {
	_, err := Decode(number, []byte(`{"shipments":[{"events":[{"timestamp":"soon","statusCode":"transit"}]}]}`))
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "events[0].timestamp") {
		t.Fatalf("bad time: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"shipments":[{"id":"1","events":[{"timestamp":"2026-01-01T10:00:00","statusCode":"delivered","status":"Delivered"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Decode(number, b)
	})
}

func retryable(err error) bool {
	cl, _ := fault.Classify(err)
	return err != nil && cl == fault.ClassRetryable
}
