package edipartner

import (
	"context"
	"errors"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
)

// Counter is the name of a partner's control-number sequence in the
// instance's namespace. It must not change: the numbers already sent
// continue from it.
const Counter = "interchange"

// errNoCounters: an Env built without a store (a validation-only
// instance) cannot number documents.
var errNoCounters = errors.New("no store to allocate control numbers from")

// Control allocates the next control number of the partner, once per
// once-key: asking again with the same key returns the same number.
func Control(ctx context.Context, counters connector.Counters, once string) (int64, error) {
	if counters == nil {
		return 0, errNoCounters
	}
	return counters.NextCounter(ctx, Counter, once)
}

// The once-keys below are stored with the numbers they were given: their
// shape must not change, or a retry after an upgrade would be numbered
// anew and the partner would see a second document.

// OrderKey is the once-key of one of our documents about a PO:
// <doc>:<purpose>:<PO number> ("850:00:PO7K3M9QX2AB",
// "orders:cancel:PO7K3M9QX2AB"). A PO and its cancellation have distinct
// purposes, hence distinct numbers.
func OrderKey(doc, purpose, number string) string {
	return strings.Join([]string{doc, purpose, number}, ":")
}

// ReplyKey is the once-key of our acknowledgement of an inbound envelope:
// <kind>:<sender qualifier>/<sender id>:<its control numbers…>
// ("ack:ZZ/ACME:000000042:42", "contrl:14/4012345000009:77"). The sender
// is part of it: two partners' interchange 42 are two envelopes.
func ReplyKey(kind string, sender Party, controls ...string) string {
	return kind + ":" + sender.Qualifier + "/" + sender.ID + ":" + strings.Join(controls, ":")
}
