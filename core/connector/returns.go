package connector

import (
	"context"

	"github.com/dropgate/dropgate/core/model"
)

// ReturnRequester asks a supplier to take back a customer's return (an
// RMA request): an e-mail, an X12 180, an API call. Idempotent per
// return id: a retry must reach the supplier as the same request (same
// file name, Message-ID, idempotency key). A supplier without it leaves
// the decision to an operator.
type ReturnRequester interface {
	RequestReturn(ctx context.Context, r *model.Return, po *model.PurchaseOrder, order *model.Order) (ReturnSent, error)
}

// ReturnSent is what RequestReturn delivered.
type ReturnSent struct {
	Document string // the file, Message-ID or request id sent
	// Decision is the supplier's answer when it gave one at once (an
	// HTTP API that authorises in its response); nil when it answers
	// later (by mail, by EDI) or through an operator.
	Decision *ReturnDecision
}

// ReturnDecision is a supplier's answer to an RMA request.
type ReturnDecision struct {
	Authorized bool
	RMA        string // the supplier's authorisation number
	Reason     string // why, when rejected
}

// RefundPusher tells a channel that a return was refunded, so the
// customer's order there shows it (a refund record, a returned status).
// The money itself moved through the payment provider.
type RefundPusher interface {
	PushRefund(ctx context.Context, order *model.Order, r *model.Return) error
}

// ReturnAnswer is a supplier's answer to an RMA request that arrived on
// its own channel (an inbound X12 180): which return it answers and the
// decision. The returns service applies it like an operator's.
type ReturnAnswer struct {
	Return   string // our return id, as the request carried it
	Decision ReturnDecision
}
