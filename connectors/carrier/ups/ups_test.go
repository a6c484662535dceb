package ups

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
	"github.com/dropgate/dropgate/internal/fakes/kit"
	"github.com/dropgate/dropgate/internal/fakes/upsfake"
)

const number = "1Z999AA10123456784"

func rig(t *testing.T) (*connectortest.Rig, *upsfake.Fake, *Connector) {
	t.Helper()
	r := connectortest.NewRig(connectortest.Wrap(t), store.Limit{Rate: 100, Burst: 1000})
	f := upsfake.New(upsfake.WithClock(r.Clock))
	return r, f, newTest(t, r, f)
}

func newTest(t interface {
	Helper()
	Fatalf(string, ...any)
}, r *connectortest.Rig, f *upsfake.Fake) *Connector {
	t.Helper()
	c, err := newConnector(r.Env, &Config{ClientID: upsfake.ClientID, ClientSecret: connector.Secret(upsfake.ClientSecret),
		BaseURL: "https://onlinetools.ups.test"}, f.Transport())
	if err != nil {
		t.Fatalf("new connector: %v", err)
	}
	return c
}

func TestStatusTable(t *testing.T) {
	for _, tc := range []struct {
		typ, desc string
		want      model.TrackingStatus
	}{
		{"M", "Shipper created a label", model.TrackLabelCreated},
		{"MV", "Shipment voided", model.TrackCancelled},
		{"P", "Pickup Scan", model.TrackInTransit},
		{"I", "Departed from Facility", model.TrackInTransit},
		{"O", "Out For Delivery Today", model.TrackOutForDelivery},
		{"D", "DELIVERED", model.TrackDelivered},
		{"RS", "Returned to shipper", model.TrackReturned},
		{"X", "The package will be returned to the sender.", model.TrackReturningToSender},
		{"X", "Severe weather may delay delivery", model.TrackUnknown},
		{"Z", "a new type", model.TrackUnknown},
	} {
		if got := Status(tc.typ, "", tc.desc); got != tc.want {
			t.Errorf("Status(%q, %q) = %s, want %s", tc.typ, tc.desc, got, tc.want)
		}
	}
}

// A history comes back oldest first, each scan at its GMT instant with
// UPS's own type and code kept.
func TestTrackMapsHistory(t *testing.T) {
	r, f, c := rig(t)
	t0 := r.Clock.Now().Add(-48 * time.Hour)
	f.AddScan(number, upsfake.Scan(t0, "M", "MP", "Shipper created a label, UPS has not received the package yet."))
	f.AddScan(number, upsfake.Scan(t0.Add(20*time.Hour), "I", "OR", "Origin Scan"))
	f.AddScan(number, upsfake.Scan(t0.Add(40*time.Hour), "D", "KB", "DELIVERED"))
	ups, err := c.Track(context.Background(), "ups", number)
	if err != nil {
		t.Fatalf("new connector: %v", err)
	}
	want := []model.TrackingStatus{model.TrackLabelCreated, model.TrackInTransit, model.TrackDelivered}
	if len(ups) != len(want) {
		t.Fatalf("got %d updates, want %d: %+v", len(ups), len(want), ups)
	}
	for i, u := range ups {
		if u.Event.Status != want[i] || u.TrackingNumber != number || u.Carrier != "ups" || u.Event.Provider != "ups" {
			t.Errorf("update %d: %+v", i, u)
		}
	}
	if !ups[2].Event.At.Equal(t0.Add(40*time.Hour).Truncate(time.Second)) || ups[2].Event.Code != "D:KB" {
		t.Errorf("delivered scan: %+v", ups[2].Event)
	}
}

// The token is minted once, reused by a second replica on the same state,
// replaced shortly before its expiry, and replaced at once when UPS
// refuses it (revoked): the fake answers 401 to an expired token.
func TestTokenReuseAndRefresh(t *testing.T) {
	r, f, c := rig(t)
	f.AddScan(number, upsfake.Scan(r.Clock.Now(), "I", "OR", "Origin Scan"))
	ctx := context.Background()
	for range 3 {
		if _, err := c.Track(ctx, "ups", number); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := newTest(t, r, f).Track(ctx, "ups", number); err != nil {
		t.Fatalf("new connector: %v", err)
	}
	if f.Minted() != 1 {
		t.Fatalf("minted %d tokens for 4 calls, want 1", f.Minted())
	}
	r.Clock.Advance(upsfake.TokenTTL - time.Minute)
	if _, err := c.Track(ctx, "ups", number); err != nil {
		t.Fatalf("new connector: %v", err)
	}
	if f.Minted() != 2 {
		t.Fatalf("minted %d, want a fresh token near expiry", f.Minted())
	}
	f.ExpireTokens()
	if _, err := c.Track(ctx, "ups", number); err != nil {
		t.Fatalf("a revoked token is replaced in place: %v", err)
	}
	if f.Minted() != 3 || f.Tracked(number) != 6 {
		t.Fatalf("minted %d tracked %d", f.Minted(), f.Tracked(number))
	}
	if n := f.ReusedTransIDs(); n != 0 {
		t.Errorf("%d transId values sent twice, want one per request", n)
	}
}

func TestErrorsClassified(t *testing.T) {
	r, f, c := rig(t)
	f.AddScan(number, upsfake.Scan(r.Clock.Now(), "I", "OR", "Origin Scan"))
	ctx := context.Background()
	track := upsfake.TrackPath + number
	f.Server().Inject(kit.Fault{Method: "GET", Path: track, Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"30"}}, Times: 1})
	_, err := c.Track(ctx, "ups", number)
	if cl, at := fault.Classify(err); cl != fault.ClassRetryable || at.Before(r.Clock.Now().Add(30*time.Second)) {
		t.Fatalf("429 with Retry-After: %v %v %v", cl, at, err)
	}
	// The shared limiter holds the account back until Retry-After.
	if _, err := c.Track(ctx, "ups", number); err == nil {
		t.Fatal("a call before Retry-After went out")
	}
	r.Clock.Advance(31 * time.Second)
	f.Server().Inject(kit.Fault{Method: "GET", Path: track, Status: http.StatusServiceUnavailable, Times: 1})
	if _, err := c.Track(ctx, "ups", number); !retryable(err) {
		t.Fatalf("503: %v", err)
	}
	f.Server().Inject(kit.Fault{Method: "GET", Path: track, Status: http.StatusBadRequest, Times: 1})
	if _, err := c.Track(ctx, "ups", number); !fault.IsPermanent(err) {
		t.Fatalf("400: %v", err)
	}
	// Not yet known to UPS: no events, no error, so polling goes on.
	if ups, err := c.Track(ctx, "ups", "1Z999AA10000000001"); err != nil || len(ups) != 0 {
		t.Fatalf("unknown number: %v %v", ups, err)
	}
	bad, _ := newConnector(r.Env, &Config{ClientID: upsfake.ClientID, ClientSecret: "wrong", BaseURL: "https://x.test"}, f.Transport())
	r.Env.State.DeleteRecord(ctx, "token", "access")
	_, err = bad.Track(ctx, "ups", number)
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "250002") || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("bad credentials: %v", err)
	}
}

func TestDecodeSaysWhere(t *testing.T) {
	_, err := Decode(number, []byte(`{"trackResponse":{"shipment":[{"package":[{"activity":[{"date":"2026x"}]}]}]}}`))
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "activity[0]") {
		t.Fatalf("bad date: %v", err)
	}
	_, err = Decode(number, []byte(`{"trackResponse":{"shipment":[`))
	if !fault.IsPermanent(err) || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("cut body: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"trackResponse":{"shipment":[{"package":[{"trackingNumber":"1Z","activity":[{"date":"20260101","time":"101010","gmtOffset":"-05:00","status":{"type":"D","code":"KB","description":"DELIVERED"}}]}]}]}}`))
	f.Add([]byte(`{"trackResponse":{"shipment":[{"package":[{"activity":[{"gmtDate":"20260101","gmtTime":"10:10:10","status":{"type":"X"}}]}]}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = Decode(number, b)
	})
}

func retryable(err error) bool {
	cl, _ := fault.Classify(err)
	return err != nil && cl == fault.ClassRetryable
}
