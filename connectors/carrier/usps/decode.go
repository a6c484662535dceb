package usps

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/carrierapi"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

type trackResponse struct {
	TrackingNumber string  `json:"trackingNumber"`
	TrackingEvents []event `json:"trackingEvents"`
}

type event struct {
	EventType      string `json:"eventType"`
	EventTimestamp string `json:"eventTimestamp"`
	GMTTimestamp   string `json:"GMTTimestamp"`
	EventCode      string `json:"eventCode"`
	EventCity      string `json:"eventCity"`
	EventState     string `json:"eventState"`
	EventCountry   string `json:"eventCountry"`
}

// Decode parses a tracking answer into updates (the fuzz target's entry).
func Decode(number string, body []byte) ([]connector.TrackingUpdate, error) {
	var res trackResponse
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, fault.Permanent(fmt.Errorf("usps: track %s: %w", number, jsonpos.Where(body, err)))
	}
	return updates(number, &res)
}

// Status maps a USPS event code (Publication 199's tracking event codes,
// as commonly reported; not checked against the publication here) to the
// canonical status. An unknown code moves nothing.
func Status(code string) model.TrackingStatus {
	switch strings.ToUpper(code) {
	case "GX", "MA":
		return model.TrackLabelCreated
	case "03", "07", "10", "17", "41", "43", "80", "81", "82", "A1", "L1", "PC", "T1", "OA", "U1":
		return model.TrackInTransit
	case "OF":
		return model.TrackOutForDelivery
	case "02", "52", "53", "54", "55", "56", "57":
		return model.TrackDeliveryAttempted
	case "14", "16":
		return model.TrackAvailableForPickup
	case "01":
		return model.TrackDelivered
	case "04", "05", "09", "21", "22", "23", "24", "26", "27", "28", "29", "31":
		return model.TrackReturningToSender
	case "08":
		return model.TrackFailure
	}
	return model.TrackUnknown
}

// updates turns the events (most recent first) into updates, oldest first.
func updates(number string, res *trackResponse) ([]connector.TrackingUpdate, error) {
	n := res.TrackingNumber
	if n == "" {
		n = number
	}
	var out []connector.TrackingUpdate
	for i := len(res.TrackingEvents) - 1; i >= 0; i-- {
		e := res.TrackingEvents[i]
		ts := e.GMTTimestamp
		if ts == "" {
			ts = e.EventTimestamp
		}
		at, err := carrierapi.ParseTime(ts)
		if err != nil {
			return nil, fault.Permanent(fmt.Errorf("usps: track %s: $.trackingEvents[%d] timestamp: %w", number, i, err))
		}
		out = append(out, connector.TrackingUpdate{Carrier: "usps", TrackingNumber: n, Event: model.TrackingEvent{
			At: at, Status: Status(e.EventCode), Code: e.EventCode, Description: strings.TrimSpace(e.EventType),
			Location: carrierapi.Place(e.EventCity, e.EventState, e.EventCountry), Provider: Type}})
	}
	return out, nil
}
