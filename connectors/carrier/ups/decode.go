package ups

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
	TrackResponse struct {
		Shipment []struct {
			Package []struct {
				TrackingNumber string     `json:"trackingNumber"`
				Activity       []activity `json:"activity"`
			} `json:"package"`
		} `json:"shipment"`
	} `json:"trackResponse"`
}

type activity struct {
	Date      string `json:"date"`
	Time      string `json:"time"`
	GMTDate   string `json:"gmtDate"`
	GMTTime   string `json:"gmtTime"`
	GMTOffset string `json:"gmtOffset"`
	Location  *struct {
		Address struct {
			City          string `json:"city"`
			StateProvince string `json:"stateProvince"`
			CountryCode   string `json:"countryCode"`
		} `json:"address"`
	} `json:"location"`
	Status struct {
		Type        string `json:"type"`
		Description string `json:"description"`
		Code        string `json:"code"`
		StatusCode  string `json:"statusCode"`
	} `json:"status"`
}

// Decode parses a Track API answer into updates (the fuzz target's entry).
func Decode(number string, body []byte) ([]connector.TrackingUpdate, error) {
	var res trackResponse
	if err := json.Unmarshal(body, &res); err != nil {
		return nil, fault.Permanent(fmt.Errorf("ups: track %s: %w", number, jsonpos.Where(body, err)))
	}
	return updates(number, &res)
}

// Status maps a UPS activity status type (and code) to the canonical
// status. Types: M manifest (label created), MV manifest voided, P
// pickup, I in transit, O out for delivery, D delivered, X exception, RS
// returned to shipper (M, X, MV and RS by UPS convention, unverified
// against a published enum). Among exceptions, codes that say the parcel
// goes back (a description mentioning return to sender) are returning;
// the others are recoverable and keep the status (unknown moves nothing).
func Status(typ, code, description string) model.TrackingStatus {
	switch strings.ToUpper(typ) {
	case "M":
		return model.TrackLabelCreated
	case "MV":
		return model.TrackCancelled
	case "P", "I":
		return model.TrackInTransit
	case "O":
		return model.TrackOutForDelivery
	case "D":
		return model.TrackDelivered
	case "RS":
		return model.TrackReturned
	case "X":
		d := strings.ToLower(description)
		if strings.Contains(d, "returned to the sender") || strings.Contains(d, "returning to sender") ||
			strings.Contains(d, "return to sender") || strings.Contains(d, "returned to shipper") {
			return model.TrackReturningToSender
		}
	}
	return model.TrackUnknown
}

// updates turns every package's activities (UPS lists them most recent
// first) into updates, oldest first. A scan without a readable time is a
// permanent error saying where: the state table orders by it.
func updates(number string, res *trackResponse) ([]connector.TrackingUpdate, error) {
	var out []connector.TrackingUpdate
	for si, sh := range res.TrackResponse.Shipment {
		for pi, p := range sh.Package {
			n := p.TrackingNumber
			if n == "" {
				n = number
			}
			for ai := len(p.Activity) - 1; ai >= 0; ai-- {
				a := p.Activity[ai]
				at, err := a.at()
				if err != nil {
					return nil, fault.Permanent(fmt.Errorf("ups: track %s: $.trackResponse.shipment[%d].package[%d].activity[%d]: %w", number, si, pi, ai, err))
				}
				code := a.Status.Type
				if a.Status.Code != "" {
					code += ":" + a.Status.Code
				}
				ev := model.TrackingEvent{At: at, Status: Status(a.Status.Type, a.Status.Code, a.Status.Description),
					Description: strings.TrimSpace(a.Status.Description), Code: code, Provider: Type}
				if l := a.Location; l != nil {
					ev.Location = carrierapi.Place(l.Address.City, l.Address.StateProvince, l.Address.CountryCode)
				}
				out = append(out, connector.TrackingUpdate{Carrier: "ups", TrackingNumber: n, Event: ev})
			}
		}
	}
	return out, nil
}

// at is the scan's instant: gmtDate and gmtTime when given, else the
// local date and time with gmtOffset, else the local time read as UTC.
func (a activity) at() (time.Time, error) {
	if a.GMTDate != "" && a.GMTTime != "" {
		t, err := time.Parse("20060102 15:04:05", a.GMTDate+" "+a.GMTTime)
		if err != nil {
			return time.Time{}, fmt.Errorf("gmtDate/gmtTime %q %q: not YYYYMMDD HH:MM:SS", a.GMTDate, a.GMTTime)
		}
		return t.UTC(), nil
	}
	if a.Date == "" {
		return time.Time{}, fmt.Errorf("date: missing")
	}
	tm := a.Time
	if tm == "" {
		tm = "000000"
	}
	off := a.GMTOffset
	if off == "" {
		off = "+00:00"
	}
	t, err := time.Parse("20060102150405-07:00", a.Date+tm+off)
	if err != nil {
		return time.Time{}, fmt.Errorf("date/time %q %q %q: not YYYYMMDD HHMMSS ±hh:mm", a.Date, a.Time, a.GMTOffset)
	}
	return t.UTC(), nil
}
