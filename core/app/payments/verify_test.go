package payments

import (
	"context"
	"errors"
	"testing"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// verifyingProvider verifies in the job, as PayPal does.
type verifyingProvider struct {
	fakeProvider
	verdict error
	proofs  []string
	decoded int
}

func (v *verifyingProvider) VerifyPaymentEvent(_ context.Context, proof string, _ []byte) error {
	v.proofs = append(v.proofs, proof)
	return v.verdict
}

func (v *verifyingProvider) DecodePaymentEvent(_ context.Context, _ []byte) (connector.PaymentEvent, error) {
	v.decoded++
	return connector.PaymentEvent{ID: "WH-1", Ignored: true}, nil
}

func TestDeliveryVerifiedInTheJobBeforeDecoding(t *testing.T) {
	p := &verifyingProvider{}
	s := New(&app.Deps{Others: map[string]connector.Connector{"pay": p}})
	d := app.Delivery{Connector: "pay", ID: "WH-1", Body: []byte(`{}`), Proof: "headers"}
	if err := s.HandleDelivery(context.Background(), d); err != nil || p.decoded != 1 || len(p.proofs) != 1 || p.proofs[0] != "headers" {
		t.Fatalf("verified delivery: %v, decoded %d, proofs %v", err, p.decoded, p.proofs)
	}

	p.verdict = fault.Permanent(errors.New("FAILURE"))
	err := s.HandleDelivery(context.Background(), d)
	if !fault.IsPermanent(err) || p.decoded != 1 {
		t.Fatalf("unverified delivery: %v (decoded %d times)", err, p.decoded)
	}

	p.verdict = fault.Retryable(errors.New("paypal down"))
	err = s.HandleDelivery(context.Background(), d)
	if err == nil || fault.IsPermanent(err) || p.decoded != 1 {
		t.Fatalf("provider unavailable must be retried: %v (decoded %d times)", err, p.decoded)
	}
}
