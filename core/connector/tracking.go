package connector

import (
	"context"

	"github.com/dropgate/dropgate/core/model"
)

// TrackingUpdate is one tracking event of one parcel, mapped to the
// canonical status with the carrier's own code kept on the event.
type TrackingUpdate struct {
	Carrier        string // canonical carrier code (ups, fedex…), "" when the provider does not say
	TrackingNumber string
	Event          model.TrackingEvent
}

// TrackingDecoder turns a verified carrier or aggregator webhook
// (EasyPost, Shippo, AfterShip) into tracking updates.
type TrackingDecoder interface {
	DecodeTracking(ctx context.Context, topic string, body []byte) ([]TrackingUpdate, error)
}

// PackageTracker polls a carrier for a parcel's tracking events.
type PackageTracker interface {
	// Carriers lists the canonical carrier codes it tracks ("*": any).
	Carriers() []string
	Track(ctx context.Context, carrier, number string) ([]TrackingUpdate, error)
}

// DeliveryPusher is a channel that has a delivered state for a
// fulfillment (Shopify fulfillment events): it is told when a shipment's
// tracking status moves.
type DeliveryPusher interface {
	PushTrackingStatus(ctx context.Context, order *model.Order, sh *model.Shipment, status model.TrackingStatus) error
}
