package ebay

import (
	"context"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
)

type lineRef struct {
	LineItemID string `json:"lineItemId"`
	Quantity   int64  `json:"quantity"`
}

type fulfillmentRequest struct {
	LineItems           []lineRef `json:"lineItems"`
	ShippedDate         string    `json:"shippedDate,omitempty"`
	ShippingCarrierCode string    `json:"shippingCarrierCode,omitempty"`
	TrackingNumber      string    `json:"trackingNumber,omitempty"`
}

// existing is a fulfillment eBay already holds for the order.
type existing struct {
	FulfillmentID          string    `json:"fulfillmentId"`
	ShipmentTrackingNumber string    `json:"shipmentTrackingNumber"`
	LineItems              []lineRef `json:"lineItems"`
}

// PushFulfillment creates one eBay shipping fulfillment per package:
// POST /sell/fulfillment/v1/order/{orderId}/shipping_fulfillment with the
// package's line items, carrier code and tracking number. It is
// idempotent: the order's fulfillments are listed first and a package
// already there (same tracking number, or the same lines without one) is
// not sent again, so a replay or a lost answer makes no second one.
// https://developer.ebay.com/api-docs/sell/fulfillment/resources/order/shipping_fulfillment/methods/createShippingFulfillment
func (c *Connector) PushFulfillment(ctx context.Context, o *model.Order, sh *model.Shipment) (string, error) {
	orderID := o.ChannelOrderID
	if orderID == "" || strings.ContainsAny(orderID, "/?#") {
		return "", fault.Permanentf("ebay: order %q: not an eBay order id", orderID)
	}
	var reqs []fulfillmentRequest
	for i, p := range sh.Packages {
		req := fulfillmentRequest{TrackingNumber: p.TrackingNumber}
		if p.TrackingNumber != "" {
			req.ShippingCarrierCode = carrierCode(firstNonEmpty(p.Carrier, sh.Carrier))
		}
		if !sh.ShippedAt.IsZero() {
			req.ShippedDate = sh.ShippedAt.UTC().Format(filterLayout)
		}
		qty := map[string]int64{}
		for _, l := range p.Lines {
			if l.OrderLineID == "" {
				return "", fault.Permanentf("ebay: order %s: package %d has a line without an eBay line item id", orderID, i+1)
			}
			if _, ok := qty[l.OrderLineID]; !ok {
				req.LineItems = append(req.LineItems, lineRef{LineItemID: l.OrderLineID})
			}
			qty[l.OrderLineID] += l.Quantity
		}
		req.LineItems = slices.DeleteFunc(req.LineItems, func(r lineRef) bool { return qty[r.LineItemID] <= 0 })
		for j := range req.LineItems {
			req.LineItems[j].Quantity = qty[req.LineItems[j].LineItemID]
		}
		if len(req.LineItems) > 0 {
			reqs = append(reqs, req)
		}
	}
	if len(reqs) == 0 {
		return "", fault.Permanentf("ebay: order %s: shipment %s ships no units", orderID, sh.ID)
	}
	base := "/sell/fulfillment/v1/order/" + url.PathEscape(orderID) + "/shipping_fulfillment"
	ctx, err := c.reserve(ctx, 1+len(reqs)) // the order's fulfillments, then one per package
	if err != nil {
		return "", err
	}
	var have struct {
		Fulfillments []existing `json:"fulfillments"`
	}
	if _, err := c.do(ctx, "order "+orderID+": list fulfillments", "GET", base, nil, nil, &have); err != nil {
		return "", err
	}
	var ids []string
	for _, req := range reqs {
		if id, ok := already(have.Fulfillments, req); ok {
			ids = append(ids, id)
			continue
		}
		hdr, err := c.do(ctx, "order "+orderID+": create fulfillment", "POST", base, nil, req, nil)
		if err != nil {
			return "", err
		}
		// The new fulfillment's id is the last segment of Location.
		id := path.Base(hdr.Get("Location"))
		if id == "." || id == "/" {
			id = req.TrackingNumber
		}
		ids = append(ids, id)
		have.Fulfillments = append(have.Fulfillments, existing{FulfillmentID: id, ShipmentTrackingNumber: req.TrackingNumber, LineItems: req.LineItems})
	}
	return strings.Join(ids, ","), nil
}

// already finds a fulfillment the package made before: the same tracking
// number, or, without one, the same line items and quantities.
func already(have []existing, req fulfillmentRequest) (string, bool) {
	for _, f := range have {
		if req.TrackingNumber != "" {
			if strings.EqualFold(f.ShipmentTrackingNumber, req.TrackingNumber) {
				return f.FulfillmentID, true
			}
			continue
		}
		if f.ShipmentTrackingNumber == "" && sameLines(f.LineItems, req.LineItems) {
			return f.FulfillmentID, true
		}
	}
	return "", false
}

func sameLines(a, b []lineRef) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int64{}
	for _, l := range a {
		m[l.LineItemID] += l.Quantity
	}
	for _, l := range b {
		if m[l.LineItemID] != l.Quantity {
			return false
		}
	}
	return true
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// carrierCode maps a canonical carrier to eBay's ShippingCarrierCodeType
// (GeteBayDetails ShippingCarrierDetails); an unknown carrier is "Other".
func carrierCode(carrier string) string {
	switch strings.ToLower(strings.TrimSpace(carrier)) {
	case "ups":
		return "UPS"
	case "usps":
		return "USPS"
	case "fedex":
		return "FedEx"
	case "dhl", "dhl_express":
		return "DHL"
	case "dhl_ecommerce", "dhl_global_mail":
		return "DHLGlobalMail"
	case "ontrac":
		return "OnTrac"
	case "royal_mail", "royalmail":
		return "RoyalMail"
	case "parcelforce":
		return "Parcelforce"
	case "canada_post", "canadapost":
		return "CanadaPost"
	case "australia_post", "auspost":
		return "AustraliaPost"
	case "dpd":
		return "DPD"
	case "hermes", "evri":
		return "Hermes"
	case "gls":
		return "GLS"
	case "yodel":
		return "Yodel"
	case "deutsche_post":
		return "DeutschePost"
	case "tnt":
		return "TNT"
	case "lasership":
		return "LaserShip"
	}
	return "Other"
}
