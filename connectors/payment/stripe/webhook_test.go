package stripe

import (
	"encoding/json"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/testutil"
)

type vectors struct {
	PayloadFile string `json:"payload_file"`
	Secret      string `json:"secret"`
	Timestamp   int64  `json:"timestamp"`
	Valid       string `json:"header_valid"`
	Rotation    string `json:"header_rotation_two_v1"`
	OldSecret   string `json:"header_only_old_secret"`
	V0Only      string `json:"header_v0_only"`
}

func loadVectors(t *testing.T) (vectors, []byte) {
	t.Helper()
	var v vectors
	if err := json.Unmarshal(testutil.ConformanceFile(t, "payments/stripe_signature_vectors.generated.json"), &v); err != nil {
		t.Fatal(err)
	}
	return v, testutil.ConformanceFile(t, filepath.Join("payments", v.PayloadFile))
}

func TestSignatureVectors(t *testing.T) {
	v, body := loadVectors(t)
	at := time.Unix(v.Timestamp, 0)
	cases := []struct {
		name   string
		header string
		now    time.Time
		want   error
	}{
		{"valid", v.Valid, at.Add(300 * time.Second), nil},
		{"rotation, any v1", v.Rotation, at, nil},
		{"old secret only", v.OldSecret, at, ErrNoValidSignature},
		{"v0 only", v.V0Only, at, ErrNoValidSignature},
		{"now = t+301", v.Valid, at.Add(301 * time.Second), ErrTooOld},
		{"far future", v.Valid, at.Add(-301 * time.Second), ErrTooOld},
		{"missing", "", at, ErrNotSigned},
		{"garbled", "t=abc,v1=00", at, ErrInvalidHeader},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(v.Secret, tc.header, body, tc.now)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
			// Through the connector, by its clock.
			c, _ := New(connector.Env{Name: "stripe", Clock: clock.NewFake(tc.now)}, &Config{WebhookSecret: connector.Secret(v.Secret), SecretKey: "sk_test"})
			h := http.Header{}
			h.Set("Stripe-Signature", tc.header)
			d, err := c.VerifyWebhook(h, body)
			if tc.want == nil {
				if err != nil || d.ID != "evt_000000000000000000000000" || d.Topic != "payment_intent.amount_capturable_updated" {
					t.Fatalf("VerifyWebhook = %+v, %v", d, err)
				}
			} else if !errors.Is(err, connector.ErrBadSignature) {
				t.Fatalf("VerifyWebhook = %v, want ErrBadSignature", err)
			}
		})
	}
	if got := Sign(v.Secret, at, body); got != v.Valid {
		t.Errorf("Sign = %s, want %s", got, v.Valid)
	}
	tampered := append([]byte{}, body...)
	tampered[10] ^= 1
	if err := Verify(v.Secret, v.Valid, tampered, at); !errors.Is(err, ErrNoValidSignature) {
		t.Errorf("tampered body: %v", err)
	}
}

func TestDecodeConformanceEvents(t *testing.T) {
	usd := func(n int64) string { return moneyUSD(n).String() }
	cases := []struct {
		file                           string
		status                         model.PaymentStatus
		provider                       string
		authorized, captured, refunded string
		ignored                        bool
	}{
		{"stripe_payment_intent.amount_capturable_updated.json", model.PayAuthorized, "pi_000000000000000000000000", usd(2000), usd(0), "", false},
		{"stripe_payment_intent.succeeded.json", model.PayCaptured, "pi_000000000000000000000000", usd(2000), usd(2000), "", false},
		{"stripe_payment_intent.canceled.json", model.PayVoided, "pi_000000000000000000000000", usd(2000), usd(0), "", false},
		{"stripe_payment_intent.payment_failed.json", model.PayFailed, "pi_000000000000000000000000", usd(2000), usd(0), "", false},
		{"stripe_charge.captured.json", model.PayCaptured, "ch_000000000000000000000000", usd(100), usd(100), usd(0), false},
		{"stripe_charge.refunded.json", model.PayRefunded, "ch_000000000000000000000000", usd(100), usd(100), usd(100), false},
		{"stripe_charge.refund.updated.json", "", "", "", "", "", true},
		{"stripe_charge.dispute.created.json", "", "", "", "", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			ev, err := decode(testutil.ConformanceFile(t, filepath.Join("payments", tc.file)))
			if err != nil {
				t.Fatal(err)
			}
			str := func(m interface{ String() string }, zero bool) string {
				if zero {
					return ""
				}
				return m.String()
			}
			got := []string{string(ev.Status), ev.ProviderID, str(ev.Authorized, ev.Authorized.Currency == ""),
				str(ev.Captured, ev.Captured.Currency == ""), str(ev.Refunded, ev.Refunded.Currency == "")}
			want := []string{string(tc.status), tc.provider, tc.authorized, tc.captured, tc.refunded}
			if ev.Ignored != tc.ignored || ev.ID != "evt_000000000000000000000000" || ev.At.IsZero() {
				t.Errorf("event %+v", ev)
			}
			if !tc.ignored {
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("field %d = %q, want %q", i, got[i], want[i])
					}
				}
			}
		})
	}
}

func TestDecodeRefusesFloatsAndGarbage(t *testing.T) {
	for _, body := range []string{
		`{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"object":"payment_intent","id":"pi_1","amount":20.5,"currency":"usd","status":"succeeded"}}}`,
		`{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"object":"payment_intent","id":"pi_1","amount":2000,"currency":"zzz","status":"succeeded"}}}`,
		`{"type":"payment_intent.succeeded"}`,
		`not json`,
	} {
		if _, err := decode([]byte(body)); err == nil {
			t.Errorf("decoded %s", body)
		}
	}
	ev, err := decode([]byte(`{"id":"evt_2","type":"payment_intent.succeeded","data":{"object":{"object":"payment_intent","id":"pi_1","amount":2000,"amount_received":700,"currency":"usd","status":"succeeded","metadata":{"order_id":"ord_9"}}}}`))
	if err != nil || ev.Status != model.PayPartiallyCaptured || ev.OrderID != "ord_9" {
		t.Errorf("partial capture: %+v, %v", ev, err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"id":"evt_1","type":"charge.refunded","data":{"object":{"object":"charge","id":"ch_1","amount":1,"currency":"usd"}}}`))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = decode(b) })
}
