package aftership

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

func vector(t *testing.T) (secret, want string, body []byte) {
	t.Helper()
	v, body, err := trackhook.LoadVector("testdata", "aftership")
	if err != nil {
		t.Fatal(err)
	}
	return v.Secret, v.Expected, body
}

func TestVectorVerifiesAndTamperedRefused(t *testing.T) {
	secret, want, body := vector(t)
	c := New(connector.Env{Name: "as"}, &Config{WebhookSecret: connector.Secret(secret)})
	h := http.Header{}
	h.Set(HeaderSignature, want)
	d, err := c.VerifyWebhook(h, body)
	if err != nil {
		t.Fatalf("vector refused: %v", err)
	}
	if d.ID != "94dadd60-ed26-46d0-aa52-3ced925a50ff" || d.Topic != "tracking_update" {
		t.Fatalf("delivery %+v", d)
	}
	bad := append([]byte{}, body...)
	bad[10] ^= 1
	if _, err := c.VerifyWebhook(h, bad); !errors.Is(err, connector.ErrBadSignature) {
		t.Errorf("tampered: %v", err)
	}
	if _, err := c.VerifyWebhook(http.Header{}, body); !errors.Is(err, connector.ErrBadSignature) {
		t.Errorf("unsigned: %v", err)
	}
	// ts 1712741696 is 2024-04-10: stale under max_age against a 2026 clock.
	stale := New(connector.Env{Name: "as", Clock: clock.NewFake(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))}, &Config{WebhookSecret: connector.Secret(secret), MaxAge: 24 * time.Hour})
	if _, err := stale.VerifyWebhook(h, body); !errors.Is(err, connector.ErrBadSignature) {
		t.Errorf("stale: %v", err)
	}
}

func TestDecode(t *testing.T) {
	_, _, body := vector(t)
	ups, err := New(connector.Env{}, &Config{}).DecodeTracking(context.Background(), "", body)
	if err != nil || len(ups) != 1 {
		t.Fatalf("%v %v", ups, err)
	}
	u := ups[0]
	if u.Carrier != "usps" || u.Event.Status != model.TrackInTransit || u.Event.Code != "InTransit_001" || u.Event.At.IsZero() {
		t.Fatalf("%+v", u)
	}
	for in, want := range map[[2]string]model.TrackingStatus{
		{"Delivered", "Delivered_001"}: model.TrackDelivered, {"Exception", "Exception_010"}: model.TrackReturningToSender,
		{"Exception", "Exception_011"}: model.TrackReturned, {"Exception", "Exception_013"}: model.TrackFailure,
		{"Exception", "Exception_004"}: model.TrackUnknown, {"Expired", ""}: model.TrackUnknown, {"AttemptFail", ""}: model.TrackDeliveryAttempted,
	} {
		if got := Status(in[0], in[1]); got != want {
			t.Errorf("Status%v = %q, want %q", in, got, want)
		}
	}
}

func FuzzDecodeTracking(f *testing.F) {
	body, _ := os.ReadFile("testdata/aftership_tracking_update.docs-example.trimmed.json")
	f.Add(body)
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = New(connector.Env{}, &Config{}).DecodeTracking(context.Background(), "", b)
	})
}
