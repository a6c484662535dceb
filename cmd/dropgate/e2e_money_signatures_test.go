package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/connectors/carrier/easypost"
	"github.com/dropgate/dropgate/connectors/payment/stripe"
	"github.com/dropgate/dropgate/internal/testutil"
	"github.com/dropgate/dropgate/internal/trackhook"
)

// postSigned posts body to /webhooks/name with one signature header and
// returns the status and the answer's "status" field.
func postSigned(t *testing.T, l *loop, name, header, sig string, body []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, l.srv.url+"/webhooks/"+name, bytes.NewReader(body))
	req.Header.Set(header, sig)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Status string `json:"status"`
	}
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out.Status
}

// webhookCount reads dropgate_webhooks_total for a connector and outcome
// from /metrics.
func webhookCount(t *testing.T, l *loop, name, outcome string) string {
	t.Helper()
	resp, err := http.Get(l.srv.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "dropgate_webhooks_total{") && strings.Contains(line, `connector="`+name+`"`) && strings.Contains(line, `outcome="`+outcome+`"`) {
			return line[strings.LastIndexByte(line, ' ')+1:]
		}
	}
	return "0"
}

// TestSignedDeliveriesRejectedStoreNothing: the Stripe and EasyPost
// conformance vectors verify; through the running binary, a tampered
// body, a stale or future timestamp, a wrong secret and the Stripe vector
// replayed long after its time are refused with 401 and leave nothing
// behind: the same event, correctly signed afterwards, is queued as new
// (a stored or deduped rejection would make it a duplicate), and sent
// again it is a duplicate.
func TestSignedDeliveriesRejectedStoreNothing(t *testing.T) {
	t.Parallel()
	conf := testutil.ConformanceDir(t)
	l, _ := stripeLoopWith(t, []supplierSpec{{name: "acme", rows: []string{"MUG,3.00,50"}}}, nil,
		fmt.Sprintf("carriers:\n  - name: easypost\n    type: easypost\n    webhook_secret: \"${E2E_EASYPOST_SECRET:-%s}\"\n", carriersSecret))

	var sv struct {
		PayloadFile string `json:"payload_file"`
		Secret      string `json:"secret"`
		Timestamp   int64  `json:"timestamp"`
		Valid       string `json:"header_valid"`
	}
	if err := json.Unmarshal(testutil.ConformanceFile(t, "payments/stripe_signature_vectors.generated.json"), &sv); err != nil {
		t.Fatal(err)
	}
	body := testutil.ConformanceFile(t, filepath.Join("payments", sv.PayloadFile))
	if got := stripe.Sign(sv.Secret, time.Unix(sv.Timestamp, 0), body); got != sv.Valid {
		t.Fatalf("the Stripe vector: signed %s, want %s", got, sv.Valid)
	}
	if err := stripe.Verify(sv.Secret, sv.Valid, body, time.Unix(sv.Timestamp, 0)); err != nil {
		t.Fatalf("the Stripe vector does not verify: %v", err)
	}
	now := time.Now()
	tampered := bytes.Replace(body, []byte(`"amount": 2000`), []byte(`"amount": 2001`), 1)
	if bytes.Equal(tampered, body) {
		t.Fatal("the sample has no amount to tamper with")
	}
	for _, c := range []struct {
		name, sig string
		body      []byte
	}{
		{"the vector, replayed long after its time", sv.Valid, body},
		{"tampered body", stripe.Sign(stripeSecret, now, body), tampered},
		{"stale timestamp", stripe.Sign(stripeSecret, now.Add(-10*time.Minute), body), body},
		{"future timestamp", stripe.Sign(stripeSecret, now.Add(10*time.Minute), body), body},
		{"wrong secret", stripe.Sign("whsec_other", now, body), body},
	} {
		if code, _ := postSigned(t, l, "stripe", "Stripe-Signature", c.sig, c.body); code != http.StatusUnauthorized {
			t.Errorf("stripe %s: %d, want 401", c.name, code)
		}
	}
	if code, status := postSigned(t, l, "stripe", "Stripe-Signature", stripe.Sign(stripeSecret, now, body), body); code != http.StatusOK || status != "queued" {
		t.Fatalf("stripe, signed: %d %q, want 200 queued", code, status)
	}
	if code, status := postSigned(t, l, "stripe", "Stripe-Signature", stripe.Sign(stripeSecret, now.Add(time.Second), body), body); code != http.StatusOK || status != "duplicate" {
		t.Errorf("stripe, sent again: %d %q, want 200 duplicate", code, status)
	}

	ev, epBody, err := trackhook.LoadVector(filepath.Join(conf, "carriers"), "easypost")
	if err != nil {
		t.Fatal(err)
	}
	if ev.Secret != carriersSecret || easypost.Sign(ev.Secret, epBody) != ev.Expected {
		t.Fatalf("the EasyPost vector: secret %q, signed %s, want %s", ev.Secret, easypost.Sign(ev.Secret, epBody), ev.Expected)
	}
	epTampered := append(append([]byte{}, epBody...), ' ')
	for _, c := range []struct {
		name, sig string
		body      []byte
	}{
		{"tampered body", ev.Expected, epTampered},
		{"wrong secret", easypost.Sign("secret", epBody), epBody},
		{"garbled header", "hmac-sha256-hex=00", epBody},
	} {
		if code, _ := postSigned(t, l, "easypost", ev.Header, c.sig, c.body); code != http.StatusUnauthorized {
			t.Errorf("easypost %s: %d, want 401", c.name, code)
		}
	}
	if code, status := postSigned(t, l, "easypost", ev.Header, ev.Expected, epBody); code != http.StatusOK || status != "queued" {
		t.Fatalf("easypost vector: %d %q, want 200 queued", code, status)
	}
	if code, status := postSigned(t, l, "easypost", ev.Header, ev.Expected, epBody); code != http.StatusOK || status != "duplicate" {
		t.Errorf("easypost vector again: %d %q, want 200 duplicate", code, status)
	}

	for _, c := range []struct{ name, outcome, want string }{
		{"stripe", "bad_signature", "5"}, {"stripe", "accepted", "1"}, {"stripe", "duplicate", "1"},
		{"easypost", "bad_signature", "3"}, {"easypost", "accepted", "1"}, {"easypost", "duplicate", "1"},
	} {
		if got := webhookCount(t, l, c.name, c.outcome); got != c.want {
			t.Errorf("%s %s: %s, want %s", c.name, c.outcome, got, c.want)
		}
	}
}
