package magento2

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
)

type shipItem struct {
	OrderItemID int64 `json:"order_item_id"`
	Qty         int64 `json:"qty"`
}

type shipTrack struct {
	TrackNumber string `json:"track_number"`
	Title       string `json:"title"`
	CarrierCode string `json:"carrier_code"`
}

type shipRequest struct {
	Items  []shipItem  `json:"items"`
	Notify bool        `json:"notify"`
	Tracks []shipTrack `json:"tracks"`
}

// PushFulfillment creates a Magento shipment of the shipped lines with a
// track per parcel: POST /V1/order/{id}/ship, which answers the new
// shipment's id. It is idempotent: the order's shipments are listed first
// and one already carrying the shipment's tracking numbers is returned
// (a lost answer retried makes no second shipment).
func (c *Connector) PushFulfillment(ctx context.Context, o *model.Order, sh *model.Shipment) (string, error) {
	orderID := o.ChannelOrderID
	if _, err := strconv.ParseUint(orderID, 10, 64); err != nil {
		return "", fault.Permanentf("magento2: order %q: not a Magento entity_id", orderID)
	}
	req := shipRequest{Notify: true}
	qty := map[int64]int64{}
	var order []int64
	for _, p := range sh.Packages {
		for _, l := range p.Lines {
			id, err := strconv.ParseInt(l.OrderLineID, 10, 64)
			if err != nil {
				return "", fault.Permanentf("magento2: order %s: line %q is not a Magento item id", orderID, l.OrderLineID)
			}
			if _, ok := qty[id]; !ok {
				order = append(order, id)
			}
			qty[id] += l.Quantity
		}
		if p.TrackingNumber == "" {
			continue
		}
		code, title := carrierCode(firstNonEmpty(p.Carrier, sh.Carrier))
		req.Tracks = append(req.Tracks, shipTrack{TrackNumber: p.TrackingNumber, Title: title, CarrierCode: code})
	}
	for _, id := range order {
		if qty[id] > 0 {
			req.Items = append(req.Items, shipItem{OrderItemID: id, Qty: qty[id]})
		}
	}
	if len(req.Items) == 0 {
		return "", fault.Permanentf("magento2: order %s: shipment %s ships no units", orderID, sh.ID)
	}
	ctx, err := c.reserve(ctx, 2) // the shipments of the order, then the shipment
	if err != nil {
		return "", err
	}
	if id, err := c.existingShipment(ctx, orderID, sh); err != nil || id != "" {
		return id, err
	}
	var shipmentID any
	if err := c.do(ctx, "order "+orderID+": ship", "POST", "/V1/order/"+orderID+"/ship", nil, req, &shipmentID); err != nil {
		return "", err
	}
	return strings.Trim(fmt.Sprint(shipmentID), `"`), nil
}

// existingShipment returns the id of a shipment of the order already
// carrying sh's first tracking number, "" if none.
func (c *Connector) existingShipment(ctx context.Context, orderID string, sh *model.Shipment) (string, error) {
	nums := sh.TrackingNumbers()
	if len(nums) == 0 {
		return "", nil
	}
	q := url.Values{}
	q.Set("searchCriteria[filter_groups][0][filters][0][field]", "order_id")
	q.Set("searchCriteria[filter_groups][0][filters][0][value]", orderID)
	var res struct {
		Items []struct {
			EntityID any `json:"entity_id"`
			Tracks   []struct {
				TrackNumber string `json:"track_number"`
			} `json:"tracks"`
		} `json:"items"`
	}
	if err := c.do(ctx, "order "+orderID+": list shipments", "GET", "/V1/shipments", q, nil, &res); err != nil {
		return "", err
	}
	for _, s := range res.Items {
		for _, t := range s.Tracks {
			if t.TrackNumber == nums[0] {
				return fmt.Sprint(s.EntityID), nil
			}
		}
	}
	return "", nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
