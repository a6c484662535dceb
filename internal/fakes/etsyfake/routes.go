package etsyfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/internal/fakes/kit"
)

const shopPath = "/v3/application/shops/{shop_id}"

func (f *Fake) routes() {
	f.srv.Handle("POST /v3/public/oauth/token", f.token)
	f.handle("GET "+shopPath+"/receipts", f.listReceipts)
	f.handle("GET "+shopPath+"/receipts/{receipt_id}", f.getReceipt)
	f.handle("POST "+shopPath+"/receipts/{receipt_id}/tracking", f.track)
	f.handle("GET "+shopPath+"/listings", f.listListings)
	f.handle("GET /v3/application/listings/{listing_id}/inventory", f.getInventory)
	f.handle("PUT /v3/application/listings/{listing_id}/inventory", f.putInventory)
}

// handle serialises a route and checks the shop.
func (f *Fake) handle(pattern string, h func(r *http.Request) *kit.Response) {
	f.srv.Handle(pattern, func(r *http.Request) *kit.Response {
		if s := r.PathValue("shop_id"); s != "" && s != ShopID {
			return fail(http.StatusNotFound, "Shop not found")
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		return h(r)
	})
}

func fail(status int, message string) *kit.Response {
	return kit.JSON(status, Errors(status, "", message))
}

// before refuses a call whose x-api-key is not keystring:shared_secret:
// Etsy answers 403 (the shared secret is required since 2026-02-09).
func (f *Fake) before(r *http.Request) *kit.Response {
	key, secret, _ := strings.Cut(r.Header.Get("x-api-key"), ":")
	switch {
	case !kit.Equal(key, Keystring):
		return fail(http.StatusForbidden, "Invalid API key")
	case secret == "":
		return fail(http.StatusForbidden, "Shared secret is required in x-api-key header.")
	case !kit.Equal(secret, SharedSecret):
		return fail(http.StatusForbidden, "Invalid API key")
	}
	return nil
}

// auth: the token route needs only the key (checked before); every
// other route a live bearer token.
func (f *Fake) auth(r *http.Request, _ []byte) (string, bool) {
	if r.URL.Path == "/v3/public/oauth/token" {
		return Keystring, true
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	defer f.mu.Unlock()
	exp, live := f.access[tok]
	return ShopID, ok && tok != "" && live && f.clock.Now().Before(exp)
}

// token is the refresh_token grant: a live refresh token buys an access
// token and a new refresh token; the old one is dead from then on.
func (f *Fake) token(r *http.Request) *kit.Response {
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	oauth := func(code, desc string) *kit.Response {
		return kit.JSON(http.StatusBadRequest, map[string]any{"error": code, "error_description": desc})
	}
	if err != nil || form.Get("grant_type") != "refresh_token" {
		return oauth("unsupported_grant_type", "grant_type must be refresh_token")
	}
	if form.Get("client_id") != Keystring {
		return oauth("invalid_client", "client_id is not the app's keystring")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !kit.Equal(form.Get("refresh_token"), f.refresh) {
		return oauth("invalid_grant", "Invalid refresh token")
	}
	tok := ShopID + "." + randHex(16)
	f.access[tok] = f.clock.Now().Add(TokenTTL)
	f.refresh = ShopID + "." + randHex(16)
	f.refreshes++
	return kit.OK(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int(TokenTTL.Seconds()),
		"refresh_token": f.refresh})
}

// listReceipts answers GET …/receipts: min_last_modified (epoch s),
// sort_on (created, updated, receipt_id; default created), sort_order
// (asc, desc; default desc), limit (1..100, default 25), offset.
func (f *Fake) listReceipts(r *http.Request) *kit.Response {
	q := r.URL.Query()
	offset, limit, err := kit.Offset(q, "offset", "limit", 25, 100)
	if err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	if n, _ := strconv.Atoi(q.Get("limit")); q.Get("limit") != "" && n > 100 {
		return fail(http.StatusBadRequest, "Expected int <= 100 for 'limit'")
	}
	var since int64
	if s := q.Get("min_last_modified"); s != "" {
		if since, err = strconv.ParseInt(s, 10, 64); err != nil {
			return fail(http.StatusBadRequest, "Expected int for 'min_last_modified'")
		}
	}
	sortOn, sortOrder := q.Get("sort_on"), q.Get("sort_order")
	if sortOn != "" && sortOn != "created" && sortOn != "updated" && sortOn != "receipt_id" {
		return fail(http.StatusBadRequest, "sort_on must be one of created, updated, receipt_id")
	}
	all := f.sorted(sortOn == "updated", sortOrder != "asc" && sortOrder != "ascending",
		func(rc *Receipt) bool { return rc.UpdateTimestamp >= since })
	return kit.OK(map[string]any{"count": len(all), "results": kit.Window(all, offset, limit)})
}

func (f *Fake) receipt(r *http.Request) (*Receipt, *kit.Response) {
	id, err := strconv.ParseInt(r.PathValue("receipt_id"), 10, 64)
	if err != nil {
		return nil, fail(http.StatusBadRequest, "Expected int for 'receipt_id'")
	}
	rc, ok := f.receipts[id]
	if !ok {
		return nil, fail(http.StatusNotFound, "Receipt not found")
	}
	return rc, nil
}

func (f *Fake) getReceipt(r *http.Request) *kit.Response {
	rc, bad := f.receipt(r)
	if bad != nil {
		return bad
	}
	return kit.OK(rc)
}

// track records a tracking code (form: tracking_code, carrier_name,
// send_bcc, note_to_buyer) and marks the receipt shipped; a canceled
// receipt is refused.
func (f *Fake) track(r *http.Request) *kit.Response {
	rc, bad := f.receipt(r)
	if bad != nil {
		return bad
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return fail(http.StatusBadRequest, "Expected application/x-www-form-urlencoded")
	}
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return fail(http.StatusBadRequest, "invalid form")
	}
	code, carrier := form.Get("tracking_code"), form.Get("carrier_name")
	if (code == "") != (carrier == "") {
		return fail(http.StatusBadRequest, "tracking_code and carrier_name go together")
	}
	if strings.EqualFold(rc.Status, "canceled") {
		return fail(http.StatusBadRequest, "Cannot ship a canceled receipt")
	}
	f.tracking++
	if code != "" {
		rc.Shipments = append(rc.Shipments, Shipment{ReceiptShippingID: rc.ReceiptID*100 + int64(len(rc.Shipments)) + 1,
			CarrierName: carrier, TrackingCode: code, NotificationTime: f.now()})
	}
	rc.IsShipped, rc.Status = true, "Completed"
	rc.UpdateTimestamp, rc.UpdatedTimestamp = f.now(), f.now()
	return kit.OK(rc)
}

// listListings answers the shop's listings with their skus.
func (f *Fake) listListings(r *http.Request) *kit.Response {
	offset, limit, err := kit.Offset(r.URL.Query(), "offset", "limit", 25, 100)
	if err != nil {
		return fail(http.StatusBadRequest, err.Error())
	}
	type listing struct {
		ListingID int64    `json:"listing_id"`
		ShopID    int64    `json:"shop_id"`
		State     string   `json:"state"`
		SKUs      []string `json:"skus"`
	}
	var all []listing
	for id, inv := range f.listings {
		l := listing{ListingID: id, State: "active", SKUs: []string{}}
		l.ShopID, _ = strconv.ParseInt(ShopID, 10, 64)
		for _, p := range inv.Products {
			if !p.IsDeleted && p.SKU != "" {
				l.SKUs = append(l.SKUs, p.SKU)
			}
		}
		all = append(all, l)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ListingID < all[j].ListingID })
	return kit.OK(map[string]any{"count": len(all), "results": kit.Window(all, offset, limit)})
}

func (f *Fake) inventory(r *http.Request) (int64, *Inventory, *kit.Response) {
	id, err := strconv.ParseInt(r.PathValue("listing_id"), 10, 64)
	if err != nil {
		return 0, nil, fail(http.StatusBadRequest, "Expected int for 'listing_id'")
	}
	inv, ok := f.listings[id]
	if !ok {
		return 0, nil, fail(http.StatusNotFound, "Listing not found")
	}
	return id, inv, nil
}

func (f *Fake) getInventory(r *http.Request) *kit.Response {
	id, inv, bad := f.inventory(r)
	if bad != nil {
		return bad
	}
	return f.getInventoryLocked(id, inv)
}

type putProduct struct {
	SKU            string          `json:"sku"`
	PropertyValues []PropertyValue `json:"property_values"`
	Offerings      []struct {
		Price     json.Number `json:"price"`
		Quantity  json.Number `json:"quantity"`
		IsEnabled *bool       `json:"is_enabled"`
	} `json:"offerings"`
}

// putInventory replaces the listing's products. Every product the
// listing has (by its property values) must be in the body: a body that
// leaves one out would delete that variation on Etsy, which the fake
// refuses so a connector that does it fails its tests. Prices are
// decimal numbers of at most 2 places, quantities whole numbers.
func (f *Fake) putInventory(r *http.Request) *kit.Response {
	id, inv, bad := f.inventory(r)
	if bad != nil {
		return bad
	}
	body, _ := io.ReadAll(r.Body)
	var b struct {
		Products           []putProduct `json:"products"`
		PriceOnProperty    []int64      `json:"price_on_property"`
		QuantityOnProperty []int64      `json:"quantity_on_property"`
		SKUOnProperty      []int64      `json:"sku_on_property"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&b); err != nil {
		return fail(http.StatusBadRequest, "Invalid inventory: "+err.Error())
	}
	key := func(pv []PropertyValue) string {
		var parts []string
		for _, v := range pv {
			parts = append(parts, fmt.Sprint(v.PropertyID, v.ValueIDs))
		}
		return strings.Join(parts, ";")
	}
	sent := map[string]bool{}
	for _, p := range b.Products {
		sent[key(p.PropertyValues)] = true
	}
	for _, p := range inv.Products {
		if !p.IsDeleted && !sent[key(p.PropertyValues)] {
			return fail(http.StatusBadRequest, fmt.Sprintf("products would drop variation %q (sku %s): refused by the fake", key(p.PropertyValues), p.SKU))
		}
	}
	var next []Product
	var writes []Write
	for i, p := range b.Products {
		if len(p.Offerings) != 1 {
			return fail(http.StatusBadRequest, fmt.Sprintf("products[%d]: exactly one offering is expected", i))
		}
		o := p.Offerings[0]
		cents := cents(o.Price)
		qty, err := strconv.ParseInt(o.Quantity.String(), 10, 64)
		switch {
		case cents <= 0:
			return fail(http.StatusBadRequest, fmt.Sprintf("products[%d].offerings[0].price %q must be a positive decimal with at most 2 places", i, o.Price))
		case err != nil || qty < 0:
			return fail(http.StatusBadRequest, fmt.Sprintf("products[%d].offerings[0].quantity must be a whole number >= 0", i))
		case o.IsEnabled == nil:
			return fail(http.StatusBadRequest, fmt.Sprintf("products[%d].offerings[0].is_enabled is required", i))
		}
		np := Product{ProductID: id*10 + int64(i), SKU: p.SKU, PropertyValues: p.PropertyValues,
			Offerings: []Offering{{OfferingID: id*100 + int64(i) + int64(len(f.writes))*1000, Quantity: qty, IsEnabled: *o.IsEnabled, Price: USD(cents)}}}
		next = append(next, np)
		writes = append(writes, Write{ListingID: id, SKU: p.SKU, Quantity: qty, Cents: cents})
	}
	inv.Products, inv.PriceOnProperty, inv.QuantityOnProperty, inv.SKUOnProperty = next, b.PriceOnProperty, b.QuantityOnProperty, b.SKUOnProperty
	f.writes = append(f.writes, writes...)
	return f.getInventoryLocked(id, inv)
}

func (f *Fake) getInventoryLocked(id int64, inv *Inventory) *kit.Response {
	return kit.OK(map[string]any{"listing_id": id, "products": inv.Products, "price_on_property": inv.PriceOnProperty,
		"quantity_on_property": inv.QuantityOnProperty, "sku_on_property": inv.SKUOnProperty})
}

// cents reads a decimal dollar amount; -1 when it is not one.
func cents(n json.Number) int64 {
	s := n.String()
	whole, frac, _ := strings.Cut(s, ".")
	if len(frac) > 2 || whole == "" || strings.ContainsAny(s, "eE-+") {
		return -1
	}
	for len(frac) < 2 {
		frac += "0"
	}
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return -1
	}
	return v
}
