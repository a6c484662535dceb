package shopify

import (
	"slices"
	"strings"

	"github.com/dropgate/dropgate/core/model"
)

// tracking is what a shipment tells Shopify about its parcels.
type tracking struct {
	company string   // Shopify's name, "" when the carrier is not known at all
	numbers []string // distinct, in package order
	urls    []string // aligned with numbers; "" where a package has none
}

// trackingOf reads the carrier and the tracking numbers of a shipment. A
// fulfillment has one tracking company for all its numbers, so the first
// package's carrier (its own, else the shipment's) names it.
func trackingOf(sh *model.Shipment) tracking {
	carrier := sh.Carrier
	if len(sh.Packages) > 0 && sh.Packages[0].Carrier != "" {
		carrier = sh.Packages[0].Carrier
	}
	var t tracking
	for _, p := range sh.Packages {
		n := strings.TrimSpace(p.TrackingNumber)
		if n == "" || slices.Contains(t.numbers, n) {
			continue
		}
		t.numbers = append(t.numbers, n)
		t.urls = append(t.urls, strings.TrimSpace(p.TrackingURL))
	}
	if strings.TrimSpace(carrier) != "" {
		t.company, _ = TrackingCompany(carrier, sh.Service)
	}
	return t
}

// trackingInfo is the tracking_info of a fulfillment request.
type trackingInfo struct {
	Company string   `json:"company,omitempty"`
	Number  string   `json:"number,omitempty"`
	Numbers []string `json:"numbers,omitempty"`
	URL     string   `json:"url,omitempty"`
	URLs    []string `json:"urls,omitempty"`
}

// info renders the tracking. One parcel sends number (and url); several
// send numbers (and urls when every parcel has one, paired by position)
// and no number, because the FulfillmentTrackingInput behind the
// endpoint says "if you provide the number field, you should not provide
// the numbers field"
// (https://shopify.dev/docs/api/admin-graphql/latest/input-objects/FulfillmentTrackingInput).
// Recognising our fulfillment on a retry needs only one of the numbers.
// Without a company, Shopify guesses the carrier from the number's format.
func (t tracking) info() *trackingInfo {
	if t.company == "" && len(t.numbers) == 0 {
		return nil
	}
	ti := &trackingInfo{Company: t.company}
	switch {
	case len(t.numbers) == 1:
		ti.Number, ti.URL = t.numbers[0], t.urls[0]
	case len(t.numbers) > 1:
		ti.Numbers = t.numbers
		if !slices.Contains(t.urls, "") {
			ti.URLs = t.urls
		}
	}
	return ti
}
