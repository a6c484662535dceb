package dhl

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
	Shipments []struct {
		ID     string  `json:"id"`
		Events []event `json:"events"`
	} `json:"shipments"`
}

type event struct {
	Timestamp   string `json:"timestamp"`
	StatusCode  string `json:"statusCode"`
	Status      string `json:"status"`
	Description string `json:"description"`
	Location    *struct {
		Address struct {
			AddressLocality string `json:"addressLocality"`
		} `json:"address"`
	} `json:"location"`
}

// Decode parses a tracking answer into updates (the fuzz target's entry).
func Decode(number string, body []byte) ([]connector.TrackingUpdate, error) {
	var res trackResponse
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, fault.Permanent(fmt.Errorf("dhl: track %s: %w", number, jsonpos.Where(body, err)))
	}
	return updates(number, &res)
}

// Status maps DHL's statusCode (pre-transit, transit, delivered, failure,
// unknown) and its text to the canonical status. DHL has no code for out
// for delivery or a return: they are read from the text. A failure that
// does not say the parcel goes back is a recoverable exception (a failed
// attempt, a customs hold) that keeps the status, since DHL often
// delivers after one.
func Status(statusCode, text string) model.TrackingStatus {
	t := strings.ToLower(text)
	returning := strings.Contains(t, "return") && (strings.Contains(t, "sender") || strings.Contains(t, "shipper"))
	switch strings.ToLower(statusCode) {
	case "pre-transit":
		return model.TrackLabelCreated
	case "transit":
		switch {
		case returning:
			return model.TrackReturningToSender
		case strings.Contains(t, "out for delivery") || strings.Contains(t, "with delivery courier"):
			return model.TrackOutForDelivery
		}
		return model.TrackInTransit
	case "delivered":
		if returning {
			return model.TrackReturned
		}
		return model.TrackDelivered
	case "failure":
		if returning {
			return model.TrackReturningToSender
		}
	}
	return model.TrackUnknown
}

// updates turns the events (most recent first) into updates, oldest first.
func updates(number string, res *trackResponse) ([]connector.TrackingUpdate, error) {
	var out []connector.TrackingUpdate
	for si, sh := range res.Shipments {
		n := sh.ID
		if n == "" {
			n = number
		}
		for ei := len(sh.Events) - 1; ei >= 0; ei-- {
			e := sh.Events[ei]
			at, err := carrierapi.ParseTime(e.Timestamp)
			if err != nil {
				return nil, fault.Permanent(fmt.Errorf("dhl: track %s: $.shipments[%d].events[%d].timestamp: %w", number, si, ei, err))
			}
			text := strings.TrimSpace(e.Status + " " + e.Description)
			desc := e.Description
			if desc == "" {
				desc = e.Status
			}
			ev := model.TrackingEvent{At: at, Status: Status(e.StatusCode, text), Code: e.StatusCode,
				Description: strings.TrimSpace(desc), Provider: Type}
			if e.Location != nil {
				ev.Location = e.Location.Address.AddressLocality
			}
			out = append(out, connector.TrackingUpdate{Carrier: "dhl", TrackingNumber: n, Event: ev})
		}
	}
	return out, nil
}
