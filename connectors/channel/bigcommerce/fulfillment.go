package bigcommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// A BigCommerce shipment holds one tracking number, so each parcel of a
// dropgate shipment is a shipment of its own (POST /v2/orders/{id}/shipments
// with the order_address_id and each item's order_product_id — an order
// line's id is its order_product_id). BigCommerce moves the order to
// Partially Shipped or Shipped by itself.
//
// Before writing, the order's shipments are read: a parcel whose comment
// carries its marker, or whose tracking number is already there, was
// made by an earlier attempt, so a replay or a lost answer makes none.

// carriers maps canonical carrier codes to BigCommerce's tracking_carrier
// values (its shipment-provider list, AfterShip slugs). A code not listed
// is sent without a carrier, its name in the comment and the link as
// tracking_link.
var carriers = map[string]string{
	"ups": "ups", "usps": "usps", "fedex": "fedex", "dhl": "dhl", "dhl_ecom": "dhl-global-mail",
	"ontrac": "ontrac", "canadapost": "canada-post", "royalmail": "royal-mail", "auspost": "australia-post",
	"dpd": "dpd", "gls": "gls", "purolator": "purolator",
}

type bcShipment struct {
	ID              json.Number `json:"id,omitempty"`
	OrderAddressID  json.Number `json:"order_address_id"`
	TrackingNumber  string      `json:"tracking_number,omitempty"`
	TrackingCarrier string      `json:"tracking_carrier,omitempty"`
	TrackingLink    string      `json:"tracking_link,omitempty"`
	// ShippingProvider is sent empty: omitted, BigCommerce records
	// "custom" and its email carries no tracking link.
	ShippingProvider string           `json:"shipping_provider"`
	ShippingMethod   string           `json:"shipping_method,omitempty"`
	Comments         string           `json:"comments,omitempty"`
	Items            []bcShipmentItem `json:"items"`
}

type bcShipmentItem struct {
	OrderProductID json.Number `json:"order_product_id"`
	Quantity       int64       `json:"quantity"`
}

// marker tags the comment of parcel i of a shipment.
func marker(sh *model.Shipment, i int) string {
	return fmt.Sprintf("[dropgate shipment %s/%d]", sh.ID, i+1)
}

// PushFulfillment creates a BigCommerce shipment per parcel and returns
// their ids, comma-separated.
func (c *Connector) PushFulfillment(ctx context.Context, o *model.Order, sh *model.Shipment) (string, error) {
	oid, err := integer("order", json.Number(o.ChannelOrderID))
	if err != nil {
		return "", fault.Permanent(fmt.Errorf("bigcommerce: order %q: %w", o.ChannelOrderID, err))
	}
	parcels := 0
	for _, p := range sh.Packages {
		if len(p.Lines) > 0 {
			parcels++
		}
	}
	if parcels == 0 {
		return "", fault.Permanent(fmt.Errorf("bigcommerce: order %s: shipment %s has no items", oid, sh.ID))
	}
	// Reserve the reads and every write, so the push is never throttled
	// halfway and made to start over.
	ctx, err = httpclient.Reserve(ctx, c.env.Limiter, c.key, 2+parcels, c.env.RateLimit, c.now())
	if err != nil {
		return "", err
	}
	path := "/v2/orders/" + oid + "/shipments"
	var have []bcShipment
	if _, err := c.call(ctx, "GET", path, nil, nil, &have); err != nil && !errors.Is(err, errNoContent) {
		return "", fmt.Errorf("bigcommerce: order %s: read shipments: %w", oid, err)
	}
	var addrs []bcAddress
	if _, err := c.call(ctx, "GET", "/v2/orders/"+oid+"/shipping_addresses", nil, nil, &addrs); err != nil && !errors.Is(err, errNoContent) {
		return "", fmt.Errorf("bigcommerce: order %s: read shipping addresses: %w", oid, err)
	}
	if len(addrs) == 0 {
		return "", fault.Permanent(fmt.Errorf("bigcommerce: order %s: no shipping address to ship to", oid))
	}
	var ids []string
	for i, p := range sh.Packages {
		if len(p.Lines) == 0 {
			continue
		}
		if id, ok := existing(have, marker(sh, i), p.TrackingNumber); ok {
			ids = append(ids, id)
			continue
		}
		in := bcShipment{OrderAddressID: addrs[0].ID, TrackingNumber: p.TrackingNumber,
			ShippingMethod: o.ShippingMethod, Comments: marker(sh, i)}
		code := strings.ToLower(firstNonEmpty(p.Carrier, sh.Carrier))
		if bc, ok := carriers[code]; ok {
			in.TrackingCarrier = bc
		} else if code != "" {
			in.Comments = code + " " + in.Comments
		}
		if in.TrackingCarrier == "" {
			in.TrackingLink = p.TrackingURL
		}
		for _, l := range p.Lines {
			if _, err := integer("order line", json.Number(l.OrderLineID)); err != nil {
				return "", fault.Permanent(fmt.Errorf("bigcommerce: order %s: shipment %s: line %q is not an order product id", oid, sh.ID, l.OrderLineID))
			}
			in.Items = append(in.Items, bcShipmentItem{OrderProductID: json.Number(l.OrderLineID), Quantity: l.Quantity})
		}
		var made bcShipment
		if _, err := c.call(ctx, "POST", path, nil, in, &made); err != nil {
			return "", fmt.Errorf("bigcommerce: order %s: create shipment (parcel %d): %w", oid, i+1, err)
		}
		ids = append(ids, made.ID.String())
	}
	return strings.Join(ids, ","), nil
}

// existing finds a shipment an earlier attempt made.
func existing(have []bcShipment, mark, tracking string) (string, bool) {
	for _, s := range have {
		if strings.Contains(s.Comments, mark) || (tracking != "" && s.TrackingNumber == tracking) {
			return s.ID.String(), true
		}
	}
	return "", false
}

// CancelOrder sets the order's status to Cancelled (status_id 5); an
// order already cancelled stays so.
func (c *Connector) CancelOrder(ctx context.Context, o *model.Order, reason string) error {
	oid, err := integer("order", json.Number(o.ChannelOrderID))
	if err != nil {
		return fault.Permanent(fmt.Errorf("bigcommerce: order %q: %w", o.ChannelOrderID, err))
	}
	in := map[string]any{"status_id": 5}
	if reason != "" {
		in["staff_notes"] = "Cancelled by dropgate: " + reason
	}
	if _, err := c.call(ctx, "PUT", "/v2/orders/"+oid, nil, in, nil); err != nil {
		return fmt.Errorf("bigcommerce: order %s: cancel: %w", oid, err)
	}
	return nil
}

func (c *Connector) log() *slog.Logger {
	if c.env.Logger != nil {
		return c.env.Logger
	}
	return slog.Default()
}
