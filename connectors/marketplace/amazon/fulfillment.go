package amazon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"strings"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// shippedKind is the State record of the packages confirmed per order.
const shippedKind = "shipped"

// carrierCodes maps canonical carrier codes to Amazon's CarrierCode
// values; any other carrier is "Other" with its name in carrierName.
var carrierCodes = map[string]string{
	"ups": "UPS", "usps": "USPS", "fedex": "FedEx", "dhl": "DHL", "dhl_express": "DHL", "ontrac": "OnTrac",
	"royal_mail": "Royal Mail", "canada_post": "Canada Post", "dpd": "DPD", "gls": "GLS", "hermes": "Hermes",
	"deutsche_post": "Deutsche Post", "japan_post": "Japan Post", "yamato": "Yamato Transport", "lasership": "Lasership",
	"australia_post": "Australia Post", "amazon_shipping": "Amazon Shipping",
}

type orderItemQty struct {
	OrderItemID string `json:"orderItemId"`
	Quantity    int64  `json:"quantity"`
}

type packageDetail struct {
	PackageReferenceID string         `json:"packageReferenceId"`
	CarrierCode        string         `json:"carrierCode"`
	CarrierName        string         `json:"carrierName,omitempty"`
	ShippingMethod     string         `json:"shippingMethod,omitempty"`
	TrackingNumber     string         `json:"trackingNumber"`
	ShipDate           string         `json:"shipDate"`
	OrderItems         []orderItemQty `json:"orderItems"`
}

type confirmRequest struct {
	MarketplaceID string        `json:"marketplaceId"`
	PackageDetail packageDetail `json:"packageDetail"`
}

// shipped is what has been confirmed of an order: package references
// and the units per item they carried.
type shipped struct {
	Packages map[string]bool  `json:"packages"`
	Units    map[string]int64 `json:"units"`
	// Sending are packages whose confirmation left without an answer
	// known: only for them is Amazon asked what it has (getOrderItems).
	Sending map[string]bool `json:"sending,omitempty"`
}

// packageRef is a package's packageReferenceId: Amazon takes positive
// numbers unique within the order, so it is derived from the shipment
// and the tracking number, the same on every replay.
func packageRef(shipmentID, tracking string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(shipmentID + "\x00" + tracking))
	return fmt.Sprint(h.Sum32()%2000000000 + 1)
}

// PushFulfillment confirms each package of the shipment with
// confirmShipment (POST /orders/v0/orders/{orderId}/shipmentConfirmation).
// A replay is a no-op: packages confirmed are remembered in State, and
// one whose answer was lost (marked sending before it left) is
// recognised by getOrderItems' QuantityShipped already covering it. The
// items are read only then, or when Amazon refuses a confirmation (one
// made in Seller Central): the shipment has the item ids and quantities.
// https://developer-docs.amazon.com/sp-api/docs/orders-api-v0-reference#confirmshipment
func (c *Connector) PushFulfillment(ctx context.Context, o *model.Order, sh *model.Shipment) (string, error) {
	id := o.ChannelOrderID
	if id == "" {
		return "", fault.Permanentf("amazon: shipment %s: the order has no AmazonOrderId", sh.ID)
	}
	if len(sh.Packages) == 0 {
		return "", fault.Permanentf("amazon: order %s: shipment %s has no package", id, sh.ID)
	}
	market := ""
	for _, t := range o.Tags {
		if m, ok := strings.CutPrefix(t, marketplaceTag); ok {
			market = m
		}
	}
	if market == "" && len(c.cfg.MarketplaceIDs) > 0 {
		market = c.cfg.MarketplaceIDs[0]
	}
	at := sh.ShippedAt
	if at.IsZero() {
		at = c.now()
	}
	var reqs []confirmRequest
	for _, p := range sh.Packages {
		if p.TrackingNumber == "" {
			return "", fault.Permanentf("amazon: order %s: shipment %s has a package without a tracking number", id, sh.ID)
		}
		carrier := firstNonEmpty(p.Carrier, sh.Carrier)
		pd := packageDetail{PackageReferenceID: packageRef(sh.ID, p.TrackingNumber), TrackingNumber: p.TrackingNumber,
			ShipDate: at.UTC().Format("2006-01-02T15:04:05.000Z"), ShippingMethod: sh.Service}
		if code, ok := carrierCodes[strings.ToLower(strings.TrimSpace(carrier))]; ok {
			pd.CarrierCode = code
		} else {
			pd.CarrierCode, pd.CarrierName = "Other", firstNonEmpty(carrier, "Other")
		}
		for _, l := range p.Lines {
			if l.Quantity <= 0 {
				continue
			}
			if l.OrderLineID == "" {
				return "", fault.Permanentf("amazon: order %s: shipment %s names no OrderItemId", id, sh.ID)
			}
			pd.OrderItems = append(pd.OrderItems, orderItemQty{OrderItemID: l.OrderLineID, Quantity: l.Quantity})
		}
		if len(pd.OrderItems) == 0 {
			continue
		}
		reqs = append(reqs, confirmRequest{MarketplaceID: market, PackageDetail: pd})
	}
	if len(reqs) == 0 {
		return "", fault.Permanentf("amazon: order %s: shipment %s ships no units", id, sh.ID)
	}
	done, rec, err := c.shippedOf(ctx, id)
	if err != nil {
		return "", err
	}
	var onAmazon map[string]int64 // QuantityShipped per item, read once if needed
	shippedOnAmazon := func() (map[string]int64, error) {
		if onAmazon == nil {
			onAmazon, err = c.quantityShipped(ctx, id)
		}
		return onAmazon, err
	}
	for _, r := range reqs {
		pd := r.PackageDetail
		ref := pd.PackageReferenceID
		if done.Packages[ref] {
			continue
		}
		sent := false
		if done.Sending[ref] {
			qs, err := shippedOnAmazon()
			if err != nil {
				return "", err
			}
			sent = covered(qs, done.Units, pd.OrderItems)
		} else {
			done.Sending[ref] = true
			if rec, err = c.saveShipped(ctx, rec, done); err != nil {
				return "", err
			}
		}
		if !sent {
			err := c.do(ctx, opConfirm, "order "+id+": confirm shipment", "POST",
				"/orders/v0/orders/"+url.PathEscape(id)+"/shipmentConfirmation", nil, r, nil)
			var th *fault.ThrottledError
			if errors.As(err, &th) {
				// Not sent (the limiter held it): nothing is unknown.
				delete(done.Sending, ref)
				if _, serr := c.saveShipped(ctx, rec, done); serr != nil {
					return "", serr
				}
				return "", err
			}
			if isStatus(err, http.StatusBadRequest) {
				// Confirmed already outside dropgate? Then it is done.
				if qs, qerr := shippedOnAmazon(); qerr == nil && covered(qs, done.Units, pd.OrderItems) {
					err = nil
				}
			}
			if err != nil {
				return "", err
			}
		}
		done.Packages[ref] = true
		delete(done.Sending, ref)
		for _, it := range pd.OrderItems {
			done.Units[it.OrderItemID] += it.Quantity
		}
		if rec, err = c.saveShipped(ctx, rec, done); err != nil {
			return "", err
		}
	}
	return id + ":" + reqs[0].PackageDetail.PackageReferenceID, nil
}

// covered reports whether Amazon's shipped quantities already include
// the package on top of what was confirmed before: its answer was lost.
func covered(onAmazon, before map[string]int64, items []orderItemQty) bool {
	for _, it := range items {
		if onAmazon[it.OrderItemID] < before[it.OrderItemID]+it.Quantity {
			return false
		}
	}
	return true
}

func (c *Connector) quantityShipped(ctx context.Context, id string) (map[string]int64, error) {
	items, err := c.orderItems(ctx, id)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, it := range items {
		out[it.OrderItemID] = it.shippedQty()
	}
	return out, nil
}

func (c *Connector) shippedOf(ctx context.Context, id string) (shipped, store.Record, error) {
	s := shipped{Packages: map[string]bool{}, Units: map[string]int64{}, Sending: map[string]bool{}}
	rec := store.Record{Kind: shippedKind, ID: id}
	if c.env.State == nil {
		return s, rec, nil
	}
	got, err := c.env.State.GetRecord(ctx, shippedKind, id)
	if errors.Is(err, store.ErrNotFound) {
		return s, rec, nil
	}
	if err != nil {
		return s, rec, fault.Retryable(fmt.Errorf("amazon: order %s: read confirmed packages: %w", id, err))
	}
	_ = json.Unmarshal(got.Data, &s)
	if s.Packages == nil {
		s.Packages = map[string]bool{}
	}
	if s.Units == nil {
		s.Units = map[string]int64{}
	}
	if s.Sending == nil {
		s.Sending = map[string]bool{}
	}
	return s, got, nil
}

func (c *Connector) saveShipped(ctx context.Context, rec store.Record, s shipped) (store.Record, error) {
	if c.env.State == nil {
		return rec, nil
	}
	rec.Data, _ = json.Marshal(s)
	v, err := c.env.State.PutRecord(ctx, rec)
	if err != nil {
		return rec, fault.Retryable(fmt.Errorf("amazon: order %s: save confirmed packages: %w", rec.ID, err))
	}
	rec.Version = v
	return rec, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
