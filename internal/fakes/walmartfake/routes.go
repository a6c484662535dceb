package walmartfake

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/internal/fakes/kit"
)

func (f *Fake) routes() {
	f.srv.Handle("POST /v3/token", f.token)
	f.handle("GET /v3/orders", f.listOrders)
	f.handle("GET /v3/orders/released", f.listReleased)
	f.handle("GET /v3/orders/{po}", f.getOrder)
	f.handle("POST /v3/orders/{po}/acknowledge", f.acknowledge)
	f.handle("POST /v3/orders/{po}/shipping", f.ship)
	f.handle("PUT /v3/inventory", f.setInventory)
	f.handle("PUT /v3/price", f.setPrice)
}

func (f *Fake) handle(pattern string, h func(r *http.Request) *kit.Response) {
	f.srv.Handle(pattern, func(r *http.Request) *kit.Response {
		f.mu.Lock()
		defer f.mu.Unlock()
		return h(r)
	})
}

func (f *Fake) fail(status int, message string) *kit.Response {
	return kit.JSON(status, Errors(status, "", message))
}

// before refuses a call without WM_SVC.NAME or WM_QOS.CORRELATION_ID
// (Walmart answers 400), and counts correlation ids.
func (f *Fake) before(r *http.Request) *kit.Response {
	svc, corr := r.Header.Get("WM_SVC.NAME"), r.Header.Get("WM_QOS.CORRELATION_ID")
	if svc == "" || corr == "" {
		return f.fail(http.StatusBadRequest, "WM_SVC.NAME and WM_QOS.CORRELATION_ID headers are required")
	}
	f.mu.Lock()
	f.correlations[corr]++
	f.mu.Unlock()
	return nil
}

// auth: the token route takes Basic client_id:client_secret; every other
// route a live WM_SEC.ACCESS_TOKEN.
func (f *Fake) auth(r *http.Request, _ []byte) (string, bool) {
	if r.URL.Path == "/v3/token" {
		u, p, ok := r.BasicAuth()
		return u, ok && kit.Equal(u, ClientID) && kit.Equal(p, ClientSecret)
	}
	tok := r.Header.Get("WM_SEC.ACCESS_TOKEN")
	f.mu.Lock()
	defer f.mu.Unlock()
	exp, ok := f.tokens[tok]
	return ClientID, ok && tok != "" && f.clock.Now().Before(exp)
}

func (f *Fake) token(r *http.Request) *kit.Response {
	body, _ := io.ReadAll(r.Body)
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("grant_type") != "client_credentials" {
		return f.fail(http.StatusBadRequest, "grant_type must be client_credentials")
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	tok := "wm-" + hex.EncodeToString(b[:])
	f.mu.Lock()
	f.tokens[tok] = f.clock.Now().Add(TokenTTL)
	f.mu.Unlock()
	return kit.OK(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int(TokenTTL / time.Second)})
}

type listCursor struct {
	Since int64  `json:"s"`
	After int64  `json:"m"`
	PO    string `json:"p"`
}

// listOrders answers GET /v3/orders: orders modified at or after
// lastModifiedStartDate, by modification then id, `limit` a page (max
// 200), meta.nextCursor a query string to append; none is a 404.
func (f *Fake) listOrders(r *http.Request) *kit.Response {
	return f.list(r, func(*Order) bool { return true })
}

// listReleased answers GET /v3/orders/released: orders with a Created line.
func (f *Fake) listReleased(r *http.Request) *kit.Response {
	return f.list(r, func(o *Order) bool {
		for _, l := range o.OrderLines.OrderLine {
			for _, s := range l.OrderLineStatuses.OrderLineStatus {
				if s.Status == "Created" {
					return true
				}
			}
		}
		return false
	})
}

func (f *Fake) list(r *http.Request, keep func(*Order) bool) *kit.Response {
	q := r.URL.Query()
	limit := 100
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			return f.fail(http.StatusBadRequest, "limit must be between 1 and 200")
		}
		limit = n
	}
	var cur listCursor
	cur.After = -1
	if c := q.Get("cursor"); c != "" {
		if err := kit.DecodeCursor(c, &cur); err != nil {
			return f.fail(http.StatusBadRequest, "invalid cursor")
		}
	} else if s := q.Get("lastModifiedStartDate"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return f.fail(http.StatusBadRequest, "lastModifiedStartDate is not an ISO 8601 date")
		}
		cur.Since = t.UnixMilli()
	}
	all := f.sorted(func(o *Order) bool {
		m := o.modified()
		if !keep(o) || m < cur.Since {
			return false
		}
		return m > cur.After || (m == cur.After && o.PurchaseOrderID > cur.PO)
	})
	if len(all) == 0 {
		return f.fail(http.StatusNotFound, "No orders found for the given search criteria")
	}
	page := all[:min(limit, len(all))]
	meta := map[string]any{"totalCount": len(all), "limit": limit}
	if len(all) > limit {
		last := page[len(page)-1]
		next := listCursor{Since: cur.Since, After: last.modified(), PO: last.PurchaseOrderID}
		meta["nextCursor"] = "?limit=" + strconv.Itoa(limit) + "&hasMoreElements=true&cursor=" + url.QueryEscape(kit.EncodeCursor(next))
	}
	return kit.OK(map[string]any{"list": map[string]any{"meta": meta, "elements": map[string]any{"order": page}}})
}

func (f *Fake) getOrder(r *http.Request) *kit.Response {
	o, ok := f.orders[r.PathValue("po")]
	if !ok {
		return f.fail(http.StatusNotFound, "purchase order not found")
	}
	return kit.OK(map[string]any{"order": o})
}

// acknowledge moves Created lines to Acknowledged; acknowledging again
// answers the order unchanged.
func (f *Fake) acknowledge(r *http.Request) *kit.Response {
	o, ok := f.orders[r.PathValue("po")]
	if !ok {
		return f.fail(http.StatusNotFound, "purchase order not found")
	}
	f.acks[o.PurchaseOrderID]++
	for i := range o.OrderLines.OrderLine {
		for j := range o.OrderLines.OrderLine[i].OrderLineStatuses.OrderLineStatus {
			if s := &o.OrderLines.OrderLine[i].OrderLineStatuses.OrderLineStatus[j]; s.Status == "Created" {
				s.Status = "Acknowledged"
			}
		}
	}
	return kit.OK(map[string]any{"order": o})
}

type shipBody struct {
	OrderShipment struct {
		OrderLines struct {
			OrderLine []struct {
				LineNumber        string `json:"lineNumber"`
				OrderLineStatuses struct {
					OrderLineStatus []LineStatus `json:"orderLineStatus"`
				} `json:"orderLineStatuses"`
			} `json:"orderLine"`
		} `json:"orderLines"`
	} `json:"orderShipment"`
}

// ship records a shipping update: each line must exist, not be
// cancelled, and not ship more than ordered; each status needs Shipped,
// a string quantity, a carrier (or otherCarrier), a methodCode and a
// tracking number.
func (f *Fake) ship(r *http.Request) *kit.Response {
	o, ok := f.orders[r.PathValue("po")]
	if !ok {
		return f.fail(http.StatusNotFound, "purchase order not found")
	}
	var b shipBody
	if err := strictDecode(r, &b); err != nil {
		return f.fail(http.StatusBadRequest, "invalid shipping update: "+err.Error())
	}
	sh := Shipment{PurchaseOrderID: o.PurchaseOrderID}
	shipped := map[string]int64{}
	for _, ol := range b.OrderShipment.OrderLines.OrderLine {
		line := findLine(o, ol.LineNumber)
		if line == nil {
			return f.fail(http.StatusBadRequest, fmt.Sprintf("lineNumber %q is not a line of the order", ol.LineNumber))
		}
		for _, st := range ol.OrderLineStatuses.OrderLineStatus {
			n, err := strconv.ParseInt(st.StatusQuantity.Amount, 10, 64)
			t := st.TrackingInfo
			switch {
			case st.Status != "Shipped":
				return f.fail(http.StatusBadRequest, "status must be Shipped")
			case err != nil || n <= 0:
				return f.fail(http.StatusBadRequest, "statusQuantity.amount must be a positive whole number in a string")
			case t == nil || t.TrackingNumber == "" || t.MethodCode == "" || (t.CarrierName.Carrier == "" && t.CarrierName.OtherCarrier == ""):
				return f.fail(http.StatusBadRequest, "trackingInfo needs carrierName, methodCode and trackingNumber")
			}
			shipped[ol.LineNumber] += n
			sh.Lines = append(sh.Lines, ShippedLine{LineNumber: ol.LineNumber, Qty: n, Tracking: *t})
		}
	}
	for ln, n := range shipped {
		line := findLine(o, ln)
		ordered, _ := strconv.ParseInt(line.OrderLineQuantity.Amount, 10, 64)
		var done int64
		for _, s := range line.OrderLineStatuses.OrderLineStatus {
			q, _ := strconv.ParseInt(s.StatusQuantity.Amount, 10, 64)
			switch s.Status {
			case "Cancelled":
				return f.fail(http.StatusBadRequest, fmt.Sprintf("line %s is cancelled", ln))
			case "Shipped":
				done += q
			}
		}
		if done+n > ordered {
			return f.fail(http.StatusBadRequest, fmt.Sprintf("line %s: shipping %d more of %d ordered, %d shipped", ln, n, ordered, done))
		}
	}
	for _, sl := range sh.Lines {
		line := findLine(o, sl.LineNumber)
		tr := sl.Tracking
		line.OrderLineStatuses.OrderLineStatus = append(line.OrderLineStatuses.OrderLineStatus,
			LineStatus{Status: "Shipped", StatusQuantity: Qty{Unit: "EACH", Amount: strconv.FormatInt(sl.Qty, 10)}, TrackingInfo: &tr})
		line.StatusDate = f.nowMs()
	}
	f.shipments = append(f.shipments, sh)
	return kit.OK(map[string]any{"order": o})
}

func findLine(o *Order, n string) *Line {
	for i := range o.OrderLines.OrderLine {
		if o.OrderLines.OrderLine[i].LineNumber == n {
			return &o.OrderLines.OrderLine[i]
		}
	}
	return nil
}

func strictDecode(r *http.Request, v any) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return dec.Decode(v)
}

// setInventory: PUT /v3/inventory?sku=, body {"sku", "quantity": {"unit":
// "EACH", "amount": integer}}; the query and body SKUs must agree.
func (f *Fake) setInventory(r *http.Request) *kit.Response {
	var b struct {
		SKU      string `json:"sku"`
		Quantity struct {
			Unit   string      `json:"unit"`
			Amount json.Number `json:"amount"`
		} `json:"quantity"`
	}
	if err := strictDecode(r, &b); err != nil {
		return f.fail(http.StatusBadRequest, "invalid inventory: "+err.Error())
	}
	sku := r.URL.Query().Get("sku")
	n, err := strconv.ParseInt(b.Quantity.Amount.String(), 10, 64)
	switch {
	case sku == "" || sku != b.SKU:
		return f.fail(http.StatusBadRequest, "sku query parameter and body sku must match")
	case b.Quantity.Unit != "EACH" || err != nil || n < 0:
		return f.fail(http.StatusBadRequest, "quantity must be {unit: EACH, amount: a whole number >= 0}")
	}
	w := InventoryWrite{SKU: sku, Quantity: n, ShipNode: r.URL.Query().Get("shipNode")}
	f.inventory[sku] = n
	f.invWrites = append(f.invWrites, w)
	return kit.OK(map[string]any{"sku": sku, "quantity": map[string]any{"unit": "EACH", "amount": n}})
}

// setPrice: PUT /v3/price, body {"sku", "pricing": [{"currentPriceType":
// "BASE", "currentPrice": {"currency", "amount"}}]}.
func (f *Fake) setPrice(r *http.Request) *kit.Response {
	var b struct {
		SKU     string `json:"sku"`
		Pricing []struct {
			CurrentPriceType string `json:"currentPriceType"`
			CurrentPrice     Amount `json:"currentPrice"`
		} `json:"pricing"`
	}
	if err := strictDecode(r, &b); err != nil {
		return f.fail(http.StatusBadRequest, "invalid price: "+err.Error())
	}
	if b.SKU == "" || len(b.Pricing) != 1 || b.Pricing[0].CurrentPriceType != "BASE" || b.Pricing[0].CurrentPrice.Currency != "USD" ||
		Cents(b.Pricing[0].CurrentPrice.Amount) < 0 {
		return f.fail(http.StatusBadRequest, "pricing must be one BASE price in USD with a decimal amount of at most 2 places")
	}
	w := PriceWrite{SKU: b.SKU, Currency: "USD", Amount: b.Pricing[0].CurrentPrice.Amount}
	f.prices[b.SKU] = w
	f.priceWrites = append(f.priceWrites, w)
	return kit.OK(map[string]any{"ItemPriceResponse": map[string]any{"mart": "WALMART_US", "sku": b.SKU, "message": "Thank you. Your price has been updated."}})
}

// Cents reads a decimal dollar amount as cents; -1 when it is not one
// (a negative, an exponent, more than two decimals).
func Cents(n json.Number) int64 {
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
