package amazonfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/fakes/kit"
)

func (f *Fake) routes() {
	f.srv.Handle("POST "+TokenPath, f.token)
	f.handle("GET /orders/v0/orders", f.getOrders)
	f.handle("GET /orders/v0/orders/{id}/orderItems", f.getOrderItems)
	f.handle("GET /orders/v0/orders/{id}/address", f.getOrderAddress)
	f.handle("POST /orders/v0/orders/{id}/shipmentConfirmation", f.confirmShipment)
	f.srv.Handle("POST /tokens/2021-03-01/restrictedDataToken", f.createRDT)
	f.handle("PATCH /listings/2021-08-01/items/{seller}/{sku}", f.patchListing)
	f.feedRoutes()
}

// operation names the SP-API operation a request is, for its bucket.
func operation(r *http.Request) string {
	p := r.URL.Path
	switch {
	case p == TokenPath:
		return OpToken
	case p == "/orders/v0/orders":
		return OpOrders
	case strings.HasSuffix(p, "/orderItems"):
		return OpItems
	case strings.HasSuffix(p, "/address"):
		return OpAddress
	case strings.HasSuffix(p, "/shipmentConfirmation"):
		return OpConfirm
	case strings.HasPrefix(p, "/tokens/"):
		return OpRDT
	case strings.HasPrefix(p, "/listings/"):
		return OpListings
	case p == feedsPath+"/documents":
		return OpCreateDoc
	case strings.HasPrefix(p, feedsPath+"/documents/"):
		return OpGetDoc
	case p == feedsPath+"/feeds":
		return OpCreateFeed
	case strings.HasPrefix(p, feedsPath+"/feeds/"):
		return OpGetFeed
	}
	return "other"
}

func (f *Fake) handle(pattern string, h func(r *http.Request) *kit.Response) {
	f.srv.Handle(pattern, func(r *http.Request) *kit.Response {
		f.mu.Lock()
		defer f.mu.Unlock()
		return h(r)
	})
}

// fail is Amazon's error body.
func fail(status int, code, message, details string) *kit.Response {
	e := map[string]string{"code": code, "message": message}
	if details != "" {
		e["details"] = details
	}
	return kit.JSON(status, map[string]any{"errors": []map[string]string{e}})
}

func invalid(message string) *kit.Response {
	return fail(http.StatusBadRequest, "InvalidInput", message, "")
}

// before checks x-amz-access-token: a live LWA access token, or for
// getOrderAddress a live RDT minted for its path. Amazon answers a
// missing, unknown or expired token with 403 Unauthorized.
func (f *Fake) before(r *http.Request) *kit.Response {
	if r.URL.Path == TokenPath || strings.HasPrefix(r.URL.Path, DocumentPath) {
		return nil // LWA itself; a pre-signed document URL is its own authorization
	}
	tok := r.Header.Get("x-amz-access-token")
	denied := func(details string) *kit.Response {
		return fail(http.StatusForbidden, "Unauthorized", "Access to requested resource is denied.", details)
	}
	if tok == "" {
		return denied("The request has no access token.")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clock.Now()
	if operation(r) == OpAddress {
		t, ok := f.rdts[tok]
		switch {
		case !ok:
			return denied("The address is restricted: use a Restricted Data Token.")
		case !now.Before(t.expires):
			return denied("The access token you provided has expired.")
		case !t.paths[r.URL.Path]:
			return denied("The Restricted Data Token does not cover this resource.")
		}
		return nil
	}
	exp, ok := f.tokens[tok]
	switch {
	case !ok:
		return denied("The access token you provided is revoked, malformed or invalid.")
	case !now.Before(exp):
		return denied("The access token you provided has expired.")
	}
	return nil
}

func newToken(prefix string) string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// token is LWA: a form POST with grant_type=refresh_token, the refresh
// token and the app's client id and secret.
func (f *Fake) token(r *http.Request) *kit.Response {
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	lwaErr := func(status int, code, desc string) *kit.Response {
		return kit.JSON(status, map[string]string{"error": code, "error_description": desc})
	}
	if err != nil || form.Get("grant_type") != "refresh_token" {
		return lwaErr(http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported.")
	}
	if !kit.Equal(form.Get("client_id"), ClientID) || !kit.Equal(form.Get("client_secret"), ClientSecret) {
		return lwaErr(http.StatusUnauthorized, "invalid_client", "Client authentication failed")
	}
	if !kit.Equal(form.Get("refresh_token"), RefreshToken) {
		return lwaErr(http.StatusBadRequest, "invalid_grant", "The request has an invalid grant parameter : refresh_token")
	}
	tok := newToken("Atza|")
	f.mu.Lock()
	f.tokens[tok] = f.clock.Now().Add(TokenTTL)
	f.minted++
	f.mu.Unlock()
	return kit.OK(map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": int(TokenTTL / time.Second),
		"refresh_token": RefreshToken})
}

type ordersCursor struct {
	Since int64  `json:"s"`
	After int64  `json:"a"`
	ID    string `json:"i"`
	// The query's filters, which NextToken carries.
	Statuses []string `json:"st,omitempty"`
	Channels []string `json:"fc,omitempty"`
}

// orderStatuses are getOrders' OrderStatuses values.
var orderStatuses = map[string]bool{"PendingAvailability": true, "Pending": true, "Unshipped": true,
	"PartiallyShipped": true, "Shipped": true, "Canceled": true, "Unfulfillable": true, "InvoiceUnconfirmed": true}

// orderFilters reads OrderStatuses and FulfillmentChannels (comma
// separated); Amazon wants Unshipped and PartiallyShipped together.
func orderFilters(q url.Values, cur *ordersCursor) *kit.Response {
	for _, st := range strings.Split(q.Get("OrderStatuses"), ",") {
		if st == "" {
			continue
		}
		if !orderStatuses[st] {
			return invalid("OrderStatuses: " + st + " is not a valid order status")
		}
		cur.Statuses = append(cur.Statuses, st)
	}
	if slices.Contains(cur.Statuses, "Unshipped") != slices.Contains(cur.Statuses, "PartiallyShipped") {
		return invalid("OrderStatuses: Unshipped and PartiallyShipped must be used together")
	}
	for _, fc := range strings.Split(q.Get("FulfillmentChannels"), ",") {
		if fc == "" {
			continue
		}
		if fc != "AFN" && fc != "MFN" {
			return invalid("FulfillmentChannels: " + fc + " is not AFN or MFN")
		}
		cur.Channels = append(cur.Channels, fc)
	}
	return nil
}

// getOrders: MarketplaceIds required; LastUpdatedAfter required unless
// NextToken; MaxResultsPerPage 1–100; OrderStatuses and
// FulfillmentChannels filter; orders by update then id.
func (f *Fake) getOrders(r *http.Request) *kit.Response {
	q := r.URL.Query()
	markets := map[string]bool{}
	for _, m := range strings.Split(q.Get("MarketplaceIds"), ",") {
		if m != "" {
			markets[m] = true
		}
	}
	if len(markets) == 0 {
		return invalid("MarketplaceIds is required")
	}
	if q.Get("CreatedAfter") != "" && q.Get("LastUpdatedAfter") != "" {
		return invalid("CreatedAfter and LastUpdatedAfter cannot both be given")
	}
	size := 100
	if s := q.Get("MaxResultsPerPage"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return invalid("MaxResultsPerPage must be between 1 and 100")
		}
		size = n
	}
	cur := ordersCursor{After: -1 << 62}
	if tok := q.Get("NextToken"); tok != "" {
		if err := kit.DecodeCursor(tok, &cur); err != nil {
			return invalid("Invalid NextToken")
		}
	} else {
		s := q.Get("LastUpdatedAfter")
		if s == "" {
			return invalid("Either CreatedAfter or LastUpdatedAfter is required")
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return invalid("LastUpdatedAfter is not an ISO 8601 date")
		}
		cur.Since = t.UnixNano()
		if resp := orderFilters(q, &cur); resp != nil {
			return resp
		}
	}
	all := f.sorted(func(o *Order) bool {
		u := o.updated.UnixNano()
		if !markets[o.MarketplaceID] || u < cur.Since {
			return false
		}
		if (len(cur.Statuses) > 0 && !slices.Contains(cur.Statuses, o.OrderStatus)) ||
			(len(cur.Channels) > 0 && !slices.Contains(cur.Channels, o.FulfillmentChannel)) {
			return false
		}
		return u > cur.After || (u == cur.After && o.AmazonOrderID > cur.ID)
	})
	page := all[:min(size, len(all))]
	payload := map[string]any{"Orders": page, "LastUpdatedBefore": stamp(f.clock.Now())}
	if len(all) > size {
		last := page[len(page)-1]
		payload["NextToken"] = kit.EncodeCursor(ordersCursor{Since: cur.Since, After: last.updated.UnixNano(), ID: last.AmazonOrderID,
			Statuses: cur.Statuses, Channels: cur.Channels})
	}
	return kit.OK(map[string]any{"payload": payload})
}

func (f *Fake) order(r *http.Request) (*Order, *kit.Response) {
	o, ok := f.orders[r.PathValue("id")]
	if !ok {
		return nil, fail(http.StatusNotFound, "InvalidInput", "Invalid Input", "No order found for "+r.PathValue("id"))
	}
	return o, nil
}

// getOrderItems pages items by NextToken (an offset here).
func (f *Fake) getOrderItems(r *http.Request) *kit.Response {
	o, resp := f.order(r)
	if resp != nil {
		return resp
	}
	start := 0
	if tok := r.URL.Query().Get("NextToken"); tok != "" {
		if err := kit.DecodeCursor(tok, &start); err != nil || start < 0 || start > len(o.Items) {
			return invalid("Invalid NextToken")
		}
	}
	end := min(start+f.itemPage, len(o.Items))
	payload := map[string]any{"AmazonOrderId": o.AmazonOrderID, "OrderItems": o.Items[start:end]}
	if end < len(o.Items) {
		payload["NextToken"] = kit.EncodeCursor(end)
	}
	return kit.OK(map[string]any{"payload": payload})
}

// createRDT mints a Restricted Data Token for the listed resources.
func (f *Fake) createRDT(r *http.Request) *kit.Response {
	var req struct {
		RestrictedResources []struct {
			Method string `json:"method"`
			Path   string `json:"path"`
		} `json:"restrictedResources"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.RestrictedResources) == 0 {
		return invalid("restrictedResources is required")
	}
	t := rdt{expires: f.clock.Now().Add(TokenTTL), paths: map[string]bool{}}
	for _, rr := range req.RestrictedResources {
		if rr.Method != "GET" || !strings.HasPrefix(rr.Path, "/orders/v0/orders/") {
			return invalid("Unsupported restricted resource: " + rr.Method + " " + rr.Path)
		}
		t.paths[rr.Path] = true
	}
	tok := newToken("Atz.sprdt|")
	f.mu.Lock()
	f.rdts[tok] = t
	f.mu.Unlock()
	return kit.OK(map[string]any{"restrictedDataToken": tok, "expiresIn": int(TokenTTL / time.Second)})
}

func (f *Fake) getOrderAddress(r *http.Request) *kit.Response {
	o, resp := f.order(r)
	if resp != nil {
		return resp
	}
	return kit.OK(map[string]any{"payload": map[string]any{"AmazonOrderId": o.AmazonOrderID, "ShippingAddress": o.Address}})
}

// confirmShipment records a package: only Unshipped/PartiallyShipped
// orders, known items, no more than ordered; carrierName with "Other".
func (f *Fake) confirmShipment(r *http.Request) *kit.Response {
	o, resp := f.order(r)
	if resp != nil {
		return resp
	}
	var req struct {
		MarketplaceID string `json:"marketplaceId"`
		PackageDetail struct {
			PackageReferenceID string `json:"packageReferenceId"`
			CarrierCode        string `json:"carrierCode"`
			CarrierName        string `json:"carrierName"`
			TrackingNumber     string `json:"trackingNumber"`
			ShipDate           string `json:"shipDate"`
			OrderItems         []struct {
				OrderItemID string `json:"orderItemId"`
				Quantity    int64  `json:"quantity"`
			} `json:"orderItems"`
		} `json:"packageDetail"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return invalid("Invalid request body")
	}
	pd := req.PackageDetail
	switch {
	case req.MarketplaceID != o.MarketplaceID:
		return invalid("marketplaceId does not match the order")
	case pd.PackageReferenceID == "" || pd.CarrierCode == "" || pd.TrackingNumber == "" || pd.ShipDate == "":
		return invalid("packageReferenceId, carrierCode, trackingNumber and shipDate are required")
	case pd.CarrierCode == "Other" && pd.CarrierName == "":
		return invalid("carrierName is required when carrierCode is Other")
	case o.OrderStatus != "Unshipped" && o.OrderStatus != "PartiallyShipped":
		return invalid("The order is " + o.OrderStatus + "; only Unshipped and PartiallyShipped orders can be confirmed")
	}
	if _, err := time.Parse(time.RFC3339, pd.ShipDate); err != nil {
		return invalid("shipDate is not an ISO 8601 date")
	}
	c := Confirmation{OrderID: o.AmazonOrderID, MarketplaceID: req.MarketplaceID, PackageReferenceID: pd.PackageReferenceID,
		CarrierCode: pd.CarrierCode, CarrierName: pd.CarrierName, TrackingNumber: pd.TrackingNumber, ShipDate: pd.ShipDate,
		Items: map[string]int64{}}
	for _, it := range pd.OrderItems {
		i := f.item(o, it.OrderItemID)
		if i < 0 || it.Quantity <= 0 || o.Items[i].QuantityShipped+it.Quantity > o.Items[i].QuantityOrdered {
			return invalid("orderItemId " + it.OrderItemID + ": unknown, or more than ordered")
		}
		c.Items[it.OrderItemID] += it.Quantity
	}
	for id, n := range c.Items {
		o.Items[f.item(o, id)].QuantityShipped += n
	}
	o.OrderStatus = "Shipped"
	for _, it := range o.Items {
		if it.QuantityShipped < it.QuantityOrdered {
			o.OrderStatus = "PartiallyShipped"
		}
	}
	o.updated = f.clock.Now()
	o.LastUpdateDate = stamp(o.updated)
	f.confirmations = append(f.confirmations, c)
	return &kit.Response{Status: http.StatusNoContent}
}

func (f *Fake) item(o *Order, id string) int {
	for i := range o.Items {
		if o.Items[i].OrderItemID == id {
			return i
		}
	}
	return -1
}

// patchListing applies JSON Patches of fulfillment_availability and
// purchasable_offer and answers ACCEPTED (INVALID with an ERROR issue
// for a SKU set by SetIssue).
func (f *Fake) patchListing(r *http.Request) *kit.Response {
	if r.PathValue("seller") != SellerID {
		return fail(http.StatusForbidden, "Unauthorized", "Access to requested resource is denied.", "Unknown sellerId")
	}
	if r.URL.Query().Get("marketplaceIds") == "" {
		return invalid("marketplaceIds is required")
	}
	sku := r.PathValue("sku")
	var req struct {
		ProductType string  `json:"productType"`
		Patches     []patch `json:"patches"`
	}
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil || req.ProductType == "" || len(req.Patches) == 0 {
		return invalid("productType and patches are required")
	}
	if msg, ok := f.issues[sku]; ok {
		return kit.OK(map[string]any{"sku": sku, "status": "INVALID", "submissionId": newToken(""),
			"issues": []map[string]any{{"code": "90220", "message": msg, "severity": "ERROR"}}})
	}
	if msg := f.apply(sku, req.Patches); msg != "" {
		return invalid(msg)
	}
	return kit.OK(map[string]any{"sku": sku, "status": "ACCEPTED", "submissionId": newToken(""), "issues": []any{}})
}

// patch is one JSON Patch of a listing (patchListingsItem, or a PATCH
// message of the listings feed).
type patch struct {
	Op    string            `json:"op"`
	Path  string            `json:"path"`
	Value []json.RawMessage `json:"value"`
}

// apply validates every patch and then writes them all to sku's listing,
// or none: it returns why a patch is refused ("" when applied).
func (f *Fake) apply(sku string, patches []patch) string {
	next := Listing{}
	if l := f.listings[sku]; l != nil {
		next = *l
	}
	var qty []int64
	var prices []string
	for _, p := range patches {
		if p.Op != "replace" && p.Op != "add" && p.Op != "delete" {
			return "op must be add, replace or delete"
		}
		if len(p.Value) != 1 {
			return p.Path + ": one value is expected"
		}
		switch p.Path {
		case "/attributes/fulfillment_availability":
			var v struct {
				Channel  string      `json:"fulfillment_channel_code"`
				Quantity json.Number `json:"quantity"`
			}
			d := json.NewDecoder(strings.NewReader(string(p.Value[0])))
			d.UseNumber()
			n, err := int64(0), d.Decode(&v)
			if err == nil {
				n, err = v.Quantity.Int64()
			}
			if err != nil || v.Channel != "DEFAULT" || n < 0 {
				return "fulfillment_availability: fulfillment_channel_code DEFAULT and a whole quantity are expected"
			}
			next.Quantity, next.HasQuantity = n, true
			qty = append(qty, n)
		case "/attributes/purchasable_offer":
			price, currency, msg := offerPrice(p.Value[0])
			if msg != "" {
				return "purchasable_offer: " + msg
			}
			next.Price, next.Currency = price, currency
			prices = append(prices, price)
		default:
			return "unsupported patch path " + p.Path
		}
	}
	f.listings[sku] = &next
	f.qtyWrites[sku] = append(f.qtyWrites[sku], qty...)
	f.priceWrites[sku] = append(f.priceWrites[sku], prices...)
	return ""
}

// offerPrice reads purchasable_offer's one our_price schedule value: a
// JSON number (not a string) with no more decimals than the currency has.
func offerPrice(raw json.RawMessage) (price, currency, msg string) {
	var v struct {
		Currency string `json:"currency"`
		OurPrice []struct {
			Schedule []struct {
				Value json.RawMessage `json:"value_with_tax"`
			} `json:"schedule"`
		} `json:"our_price"`
	}
	if err := json.Unmarshal(raw, &v); err != nil || v.Currency == "" || len(v.OurPrice) != 1 || len(v.OurPrice[0].Schedule) != 1 {
		return "", "", "currency and one our_price schedule value are expected"
	}
	value := strings.TrimSpace(string(v.OurPrice[0].Schedule[0].Value))
	var n json.Number
	if value == "" || strings.HasPrefix(value, `"`) || json.Unmarshal([]byte(value), &n) != nil {
		return "", "", "value_with_tax must be a number"
	}
	if _, err := money.Parse(n.String(), v.Currency); err != nil {
		return "", "", "value_with_tax " + n.String() + " is not a valid " + v.Currency + " amount"
	}
	return n.String(), v.Currency, ""
}
