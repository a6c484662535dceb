package app

import (
	"context"
	"fmt"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// Delivery is a verified webhook being processed: whose connector it was
// sent to, its topic and delivery id, and the raw body.
type Delivery struct {
	Connector string
	Topic     string
	ID        string
	Body      []byte
	RawKey    string // where the raw body is kept for replay
	Proof     string // connector.Delivery.Proof
}

// WebhookSink processes the deliveries of the connectors it accepts: a
// channel's orders (the orders service), a payment provider's events, a
// carrier aggregator's tracking updates. Sinks register with the
// WebhookRouter; the ingest job finds the one for a delivery's connector.
type WebhookSink interface {
	Accepts(c connector.Connector) bool
	HandleDelivery(ctx context.Context, d Delivery) error
}

// WebhookRouter finds the sink of a connector's deliveries.
type WebhookRouter struct {
	sinks []WebhookSink
}

// Add registers a sink; the first that accepts a connector wins.
func (r *WebhookRouter) Add(s WebhookSink) { r.sinks = append(r.sinks, s) }

// Sink returns the sink of c, or a permanent error when none takes it.
func (r *WebhookRouter) Sink(name string, c connector.Connector) (WebhookSink, error) {
	for _, s := range r.sinks {
		if s.Accepts(c) {
			return s, nil
		}
	}
	return nil, fault.Permanent(fmt.Errorf("webhook for %q (%s): no service takes its deliveries", name, c.Type()))
}
