package easypost

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/trackhook"
)

// event is an EasyPost Event whose result is a Tracker.
type event struct {
	ID          string   `json:"id"`
	Object      string   `json:"object"`
	Description string   `json:"description"`
	Result      *tracker `json:"result"`
}

type tracker struct {
	Object       string   `json:"object"`
	TrackingCode string   `json:"tracking_code"`
	Carrier      string   `json:"carrier"`
	Status       string   `json:"status"`
	StatusDetail string   `json:"status_detail"`
	UpdatedAt    string   `json:"updated_at"`
	Details      []detail `json:"tracking_details"`
}

type detail struct {
	Message      string `json:"message"`
	Status       string `json:"status"`
	StatusDetail string `json:"status_detail"`
	Datetime     string `json:"datetime"`
	Location     *struct {
		City    *string `json:"city"`
		State   *string `json:"state"`
		Country *string `json:"country"`
	} `json:"tracking_location"`
}

func decodeEvent(body []byte) (*event, error) {
	var ev event
	if err := trackhook.DecodeJSON("easypost", body, &ev); err != nil {
		return nil, err
	}
	return &ev, nil
}

// statuses maps EasyPost Tracker.status to the canonical status. "error"
// is the tracker's own failure, not the parcel's: it maps to unknown, which
// never moves a parcel.
var statuses = map[string]model.TrackingStatus{
	"unknown":              model.TrackUnknown,
	"pre_transit":          model.TrackLabelCreated,
	"in_transit":           model.TrackInTransit,
	"out_for_delivery":     model.TrackOutForDelivery,
	"delivered":            model.TrackDelivered,
	"available_for_pickup": model.TrackAvailableForPickup,
	"return_to_sender":     model.TrackReturningToSender,
	"failure":              model.TrackFailure,
	"cancelled":            model.TrackCancelled,
	"error":                model.TrackUnknown,
}

// Status maps an EasyPost status and status_detail to the canonical
// status: a delivery attempt shows only in the detail.
func Status(status, detail string) model.TrackingStatus {
	if status == "in_transit" || status == "out_for_delivery" {
		switch detail {
		case "delivery_attempted", "notice_left", "attempted_delivery":
			return model.TrackDeliveryAttempted
		}
	}
	if s, ok := statuses[status]; ok {
		return s
	}
	return model.TrackUnknown
}

// carriers maps EasyPost carrier names to canonical codes.
var carriers = map[string]string{"usps": "usps", "ups": "ups", "fedex": "fedex", "dhlexpress": "dhl", "dhl": "dhl", "dhlecommerce": "dhl"}

// DecodeTracking implements connector.TrackingDecoder: a tracker event is
// one update, the tracker's current status at the time of its latest scan.
func (c *Connector) DecodeTracking(_ context.Context, _ string, body []byte) ([]connector.TrackingUpdate, error) {
	ev, err := decodeEvent(body)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(ev.Description, "tracker.") {
		return nil, nil // batch.*, refund.*: not tracking
	}
	t := ev.Result
	if t == nil || t.TrackingCode == "" {
		return nil, fmt.Errorf("easypost webhook %s: $.result.tracking_code: missing", ev.ID)
	}
	u := connector.TrackingUpdate{Carrier: carriers[strings.ToLower(t.Carrier)], TrackingNumber: t.TrackingCode,
		Event: model.TrackingEvent{Status: Status(t.Status, t.StatusDetail), Code: code(t.Status, t.StatusDetail), Provider: Type}}
	when := t.UpdatedAt
	if n := len(t.Details); n > 0 {
		d := t.Details[n-1]
		u.Event.Description = d.Message
		if d.Datetime != "" {
			when = d.Datetime
		}
		if l := d.Location; l != nil {
			u.Event.Location = join(l.City, l.State, l.Country)
		}
	}
	if when != "" {
		at, err := time.Parse(time.RFC3339, when)
		if err != nil {
			return nil, fmt.Errorf("easypost webhook %s: $.result.tracking_details[-1].datetime: %w", ev.ID, err)
		}
		u.Event.At = at.UTC()
	}
	return []connector.TrackingUpdate{u}, nil
}

func code(status, detail string) string {
	if detail == "" {
		return status
	}
	return status + "/" + detail
}

func join(parts ...*string) string {
	var out []string
	for _, p := range parts {
		if p != nil && *p != "" {
			out = append(out, *p)
		}
	}
	return strings.Join(out, ", ")
}
