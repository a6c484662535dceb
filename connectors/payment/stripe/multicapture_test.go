package stripe

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/connectortest"
)

// TestMulticaptureReadsTheCharge: stripe-mock's card charge says
// multicapture "unavailable", so the intent takes one capture.
func TestMulticaptureReadsTheCharge(t *testing.T) {
	c, rec := mockConnector(t, connector.CapturePerShipment)
	several, err := c.Multicapture(context.Background(), connector.PaymentRef{OrderID: "ord_1", ProviderID: "pi_123"})
	if err != nil {
		t.Fatal(err)
	}
	if several || rec.last() != "GET /v1/payment_intents/pi_123 " {
		t.Fatalf("several %v after %q", several, rec.last())
	}
}

// TestMulticaptureAvailable: an intent whose expanded charge says
// "available" takes several captures; without expand[]=latest_charge
// Stripe sends the charge as an id only, and the answer is "one".
func TestMulticaptureAvailable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		charge := `"ch_1"`
		if r.URL.Query().Get("expand[0]") == "latest_charge" || r.URL.Query().Get("expand[]") == "latest_charge" {
			charge = `{"id":"ch_1","object":"charge","payment_method_details":{"type":"card","card":{"multicapture":{"status":"available"}}}}`
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"pi_9","object":"payment_intent","status":"requires_capture","amount":2000,"currency":"usd","latest_charge":%s}`, charge)
	}))
	defer srv.Close()
	rig := connectortest.NewRig(connectortest.Wrap(t), store.Limit{Rate: 100, Burst: 100})
	c, err := New(rig.Env, &Config{SecretKey: "sk_test_123", WebhookSecret: "whsec_x", BaseURL: srv.URL, Capture: "per_shipment", ReauthorizeBefore: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	several, err := c.Multicapture(context.Background(), connector.PaymentRef{OrderID: "ord_1", ProviderID: "pi_9"})
	if err != nil || !several {
		t.Fatalf("several %v, err %v", several, err)
	}
}
