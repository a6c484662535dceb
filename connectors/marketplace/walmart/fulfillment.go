package walmart

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
)

// carrierName is Walmart's carrierName: a carrier from its list, or
// otherCarrier with the name as given.
type carrierName struct {
	Carrier      string `json:"carrier,omitempty"`
	OtherCarrier string `json:"otherCarrier,omitempty"`
}

// carrierOf maps a canonical carrier code to Walmart's carrier names.
func carrierOf(code string) carrierName {
	switch strings.ToLower(strings.TrimSpace(code)) {
	case "ups":
		return carrierName{Carrier: "UPS"}
	case "usps":
		return carrierName{Carrier: "USPS"}
	case "fedex":
		return carrierName{Carrier: "FedEx"}
	case "dhl", "dhl_express":
		return carrierName{Carrier: "DHL"}
	case "ontrac":
		return carrierName{Carrier: "OnTrac"}
	case "lasership":
		return carrierName{Carrier: "LaserShip"}
	case "":
		return carrierName{OtherCarrier: "Other"}
	}
	return carrierName{OtherCarrier: code}
}

// methodCodes are Walmart's shipping method codes.
var methodCodes = map[string]string{"standard": "Standard", "express": "Express", "oneday": "OneDay",
	"freight": "Freight", "whiteglove": "WhiteGlove", "value": "Value"}

func methodOf(sh *model.Shipment, o *model.Order) string {
	for _, s := range []string{sh.Service, o.ShippingMethod} {
		if m, ok := methodCodes[strings.ToLower(strings.ReplaceAll(s, " ", ""))]; ok {
			return m
		}
	}
	return "Standard"
}

type shipQty struct {
	Unit   string `json:"unitOfMeasurement"`
	Amount string `json:"amount"`
}

type trackingInfo struct {
	ShipDateTime   int64       `json:"shipDateTime"`
	CarrierName    carrierName `json:"carrierName"`
	MethodCode     string      `json:"methodCode"`
	TrackingNumber string      `json:"trackingNumber"`
	TrackingURL    string      `json:"trackingURL,omitempty"`
}

type shipStatus struct {
	Status         string       `json:"status"`
	StatusQuantity shipQty      `json:"statusQuantity"`
	TrackingInfo   trackingInfo `json:"trackingInfo"`
}

type shipLine struct {
	LineNumber        string `json:"lineNumber"`
	SellerOrderID     string `json:"sellerOrderId,omitempty"`
	OrderLineStatuses struct {
		OrderLineStatus []shipStatus `json:"orderLineStatus"`
	} `json:"orderLineStatuses"`
}

type shipRequest struct {
	OrderShipment struct {
		OrderLines struct {
			OrderLine []shipLine `json:"orderLine"`
		} `json:"orderLines"`
	} `json:"orderShipment"`
}

// PushFulfillment marks the shipped lines Shipped with their tracking:
// POST /v3/orders/{purchaseOrderId}/shipping, one orderLine entry per
// line and parcel. It is idempotent: the order is read first and, when
// its lines already carry the shipment's first tracking number, nothing
// is sent again (a lost answer retried ships nothing twice).
func (c *Connector) PushFulfillment(ctx context.Context, o *model.Order, sh *model.Shipment) (string, error) {
	po := o.ChannelOrderID
	if po == "" {
		return "", fault.Permanentf("walmart: shipment %s: the order has no purchaseOrderId", sh.ID)
	}
	at := sh.ShippedAt
	if at.IsZero() {
		at = c.now()
	}
	var req shipRequest
	method := methodOf(sh, o)
	for _, p := range sh.Packages {
		if p.TrackingNumber == "" {
			return "", fault.Permanentf("walmart: order %s: shipment %s has a parcel without a tracking number (Walmart needs one)", po, sh.ID)
		}
		for _, l := range p.Lines {
			if l.Quantity <= 0 {
				continue
			}
			if l.OrderLineID == "" {
				return "", fault.Permanentf("walmart: order %s: shipment %s names no Walmart lineNumber", po, sh.ID)
			}
			sl := shipLine{LineNumber: l.OrderLineID, SellerOrderID: o.ID}
			sl.OrderLineStatuses.OrderLineStatus = []shipStatus{{Status: "Shipped",
				StatusQuantity: shipQty{Unit: "EACH", Amount: strconv.FormatInt(l.Quantity, 10)},
				TrackingInfo: trackingInfo{ShipDateTime: at.UnixMilli(), CarrierName: carrierOf(firstNonEmpty(p.Carrier, sh.Carrier)),
					MethodCode: method, TrackingNumber: p.TrackingNumber, TrackingURL: p.TrackingURL}}}
			req.OrderShipment.OrderLines.OrderLine = append(req.OrderShipment.OrderLines.OrderLine, sl)
		}
	}
	if len(req.OrderShipment.OrderLines.OrderLine) == 0 {
		return "", fault.Permanentf("walmart: order %s: shipment %s ships no units", po, sh.ID)
	}
	id := po + ":" + sh.Packages[0].TrackingNumber
	ctx, err := c.reserve(ctx, 2) // the order, then the shipping update
	if err != nil {
		return "", err
	}
	path := "/v3/orders/" + url.PathEscape(po)
	var cur struct {
		Order wOrder `json:"order"`
	}
	if err := c.do(ctx, "order "+po+": read", "GET", path, nil, nil, &cur); err != nil {
		return "", err
	}
	if hasTracking(&cur.Order, sh.Packages[0].TrackingNumber) {
		return id, nil
	}
	if err := c.do(ctx, "order "+po+": ship", "POST", path+"/shipping", nil, req, nil); err != nil {
		return "", err
	}
	return id, nil
}

// hasTracking reports whether a line of the order is already Shipped
// with the tracking number.
func hasTracking(wo *wOrder, number string) bool {
	for _, l := range wo.OrderLines.OrderLine {
		for _, s := range l.OrderLineStatuses.OrderLineStatus {
			if strings.EqualFold(s.Status, "Shipped") && s.TrackingInfo != nil && s.TrackingInfo.TrackingNumber == number {
				return true
			}
		}
	}
	return false
}
