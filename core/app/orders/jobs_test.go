package orders

import "testing"

// The proof a verifier kept travels with the job and back, so a provider
// that verifies in the job (PayPal) gets it.
func TestWebhookJobKeepsTheProof(t *testing.T) {
	w := Webhook{Channel: "paypal", Topic: "PAYMENT.CAPTURE.COMPLETED", Delivery: "WH-1", ReceivedAt: "2026-12-01T09:00:00Z",
		Body: []byte(`{"id":"WH-1"}`), Proof: `{"PAYPAL-TRANSMISSION-ID":"tx-1"}`}
	payload, meta, err := webhookCodec{}.Encode(w)
	if err != nil {
		t.Fatal(err)
	}
	back, err := webhookCodec{}.Decode(payload, meta)
	if err != nil || back.Proof != w.Proof || back.Delivery != "WH-1" || string(back.Body) != string(w.Body) {
		t.Fatalf("decoded %+v, %v", back, err)
	}
	w.Proof = ""
	_, meta, _ = webhookCodec{}.Encode(w)
	if _, ok := meta[metaProof]; ok {
		t.Fatal("an empty proof is stored")
	}
}
