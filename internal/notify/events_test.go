package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	core "github.com/dropgate/dropgate/core/app/notify"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/apptest"
)

// receiver is the merchant's system: it verifies each delivery as a
// Standard Webhooks consumer would, from the spec, not from our code.
type receiver struct {
	key      []byte
	mu       sync.Mutex
	statuses []int // answers to give, in order; then 200
	got      []delivery
}

type delivery struct {
	id, ts, sig string
	valid       bool
	body        []byte
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	d := delivery{id: r.Header.Get("webhook-id"), ts: r.Header.Get("webhook-timestamp"), sig: r.Header.Get("webhook-signature"), body: body}
	mac := hmac.New(sha256.New, rc.key)
	mac.Write([]byte(d.id + "." + d.ts + "." + string(body)))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, s := range strings.Split(d.sig, " ") {
		if v, sig, ok := strings.Cut(s, ","); ok && v == "v1" && hmac.Equal([]byte(sig), []byte(want)) {
			d.valid = true
		}
	}
	rc.mu.Lock()
	rc.got = append(rc.got, d)
	status := http.StatusOK
	if len(rc.statuses) > 0 {
		status, rc.statuses = rc.statuses[0], rc.statuses[1:]
	}
	rc.mu.Unlock()
	if !d.valid {
		status = http.StatusUnauthorized
	}
	w.WriteHeader(status)
}

func eventsRig(t *testing.T, rc *receiver, secret string, types ...string) *apptest.Rig {
	t.Helper()
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	eps := []Endpoint{{Name: "erp", URL: srv.URL + "/hooks", Secret: secretOf(secret), Types: types}}
	return apptest.New(t, apptest.Options{Notify: core.Settings{Sender: NewSender(eps, nil, nil),
		Endpoints: []core.Endpoint{{Name: "erp", URL: srv.URL, Types: types}}}})
}

// TestEventsSignedAndRetried: an order's shipment reaches the endpoint as
// a signed Standard Webhooks delivery (whsec_ secret decoded); a 503 is
// retried with the same webhook-id; an event type not subscribed is not
// sent.
func TestEventsSignedAndRetried(t *testing.T) {
	rc := &receiver{key: []byte("0123456789abcdef"), statuses: []int{http.StatusServiceUnavailable}}
	r := eventsRig(t, rc, "whsec_"+base64.StdEncoding.EncodeToString(rc.key), "order.shipped")
	a, ev := shippedOrder(t, r)
	publish(t, r, a, model.Event{Type: model.EvOrderReceived, At: apptest.Start, OrderID: a.Order.ID})
	publish(t, r, a, ev)
	errs := settle(t, r)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "503") {
		t.Fatalf("errors: %v", errs)
	}
	if len(rc.got) != 2 {
		t.Fatalf("%d deliveries, want 2 (a 503, then its retry)", len(rc.got))
	}
	first, second := rc.got[0], rc.got[1]
	if !first.valid || !second.valid {
		t.Fatalf("signatures do not verify: %q %q", first.sig, second.sig)
	}
	if first.id == "" || first.id != second.id || string(first.body) != string(second.body) {
		t.Fatalf("the retry is not the same event: ids %q %q", first.id, second.id)
	}
	var body struct {
		Type      string `json:"type"`
		Timestamp string `json:"timestamp"`
		Data      struct {
			OrderID  string `json:"order_id"`
			Shipment struct {
				Carrier  string `json:"carrier"`
				Packages []struct {
					TrackingNumber string `json:"tracking_number"`
				} `json:"packages"`
			} `json:"shipment"`
		} `json:"data"`
	}
	if err := json.Unmarshal(second.body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Type != "order.shipped" || body.Timestamp == "" || body.Data.OrderID != a.Order.ID ||
		body.Data.Shipment.Carrier != "ups" || body.Data.Shipment.Packages[0].TrackingNumber != "1Z999AA10123456784" {
		t.Fatalf("body: %s", second.body)
	}

	// The same event published again (a crash before the outbox was
	// cleared) carries the same id, so the receiver can drop it.
	publish(t, r, r.Order(a.Order.ID), ev)
	settle(t, r)
	if n := len(rc.got); n != 3 || rc.got[2].id != first.id {
		t.Fatalf("republished event: %d deliveries, id %q", n, rc.got[n-1].id)
	}
}

// TestEventRejectedIsDeadLetter: a 400 is permanent: no retry, a dead
// letter the operator sees.
func TestEventRejectedIsDeadLetter(t *testing.T) {
	rc := &receiver{key: []byte("plain-secret"), statuses: []int{http.StatusBadRequest}}
	r := eventsRig(t, rc, "plain-secret", "*")
	a, _ := shippedOrder(t, r)
	publish(t, r, a, model.Event{Type: model.EvOrderReceived, At: apptest.Start, OrderID: a.Order.ID})
	errs := settle(t, r)
	if len(errs) != 1 || len(rc.got) != 1 {
		t.Fatalf("errors %v after %d deliveries", errs, len(rc.got))
	}
	dl := deadLetters(t, r)
	if len(dl) != 1 || dl[0].Kind != core.KindDeliver.Name {
		t.Fatalf("dead letters: %+v", dl)
	}
}

// TestEventRetryableStatuses: 408 and 429 are retried like 5xx.
func TestEventRetryableStatuses(t *testing.T) {
	rc := &receiver{key: []byte("k"), statuses: []int{http.StatusRequestTimeout, http.StatusTooManyRequests}}
	r := eventsRig(t, rc, "k", "order.created")
	a, _ := shippedOrder(t, r)
	publish(t, r, a, model.Event{Type: model.EvOrderReceived, At: apptest.Start, OrderID: a.Order.ID})
	if errs := settle(t, r); len(errs) != 2 || len(rc.got) != 3 || len(deadLetters(t, r)) != 0 {
		t.Fatalf("errors %v, %d deliveries", errs, len(rc.got))
	}
}
