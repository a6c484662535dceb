package easypost

import (
	"context"
	"errors"
	"net/http"
	"os"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/trackhook"
)

func loadVector(t *testing.T) (trackhook.Vector, []byte) {
	t.Helper()
	v, body, err := trackhook.LoadVector("testdata", "easypost")
	if err != nil {
		t.Fatal(err)
	}
	return v, body
}

func conn(secret string) *Connector {
	c, _ := New(connector.Env{Name: "ep"}, &Config{WebhookSecret: connector.Secret(secret)})
	return c
}

func TestConformanceVectorVerifies(t *testing.T) {
	v, body := loadVector(t)
	if got := Sign(v.Secret, body); got != v.Expected {
		t.Fatalf("Sign = %s, want %s", got, v.Expected)
	}
	h := http.Header{}
	h.Set(v.Header, v.Expected)
	d, err := conn(v.Secret).VerifyWebhook(h, body)
	if err != nil {
		t.Fatalf("vector refused: %v", err)
	}
	if d.ID != "evt_1" || d.Topic != "tracker.updated" {
		t.Fatalf("delivery %+v", d)
	}
}

func TestRejected(t *testing.T) {
	v, body := loadVector(t)
	good := http.Header{}
	good.Set(HeaderSignature, v.Expected)
	tampered := append([]byte{}, body...)
	tampered[len(tampered)/2] ^= 1
	nfc := http.Header{}
	// keyed with the secret as typed (NFC é), not its NFKD form
	nfc.Set(HeaderSignature, "hmac-sha256-hex=0000")
	cases := map[string]struct {
		h    http.Header
		body []byte
		sec  string
	}{
		"tampered body":    {good, tampered, v.Secret},
		"trailing newline": {good, append(append([]byte{}, body...), '\n'), v.Secret},
		"wrong secret":     {good, body, "secret"},
		"no header":        {http.Header{}, body, v.Secret},
		"bad header":       {nfc, body, v.Secret},
	}
	for name, c := range cases {
		if _, err := conn(c.sec).VerifyWebhook(c.h, c.body); !errors.Is(err, connector.ErrBadSignature) {
			t.Errorf("%s: err %v, want ErrBadSignature", name, err)
		}
	}
}

func TestDecodeSample(t *testing.T) {
	_, body := loadVector(t)
	ups, err := conn("x").DecodeTracking(context.Background(), "tracker.updated", body)
	if err != nil {
		t.Fatal(err)
	}
	if len(ups) != 1 {
		t.Fatalf("%d updates", len(ups))
	}
	u := ups[0]
	if u.TrackingNumber != "1" || u.Carrier != "fedex" || u.Event.Status != model.TrackInTransit || u.Event.Code != "in_transit/arrived_at_facility" || u.Event.At.IsZero() {
		t.Fatalf("update %+v", u)
	}
}

func TestStatusTable(t *testing.T) {
	for in, want := range map[[2]string]model.TrackingStatus{
		{"pre_transit", ""}:                     model.TrackLabelCreated,
		{"in_transit", "arrived_at_facility"}:   model.TrackInTransit,
		{"out_for_delivery", ""}:                model.TrackOutForDelivery,
		{"in_transit", "delivery_attempted"}:    model.TrackDeliveryAttempted,
		{"delivered", "arrived_at_destination"}: model.TrackDelivered,
		{"return_to_sender", ""}:                model.TrackReturningToSender,
		{"failure", ""}:                         model.TrackFailure,
		{"cancelled", ""}:                       model.TrackCancelled,
		{"error", ""}:                           model.TrackUnknown,
		{"brand_new", ""}:                       model.TrackUnknown,
	} {
		if got := Status(in[0], in[1]); got != want {
			t.Errorf("Status(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

func FuzzDecodeTracking(f *testing.F) {
	body, _ := os.ReadFile("testdata/easypost_event_tracker_updated.json")
	f.Add(body)
	f.Add([]byte(`{"description":"tracker.updated","result":{"tracking_code":"1","tracking_details":[{"datetime":"x"}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = conn("x").DecodeTracking(context.Background(), "", b)
	})
}
