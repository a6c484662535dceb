package fedex

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/carrierapi"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

type trackResponse struct {
	Output struct {
		CompleteTrackResults []struct {
			TrackingNumber string `json:"trackingNumber"`
			TrackResults   []struct {
				TrackingNumberInfo struct {
					TrackingNumber string `json:"trackingNumber"`
				} `json:"trackingNumberInfo"`
				ScanEvents []scanEvent `json:"scanEvents"`
				Error      *struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			} `json:"trackResults"`
		} `json:"completeTrackResults"`
	} `json:"output"`
}

type scanEvent struct {
	Date             string `json:"date"`
	EventType        string `json:"eventType"`
	EventDescription string `json:"eventDescription"`
	ScanLocation     struct {
		City                string `json:"city"`
		StateOrProvinceCode string `json:"stateOrProvinceCode"`
		CountryCode         string `json:"countryCode"`
	} `json:"scanLocation"`
}

// Decode parses a tracking answer into updates (the fuzz target's entry).
func Decode(number string, body []byte) ([]connector.TrackingUpdate, error) {
	var res trackResponse
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, fault.Permanent(fmt.Errorf("fedex: track %s: %w", number, jsonpos.Where(body, err)))
	}
	return updates(number, &res)
}

// Status maps a FedEx scan eventType to the canonical status. OC (label
// created), PU, AR, DP, IT, AF, AA, AD, AC, CC, EO, EP, FD, IX, OF, PF, PL,
// PM, SF, TR, CP (movement), OD, DL, HL/HP (held at a FedEx location for
// pickup), RS (return to shipper), CA (cancelled); DE, SE, DY, CD and the
// others are delays and exceptions that keep the status. FedEx announces
// new codes in its changelog: an unknown one moves nothing.
func Status(eventType string) model.TrackingStatus {
	switch strings.ToUpper(eventType) {
	case "OC":
		return model.TrackLabelCreated
	case "PU", "AR", "DP", "IT", "AF", "AA", "AD", "AC", "CC", "EO", "EP", "FD", "IX", "OF", "PF", "PL", "PM", "SF", "TR", "CP":
		return model.TrackInTransit
	case "OD":
		return model.TrackOutForDelivery
	case "DL":
		return model.TrackDelivered
	case "HL", "HP":
		return model.TrackAvailableForPickup
	case "RS":
		return model.TrackReturningToSender
	case "CA":
		return model.TrackCancelled
	}
	return model.TrackUnknown
}

// updates turns the scans (FedEx lists them most recent first) into
// updates, oldest first. A result's own error is "nothing yet" when the
// number is not found, else a permanent error.
func updates(number string, res *trackResponse) ([]connector.TrackingUpdate, error) {
	var out []connector.TrackingUpdate
	for ci, ctr := range res.Output.CompleteTrackResults {
		for ri, tr := range ctr.TrackResults {
			if tr.Error != nil && tr.Error.Code != "" {
				if strings.Contains(tr.Error.Code, "NOTFOUND") {
					continue
				}
				return nil, fault.Permanent(fmt.Errorf("fedex: track %s: %s: %s", number, tr.Error.Code, tr.Error.Message))
			}
			n := firstNonEmpty(tr.TrackingNumberInfo.TrackingNumber, ctr.TrackingNumber, number)
			for si := len(tr.ScanEvents) - 1; si >= 0; si-- {
				s := tr.ScanEvents[si]
				at, err := time.Parse(time.RFC3339, s.Date)
				if err != nil {
					return nil, fault.Permanent(fmt.Errorf("fedex: track %s: $.output.completeTrackResults[%d].trackResults[%d].scanEvents[%d].date: %q is not RFC 3339",
						number, ci, ri, si, s.Date))
				}
				ev := model.TrackingEvent{At: at.UTC(), Status: Status(s.EventType), Code: s.EventType,
					Description: strings.TrimSpace(s.EventDescription), Provider: Type}
				l := s.ScanLocation
				ev.Location = carrierapi.Place(l.City, l.StateOrProvinceCode, l.CountryCode)
				out = append(out, connector.TrackingUpdate{Carrier: "fedex", TrackingNumber: n, Event: ev})
			}
		}
	}
	return out, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
