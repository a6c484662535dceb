package shippo

import (
	"context"
	"errors"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/trackhook"
)

func vector(t *testing.T) (trackhook.Vector, []byte) {
	t.Helper()
	v, body, err := trackhook.LoadVector("testdata", "shippo")
	if err != nil {
		t.Fatal(err)
	}
	return v, body
}

func TestVector(t *testing.T) {
	v, body := vector(t)
	if got := Sign(v.Secret, v.Timestamp, body); got != v.Expected {
		t.Fatalf("Sign = %s, want %s", got, v.Expected)
	}
	at := func(d time.Duration) *Connector {
		return New(connector.Env{Clock: clock.NewFake(time.Unix(v.Timestamp, 0).Add(d))}, &Config{WebhookSecret: connector.Secret(v.Secret), Tolerance: DefaultTolerance})
	}
	h := http.Header{}
	h.Set(HeaderSignature, v.Expected)
	d, err := at(time.Minute).VerifyWebhook(h, body)
	if err != nil {
		t.Fatalf("vector refused: %v", err)
	}
	d2, _ := at(2*time.Minute).VerifyWebhook(h, body)
	if d.ID == "" || d.ID != d2.ID || d.Topic != "track_updated" {
		t.Fatalf("delivery ids %q %q (the same update must dedupe)", d.ID, d2.ID)
	}
	if _, err := at(time.Hour).VerifyWebhook(h, body); !errors.Is(err, connector.ErrBadSignature) {
		t.Errorf("stale: %v", err)
	}
	bad := append([]byte{}, body...)
	bad[20] ^= 1
	if _, err := at(0).VerifyWebhook(h, bad); !errors.Is(err, connector.ErrBadSignature) {
		t.Errorf("tampered: %v", err)
	}
	moved := http.Header{}
	moved.Set(HeaderSignature, "t=1700000001,v1=9bb13bd5c4e228bbab7f3e01ff14f44da09392d92adb2d337cd7a40b5981cbba")
	if _, err := at(0).VerifyWebhook(moved, body); !errors.Is(err, connector.ErrBadSignature) {
		t.Errorf("timestamp changed: %v", err)
	}
	if _, err := at(0).VerifyWebhook(http.Header{}, body); !errors.Is(err, connector.ErrBadSignature) {
		t.Errorf("unsigned: %v", err)
	}
}

func TestDecode(t *testing.T) {
	_, body := vector(t)
	ups, err := New(connector.Env{}, &Config{}).DecodeTracking(context.Background(), "", body)
	if err != nil || len(ups) != 1 {
		t.Fatalf("%v %v", ups, err)
	}
	u := ups[0]
	if u.TrackingNumber != "9205590164917312751089" || u.Carrier != "usps" || u.Event.Status != model.TrackDelivered || u.Event.Code != "DELIVERED/information_received" {
		t.Fatalf("%+v", u)
	}
	for in, want := range map[[2]string]model.TrackingStatus{
		{"TRANSIT", "out_for_delivery"}: model.TrackOutForDelivery, {"TRANSIT", "delayed"}: model.TrackInTransit,
		{"TRANSIT", "notice_left"}: model.TrackDeliveryAttempted, {"RETURNED", "return_to_sender"}: model.TrackReturningToSender,
		{"RETURNED", "package_unclaimed"}: model.TrackReturned, {"FAILURE", "package_lost"}: model.TrackFailure, {"UNKNOWN", "other"}: model.TrackUnknown,
	} {
		if got := Status(in[0], in[1]); got != want {
			t.Errorf("Status%v = %q, want %q", in, got, want)
		}
	}
}

func FuzzDecodeTracking(f *testing.F) {
	body, _ := os.ReadFile("testdata/shippo_track_updated.docs-example.json")
	f.Add(body)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = New(connector.Env{}, &Config{}).DecodeTracking(context.Background(), "", b)
		_, _, _ = parseHeader(string(b))
	})
}
