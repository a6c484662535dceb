package orders

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// verifyingChannel verifies in the job, as eBay does.
type verifyingChannel struct {
	verdict error
	proofs  []string
	decoded int
}

func (v *verifyingChannel) Name() string { return "ch" }
func (v *verifyingChannel) Type() string { return "verifying" }

func (v *verifyingChannel) VerifyDelivery(_ context.Context, proof string, _ []byte) error {
	v.proofs = append(v.proofs, proof)
	return v.verdict
}

func (v *verifyingChannel) DecodeEvent(context.Context, string, []byte) ([]connector.ChannelEvent, error) {
	v.decoded++
	return []connector.ChannelEvent{{Kind: connector.EventIgnored}}, nil
}

// A channel delivery is verified with its proof before it is decoded; a
// forgery is a permanent error that decodes nothing (so it reaches no
// order), the channel unreachable a retryable one.
func TestChannelDeliveryVerifiedInTheJobBeforeDecoding(t *testing.T) {
	c := &verifyingChannel{}
	s := New(&app.Deps{Channels: map[string]connector.Connector{"ch": c}, Log: slog.New(slog.DiscardHandler)})
	d := app.Delivery{Connector: "ch", Topic: "t", ID: "N-1", Body: []byte(`{}`), Proof: "sig"}
	if err := s.HandleDelivery(context.Background(), d); err != nil || c.decoded != 1 || len(c.proofs) != 1 || c.proofs[0] != "sig" {
		t.Fatalf("verified delivery: %v, decoded %d, proofs %v", err, c.decoded, c.proofs)
	}
	c.verdict = fault.Permanent(connector.ErrBadSignature)
	if err := s.HandleDelivery(context.Background(), d); !fault.IsPermanent(err) || !errors.Is(err, connector.ErrBadSignature) || c.decoded != 1 {
		t.Fatalf("forged delivery: %v (decoded %d times); want permanent, not decoded", err, c.decoded)
	}
	c.verdict = fault.Retryable(errors.New("key server down"))
	if err := s.HandleDelivery(context.Background(), d); err == nil || fault.IsPermanent(err) || c.decoded != 1 {
		t.Fatalf("key unavailable must be retried: %v (decoded %d times)", err, c.decoded)
	}
}
