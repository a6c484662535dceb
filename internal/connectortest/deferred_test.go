package connectortest

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// deferredToy verifies like eBay: the gateway's VerifyWebhook checks only
// that a signature of the right form is there and keeps it as the Proof;
// VerifyDelivery, in the queued job, checks it over the body.
type deferredToy struct {
	*toyShop
	// refuse is what VerifyDelivery returns for a signature that does not
	// match (nil: it accepts anything).
	refuse func(error) error
}

var _ connector.DeliveryVerifier = deferredToy{}

func (c deferredToy) VerifyWebhook(h http.Header, body []byte) (connector.Delivery, error) {
	sig := h.Get("X-Toy-Signature")
	if b, err := hex.DecodeString(sig); err != nil || len(b) != 32 {
		return connector.Delivery{}, connector.ErrBadSignature
	}
	return connector.Delivery{ID: h.Get("X-Toy-Delivery"), Topic: h.Get("X-Toy-Topic"), OrderRef: "1001", Proof: sig}, nil
}

func (c deferredToy) VerifyDelivery(_ context.Context, proof string, body []byte) error {
	if proof == toySign(c.cfg.WebhookSecret.Reveal(), body) || c.refuse == nil {
		return nil
	}
	return c.refuse(fmt.Errorf("toyshop: signature: %w", connector.ErrBadSignature))
}

// The webhook suite verifies a connector that checks its signature in the
// queued job in both stages: a well-behaved one passes; one whose job
// accepts anything, or refuses a forgery with a retryable error (the job
// would retry it forever instead of dead-lettering it), fails.
func TestWebhookSuiteVerifiesInTheJob(t *testing.T) {
	deferred := func(refuse func(error) error) func(*toyShop) connector.Connector {
		return func(c *toyShop) connector.Connector { return deferredToy{c, refuse} }
	}
	runWebhooks(std{t}, toyWebhookHarness(deferred(fault.Permanent), toySignHeaders))
	mustFail(t, "a connector whose job accepts any signature", func(rt T) {
		runWebhooks(rt, toyWebhookHarness(deferred(nil), toySignHeaders))
	}, "tampered body", "signed with")
	mustFail(t, "a connector whose job refuses a forgery as retryable", func(rt T) {
		runWebhooks(rt, toyWebhookHarness(deferred(fault.Retryable), toySignHeaders))
	}, "want a permanent connector.ErrBadSignature")
}
