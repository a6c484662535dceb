package ebayfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

const timeLayout = "2006-01-02T15:04:05.000Z"

// MaxBulk is the most requests one bulk_update_price_quantity call takes.
const MaxBulk = 25

func (f *Fake) routes() {
	f.srv.Handle("POST "+tokenPath, f.token)
	f.handle("GET /sell/fulfillment/v1/order", f.listOrders)
	f.handle("GET /sell/fulfillment/v1/order/{id}", f.getOrder)
	f.handle("GET /sell/fulfillment/v1/order/{id}/shipping_fulfillment", f.listFulfillments)
	f.handle("POST /sell/fulfillment/v1/order/{id}/shipping_fulfillment", f.createFulfillment)
	f.handle("POST /sell/inventory/v1/bulk_update_price_quantity", f.bulk)
	f.handle("GET /sell/inventory/v1/offer", f.getOffers)
	f.handle("GET /commerce/notification/v1/public_key/{kid}", f.publicKey)
}

func (f *Fake) handle(pattern string, h func(r *http.Request) *kit.Response) {
	f.srv.Handle(pattern, func(r *http.Request) *kit.Response {
		f.mu.Lock()
		defer f.mu.Unlock()
		return h(r)
	})
}

func (f *Fake) fail(status, id int, msg string) *kit.Response {
	return kit.JSON(status, map[string]any{"errors": []map[string]any{{"errorId": id, "domain": "API_FULFILLMENT", "category": "REQUEST", "message": msg}}})
}

// token is the OAuth endpoint: refresh_token and client_credentials grants.
func (f *Fake) token(r *http.Request) *kit.Response {
	if err := r.ParseForm(); err != nil {
		return kit.JSON(http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "request body is not a form"})
	}
	switch r.PostForm.Get("grant_type") {
	case "refresh_token":
		if r.PostForm.Get("refresh_token") != RefreshToken {
			return kit.JSON(http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "the provided authorization refresh token is invalid or was issued to another client"})
		}
	case "client_credentials":
	default:
		return kit.JSON(http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "grant type in request is not supported by the authorization server"})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refreshs++
	tok := fmt.Sprintf("v^1.1#i^1#access-%d", f.refreshs)
	f.tokens[tok] = f.clock.Now().Add(f.ttl)
	return kit.OK(map[string]any{"access_token": tok, "expires_in": int(f.ttl / time.Second), "token_type": "User Access Token"})
}

// parseSince reads filter=lastmodifieddate:[X..] (or creationdate).
func parseSince(filter string) (field string, since time.Time, err error) {
	if filter == "" {
		return "", time.Time{}, nil
	}
	name, rng, ok := strings.Cut(filter, ":")
	if !ok || (name != "lastmodifieddate" && name != "creationdate") || !strings.HasPrefix(rng, "[") || !strings.HasSuffix(rng, "]") {
		return "", time.Time{}, fmt.Errorf("the filter %q is not valid", filter)
	}
	from, _, _ := strings.Cut(strings.Trim(rng, "[]"), "..")
	t, err := time.Parse(time.RFC3339Nano, from)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("the date %q in the filter is not valid", from)
	}
	return name, t, nil
}

func (f *Fake) listOrders(r *http.Request) *kit.Response {
	q := r.URL.Query()
	field, since, err := parseSince(q.Get("filter"))
	if err != nil {
		return f.fail(http.StatusBadRequest, 30700, err.Error())
	}
	offset, limit, err := kit.Offset(q, "offset", "limit", 50, 200)
	if err != nil {
		return f.fail(http.StatusBadRequest, 30600, err.Error())
	}
	all := f.sorted(func(o *Order) bool {
		at := o.ModifiedAt
		if field == "creationdate" {
			at = o.CreatedAt
		}
		return !at.Before(since)
	})
	page := kit.Window(all, offset, limit)
	out := make([]any, 0, len(page))
	for _, o := range page {
		out = append(out, render(o))
	}
	return kit.OK(map[string]any{"href": r.URL.String(), "total": len(all), "limit": limit, "offset": offset, "orders": out})
}

func (f *Fake) getOrder(r *http.Request) *kit.Response {
	o, ok := f.orders[r.PathValue("id")]
	if !ok {
		return f.fail(http.StatusNotFound, 32100, "Invalid order ID: "+r.PathValue("id"))
	}
	return kit.OK(render(o))
}

func (f *Fake) listFulfillments(r *http.Request) *kit.Response {
	o, ok := f.orders[r.PathValue("id")]
	if !ok {
		return f.fail(http.StatusNotFound, 32100, "Invalid order ID: "+r.PathValue("id"))
	}
	fs := append([]Fulfillment{}, o.Fulfillments...)
	return kit.OK(map[string]any{"fulfillments": fs, "total": len(fs)})
}

func (f *Fake) createFulfillment(r *http.Request) *kit.Response {
	o, ok := f.orders[r.PathValue("id")]
	if !ok {
		return f.fail(http.StatusNotFound, 32100, "Invalid order ID: "+r.PathValue("id"))
	}
	var in Fulfillment
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.LineItems) == 0 {
		return f.fail(http.StatusBadRequest, 32400, "The request has errors. lineItems is required.")
	}
	if o.CancelState == "CANCELED" {
		return f.fail(http.StatusConflict, 32800, "The order has been cancelled.")
	}
	for _, l := range in.LineItems {
		known := false
		for _, ol := range o.Lines {
			known = known || ol.LineItemID == l.LineItemID
		}
		if !known || l.Quantity <= 0 {
			return f.fail(http.StatusBadRequest, 32500, "Invalid line item ID: "+l.LineItemID)
		}
	}
	f.seq++
	in.FulfillmentID = strings.ToUpper(in.ShipmentTrackingNumber)
	if in.FulfillmentID == "" {
		in.FulfillmentID = fmt.Sprintf("9%011d", f.seq)
	}
	o.Fulfillments = append(o.Fulfillments, in)
	o.ModifiedAt = f.now()
	return &kit.Response{Status: http.StatusCreated, Header: http.Header{"Location": {
		"https://api.ebay.com/sell/fulfillment/v1/order/" + o.OrderID + "/shipping_fulfillment/" + in.FulfillmentID}}}
}

// UnmarshalJSON reads a createShippingFulfillment request, which names
// the tracking number trackingNumber (the stored one is
// shipmentTrackingNumber).
func (fl *Fulfillment) UnmarshalJSON(b []byte) error {
	var in struct {
		TrackingNumber      string    `json:"trackingNumber"`
		ShippingCarrierCode string    `json:"shippingCarrierCode"`
		ShippedDate         string    `json:"shippedDate"`
		LineItems           []LineRef `json:"lineItems"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*fl = Fulfillment{ShipmentTrackingNumber: in.TrackingNumber, ShippingCarrierCode: in.ShippingCarrierCode,
		ShippedDate: in.ShippedDate, LineItems: in.LineItems}
	return nil
}

func (f *Fake) bulk(r *http.Request) *kit.Response {
	var in struct {
		Requests []struct {
			SKU                        string `json:"sku"`
			ShipToLocationAvailability *struct {
				Quantity *int64 `json:"quantity"`
			} `json:"shipToLocationAvailability"`
			Offers []struct {
				OfferID string `json:"offerId"`
				Price   *struct {
					Value    string `json:"value"`
					Currency string `json:"currency"`
				} `json:"price"`
			} `json:"offers"`
		} `json:"requests"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || len(in.Requests) == 0 {
		return f.fail(http.StatusBadRequest, 25709, "Invalid value for requests.")
	}
	if len(in.Requests) > MaxBulk {
		return f.fail(http.StatusBadRequest, 25709, fmt.Sprintf("Invalid value for requests: at most %d.", MaxBulk))
	}
	var resps []map[string]any
	status := http.StatusOK
	for _, req := range in.Requests {
		if a := req.ShipToLocationAvailability; a != nil && a.Quantity != nil {
			if *a.Quantity < 0 {
				return f.fail(http.StatusBadRequest, 25710, "Invalid quantity for SKU "+req.SKU)
			}
			q := *a.Quantity
			f.qty[req.SKU] = q
			f.writes = append(f.writes, Write{SKU: req.SKU, Quantity: &q})
			resps = append(resps, map[string]any{"statusCode": 200, "sku": req.SKU})
		}
		for _, of := range req.Offers {
			o, ok := f.offers[req.SKU]
			if !ok || o.OfferID != of.OfferID || of.Price == nil {
				status = http.StatusMultiStatus
				resps = append(resps, map[string]any{"statusCode": 404, "sku": req.SKU, "offerId": of.OfferID,
					"errors": []map[string]any{{"errorId": 25713, "message": "This Offer is not available."}}})
				continue
			}
			if _, err := decimal.Parse(of.Price.Value); err != nil || of.Price.Currency != o.Currency {
				return f.fail(http.StatusBadRequest, 25711, "Invalid price for offer "+of.OfferID)
			}
			o.Price = of.Price.Value
			f.writes = append(f.writes, Write{SKU: req.SKU, OfferID: of.OfferID, Price: of.Price.Value})
			resps = append(resps, map[string]any{"statusCode": 200, "sku": req.SKU, "offerId": of.OfferID})
		}
	}
	return kit.JSON(status, map[string]any{"responses": resps})
}

func (f *Fake) getOffers(r *http.Request) *kit.Response {
	q := r.URL.Query()
	o, ok := f.offers[q.Get("sku")]
	if !ok || (q.Get("marketplace_id") != "" && q.Get("marketplace_id") != o.MarketplaceID) {
		return f.fail(http.StatusNotFound, 25713, "This Offer is not available.")
	}
	return kit.OK(map[string]any{"total": 1, "offers": []map[string]any{{"offerId": o.OfferID, "sku": o.SKU,
		"marketplaceId": o.MarketplaceID, "format": "FIXED_PRICE",
		"pricingSummary": map[string]any{"price": map[string]string{"value": o.Price, "currency": o.Currency}}}}})
}

func (f *Fake) publicKey(r *http.Request) *kit.Response {
	k, ok := f.keys[r.PathValue("kid")]
	if !ok {
		return f.fail(http.StatusNotFound, 195001, "The specified key id is invalid.")
	}
	return kit.OK(map[string]string{"algorithm": "ECDSA", "digest": "SHA1", "key": k})
}

func money(v, cur string) map[string]string { return map[string]string{"value": v, "currency": cur} }

// render writes an order as getOrders does.
func render(o *Order) map[string]any {
	sub := decimal.Decimal{}
	var lines []any
	for _, l := range o.Lines {
		cost := decimal.MustParse(l.Price)
		cost, _ = cost.Mul(decimal.FromInt(l.Qty))
		sub, _ = sub.Add(cost)
		lines = append(lines, map[string]any{"lineItemId": l.LineItemID, "legacyItemId": "1100" + l.LineItemID, "sku": l.SKU,
			"title": l.Title, "quantity": l.Qty, "lineItemCost": money(cost.String(), o.Currency),
			"lineItemFulfillmentStatus": "NOT_STARTED"})
	}
	ship := decimal.MustParse(o.Shipping)
	total, _ := sub.Add(ship)
	pay := "PENDING"
	if o.Paid {
		pay = "PAID"
	}
	fs := "NOT_STARTED"
	if len(o.Fulfillments) > 0 {
		fs = "IN_PROGRESS"
	}
	cancel := map[string]any{"cancelState": o.CancelState, "cancelRequests": []any{}}
	if o.CancelState == "CANCELED" {
		cancel["cancelledDate"] = o.CancelledAt.Format(timeLayout)
	}
	return map[string]any{
		"orderId": o.OrderID, "legacyOrderId": strings.ReplaceAll(o.OrderID, "-", ""),
		"creationDate": o.CreatedAt.Format(timeLayout), "lastModifiedDate": o.ModifiedAt.Format(timeLayout),
		"orderFulfillmentStatus": fs, "orderPaymentStatus": pay,
		"buyer": map[string]any{"username": "buyer_" + strconv.Itoa(len(o.OrderID)),
			"buyerRegistrationAddress": map[string]any{"fullName": "Ada Lovelace", "email": o.Email}},
		"pricingSummary": map[string]any{"priceSubtotal": money(sub.String(), o.Currency), "deliveryCost": money(ship.String(), o.Currency),
			"total": money(total.String(), o.Currency)},
		"cancelStatus": cancel,
		"fulfillmentStartInstructions": []any{map[string]any{"fulfillmentInstructionsType": "SHIP_TO", "shippingStep": map[string]any{
			"shippingServiceCode": "USPSPriority",
			"shipTo": map[string]any{"fullName": "Ada Lovelace", "contactAddress": map[string]any{"addressLine1": "12 Analytical Row",
				"city": "Austin", "stateOrProvince": "TX", "postalCode": "78701", "countryCode": "US"}}}}},
		"lineItems": lines,
	}
}

// Cents reads a decimal price as minor units of a two-decimal currency.
func Cents(s string) int64 {
	d, err := decimal.Parse(s)
	if err != nil {
		return -1
	}
	d, err = d.Rescale(2)
	if err != nil {
		return -1
	}
	return d.Coef
}
