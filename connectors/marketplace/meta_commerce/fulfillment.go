package metacommerce

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
)

// carrierCodes map canonical carrier codes to Meta's carrier codes.
// https://developers.facebook.com/docs/commerce-platform/order-management/carrier-codes
var carrierCodes = map[string]string{
	"ups": "UPS", "usps": "USPS", "fedex": "FEDEX", "dhl": "DHL", "dhl_express": "DHL",
	"dhl_ecommerce": "DHL_ECOMMERCE_US", "ontrac": "ONTRAC", "lasership": "LASERSHIP",
	"canada_post": "CANADA_POST", "royal_mail": "ROYAL_MAIL", "australia_post": "AUSTRALIA_POST",
}

// trackingInfo is a shipment's tracking: a known carrier code, or OTHER
// with the carrier's name as shipping_method_name.
type trackingInfo struct {
	TrackingNumber     string `json:"tracking_number"`
	Carrier            string `json:"carrier"`
	ShippingMethodName string `json:"shipping_method_name,omitempty"`
}

func trackingOf(carrier, service, number string) trackingInfo {
	t := trackingInfo{TrackingNumber: number, ShippingMethodName: service}
	if code, ok := carrierCodes[strings.ToLower(strings.TrimSpace(carrier))]; ok {
		t.Carrier = code
		return t
	}
	t.Carrier = "OTHER"
	if carrier != "" {
		t.ShippingMethodName = strings.TrimSpace(carrier + " " + service)
	}
	return t
}

type shipItem struct {
	ItemID     string `json:"item_id,omitempty"`
	RetailerID string `json:"retailer_id,omitempty"`
	Quantity   int64  `json:"quantity"`
}

type shipRequest struct {
	Items          []shipItem   `json:"items"`
	TrackingInfo   trackingInfo `json:"tracking_info"`
	IdempotencyKey string       `json:"idempotency_key"`
}

// PushFulfillment posts one shipment per parcel: POST /{order_id}/shipments
// with its items (Meta's item id, else the retailer id), tracking_info
// and an idempotency key derived from our shipment id and the parcel, so
// a replay (a lost answer retried) creates nothing twice: Meta answers a
// repeated key with the first result.
// https://developers.facebook.com/docs/commerce-platform/order-management/fulfillment-api
func (c *Connector) PushFulfillment(ctx context.Context, o *model.Order, sh *model.Shipment) (string, error) {
	id := o.ChannelOrderID
	if id == "" {
		return "", fault.Permanentf("meta_commerce: shipment %s: the order has no Meta order id", sh.ID)
	}
	var reqs []shipRequest
	for i, p := range sh.Packages {
		if p.TrackingNumber == "" {
			return "", fault.Permanentf("meta_commerce: order %s: shipment %s has a parcel without a tracking number (Meta needs one)", id, sh.ID)
		}
		r := shipRequest{TrackingInfo: trackingOf(firstNonEmpty(p.Carrier, sh.Carrier), sh.Service, p.TrackingNumber),
			IdempotencyKey: fmt.Sprintf("dropgate-%s-%d", sh.ID, i)}
		for _, l := range p.Lines {
			if l.Quantity <= 0 {
				continue
			}
			it := shipItem{ItemID: l.OrderLineID, Quantity: l.Quantity}
			if it.ItemID == "" {
				it.RetailerID = l.SKU
			}
			if it.ItemID == "" && it.RetailerID == "" {
				return "", fault.Permanentf("meta_commerce: order %s: shipment %s has a line with neither a Meta item id nor a retailer id", id, sh.ID)
			}
			r.Items = append(r.Items, it)
		}
		if len(r.Items) > 0 {
			reqs = append(reqs, r)
		}
	}
	if len(reqs) == 0 {
		return "", fault.Permanentf("meta_commerce: order %s: shipment %s ships no units", id, sh.ID)
	}
	// Meta fulfils only acknowledged (IN_PROGRESS) orders, and the poll
	// acknowledges an order only at the poll after its intake: a fast
	// supplier can ship first. An order still waiting is acknowledged
	// now, with the poll's own idempotency key, so whichever comes second
	// is a no-op; a refusal (the order is past CREATED) is no obstacle.
	if waiting, err := c.acks().Has(ctx, id); err != nil {
		return "", err
	} else if waiting {
		if err := c.acknowledge(ctx, id); err != nil && !fault.IsPermanent(err) {
			return "", err
		}
	}
	for _, r := range reqs {
		if err := c.post(ctx, "order "+id+": ship", "/"+url.PathEscape(id)+"/shipments", r, nil); err != nil {
			return "", err
		}
	}
	return id + ":" + sh.Packages[0].TrackingNumber, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
