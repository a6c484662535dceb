package shopifyfake

import (
	"fmt"
	"net/http"
	"strconv"
)

// Fulfillment orders and fulfillment-order based fulfillments, the current
// fulfillment API. The legacy order-based one (POST
// orders/{id}/fulfillments.json, what go-shopify's Order.CreateFulfillment
// calls) was deprecated in 2022-04 and removed from later versions; on
// current versions that path is not routed and answers 404 Not Found, as
// callers reported when it was switched off.
// https://shopify.dev/changelog/legacy-fulfillment-api-deprecation
// https://community.shopify.com/t/how-long-can-i-continue-using-api-version-2021-01/177499

// createFulfillmentOrdersLocked gives a new order one open fulfillment order
// per location its lines are assigned to, in line order.
func (s *Shop) createFulfillmentOrdersLocked(o *Order) {
	byLoc := map[uint64]*FulfillmentOrder{}
	for _, l := range o.Lines {
		fo := byLoc[l.LocationID]
		if fo == nil {
			fo = &FulfillmentOrder{
				ID: s.fake.nextID(), OrderID: o.ID, LocationID: l.LocationID, Status: FOOpen,
				CreatedAt: o.CreatedAt, UpdatedAt: o.CreatedAt, deliveryMethodID: s.fake.nextID(),
			}
			byLoc[l.LocationID] = fo
			s.fos[fo.ID] = fo
			s.fosByOrder[o.ID] = append(s.fosByOrder[o.ID], fo.ID)
		}
		fo.Lines = append(fo.Lines, FulfillmentOrderLine{
			ID: s.fake.nextID(), FulfillmentOrderID: fo.ID, LineItemID: l.ID,
			VariantID: l.VariantID, InventoryItemID: l.InventoryItemID,
			Quantity: l.Quantity, FulfillableQuantity: l.Quantity,
		})
	}
}

// FulfillmentOrders returns an order's fulfillment orders.
func (s *Shop) FulfillmentOrders(orderID uint64) []FulfillmentOrder {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []FulfillmentOrder
	for _, id := range s.fosByOrder[orderID] {
		out = append(out, s.fos[id].clone())
	}
	return out
}

// Fulfillments returns an order's fulfillments with their tracking history.
func (s *Shop) Fulfillments(orderID uint64) []Fulfillment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Fulfillment
	for _, id := range s.fulfByOrder[orderID] {
		out = append(out, s.fulfillments[id].clone())
	}
	return out
}

func (s *Shop) httpListFulfillmentOrders(q *apiRequest) *response {
	o, found := s.orders[q.ids[0]]
	if !found {
		return errNotFound()
	}
	out := []wireFulfillmentOrder{}
	for _, id := range s.fosByOrder[o.ID] {
		out = append(out, s.renderFulfillmentOrder(s.fos[id]))
	}
	return respOK(map[string]any{"fulfillment_orders": out})
}

func (s *Shop) httpGetFulfillmentOrder(q *apiRequest) *response {
	fo, found := s.fos[q.ids[0]]
	if !found {
		return errNotFound()
	}
	return respOK(map[string]any{"fulfillment_order": s.renderFulfillmentOrder(fo)})
}

func (s *Shop) httpListOrderFulfillments(q *apiRequest) *response {
	o, found := s.orders[q.ids[0]]
	if !found {
		return errNotFound()
	}
	out := []wireFulfillment{}
	for _, id := range s.fulfByOrder[o.ID] {
		out = append(out, s.renderFulfillment(s.fulfillments[id]))
	}
	return respOK(map[string]any{"fulfillments": selectFieldsAll(out, fieldsOf(q))})
}

func (s *Shop) httpGetOrderFulfillment(q *apiRequest) *response {
	fl, found := s.fulfillments[q.ids[1]]
	if !found || fl.OrderID != q.ids[0] {
		return errNotFound()
	}
	return respOK(map[string]any{"fulfillment": s.renderFulfillment(fl)})
}

type trackingBody struct {
	Company string   `json:"company"`
	Number  string   `json:"number"`
	URL     string   `json:"url"`
	Numbers []string `json:"numbers"`
	URLs    []string `json:"urls"`
}

// tracking validates and converts a tracking_info body. The input type
// behind it says number and numbers (and url and urls) are exclusive
// (https://shopify.dev/docs/api/admin-graphql/latest/input-objects/FulfillmentTrackingInput);
// the fake refuses both so a client that sends both is caught in tests.
func (b *trackingBody) tracking() (Tracking, *response) {
	if b == nil {
		return Tracking{}, nil
	}
	if b.Number != "" && len(b.Numbers) > 0 {
		return Tracking{}, errFieldList(http.StatusUnprocessableEntity, "tracking_info", "number and numbers cannot both be provided")
	}
	if b.URL != "" && len(b.URLs) > 0 {
		return Tracking{}, errFieldList(http.StatusUnprocessableEntity, "tracking_info", "url and urls cannot both be provided")
	}
	t := Tracking{Company: b.Company, Number: b.Number, URL: b.URL, Numbers: b.Numbers, URLs: b.URLs}
	if t.Number == "" && len(t.Numbers) > 0 {
		t.Number = t.Numbers[0]
	}
	if t.URL == "" && len(t.URLs) > 0 {
		t.URL = t.URLs[0]
	}
	if len(t.Numbers) == 0 && t.Number != "" {
		t.Numbers = []string{t.Number}
	}
	if len(t.URLs) == 0 && t.URL != "" {
		t.URLs = []string{t.URL}
	}
	return t, nil
}

type fulfillmentBody struct {
	LineItemsByFO []struct {
		FulfillmentOrderID flexID `json:"fulfillment_order_id"`
		Lines              []struct {
			ID       flexID  `json:"id"`
			Quantity flexInt `json:"quantity"`
		} `json:"fulfillment_order_line_items"`
	} `json:"line_items_by_fulfillment_order"`
	TrackingInfo   *trackingBody `json:"tracking_info"`
	NotifyCustomer bool          `json:"notify_customer"`
}

// Wording of the 422s below follows what Shopify returns for the same
// mistakes where it is known (community.shopify.com/t/362904); the fake's
// promise is the status and the {"errors":[...]} shape, not the text.
const errQuantity = "Invalid fulfillment order line item quantity requested."

// httpCreateFulfillment implements POST fulfillments.json: fulfil lines of
// one or more fulfillment orders of one order at one location. A group
// without fulfillment_order_line_items fulfils everything that remains on
// that fulfillment order. Nothing changes unless the whole request is
// valid, so a blind retry of a fulfillment that went through is a 422.
// https://shopify.dev/docs/api/admin-rest/latest/resources/fulfillment#post-fulfillments
func (s *Shop) httpCreateFulfillment(q *apiRequest) *response {
	var b fulfillmentBody
	if resp := decodeRoot(q.r, "fulfillment", &b); resp != nil {
		return resp
	}
	if len(b.LineItemsByFO) == 0 {
		return errField(http.StatusBadRequest, "line_items_by_fulfillment_order", "Required parameter missing or invalid")
	}
	if _, bad := b.TrackingInfo.tracking(); bad != nil {
		return bad
	}
	plan, order, resp := s.planFulfillment(b)
	if resp != nil {
		return resp
	}
	fl := s.applyFulfillment(order, plan, b)
	return respCreated(map[string]any{"fulfillment": s.renderFulfillment(fl)})
}

// planned is one fulfillment order line and the units to fulfil on it.
type planned struct {
	fo   *FulfillmentOrder
	line int // index in fo.Lines
	qty  int
}

// planFulfillment validates the request and returns what to fulfil.
func (s *Shop) planFulfillment(b fulfillmentBody) ([]planned, *Order, *response) {
	var plan []planned
	index := map[uint64]int{} // fulfillment order line ID → plan index
	var order *Order
	var location uint64
	for _, g := range b.LineItemsByFO {
		if g.FulfillmentOrderID == 0 {
			return nil, nil, errList(http.StatusUnprocessableEntity, "Fulfillment payloads fulfillment order must be greater than 0")
		}
		fo := s.fos[uint64(g.FulfillmentOrderID)]
		if fo == nil {
			return nil, nil, errList(http.StatusUnprocessableEntity, fmt.Sprintf("Fulfillment order %d does not exist.", g.FulfillmentOrderID))
		}
		if order == nil {
			order, location = s.orders[fo.OrderID], fo.LocationID
		}
		switch {
		case fo.OrderID != order.ID:
			return nil, nil, errList(http.StatusUnprocessableEntity, "All fulfillment orders must belong to the same order.")
		case fo.LocationID != location:
			return nil, nil, errList(http.StatusUnprocessableEntity, "All fulfillment orders must be assigned to the same location.")
		case fo.Status == FOClosed:
			return nil, nil, errList(http.StatusUnprocessableEntity, fmt.Sprintf("Fulfillment order %d has an unfulfillable status= %s.", fo.ID, fo.Status))
		}
		add := func(i, qty int) {
			id := fo.Lines[i].ID
			if j, seen := index[id]; seen {
				plan[j].qty += qty
				return
			}
			index[id] = len(plan)
			plan = append(plan, planned{fo: fo, line: i, qty: qty})
		}
		if len(g.Lines) == 0 {
			for i, l := range fo.Lines {
				if l.FulfillableQuantity > 0 {
					add(i, l.FulfillableQuantity)
				}
			}
			continue
		}
		for _, rl := range g.Lines {
			i := lineIndex(fo, uint64(rl.ID))
			if i < 0 {
				return nil, nil, errList(http.StatusUnprocessableEntity, fmt.Sprintf("Fulfillment order line item %d does not belong to fulfillment order %d.", rl.ID, fo.ID))
			}
			if !rl.Quantity.present || rl.Quantity.n < 1 {
				return nil, nil, errList(http.StatusUnprocessableEntity, errQuantity)
			}
			add(i, int(rl.Quantity.n))
		}
	}
	for _, p := range plan {
		if p.qty > p.fo.Lines[p.line].FulfillableQuantity {
			return nil, nil, errList(http.StatusUnprocessableEntity, errQuantity)
		}
	}
	if len(plan) == 0 {
		return nil, nil, errList(http.StatusUnprocessableEntity, "Fulfillment must contain at least one fulfillable line item.")
	}
	return plan, order, nil
}

func lineIndex(fo *FulfillmentOrder, lineID uint64) int {
	for i, l := range fo.Lines {
		if l.ID == lineID {
			return i
		}
	}
	return -1
}

// applyFulfillment records a validated fulfillment and moves the
// fulfillment orders along open → in_progress → closed.
func (s *Shop) applyFulfillment(o *Order, plan []planned, b fulfillmentBody) *Fulfillment {
	now := s.fake.now()
	tr, _ := b.TrackingInfo.tracking() // validated by the caller
	fl := &Fulfillment{
		ID: s.fake.nextID(), OrderID: o.ID, LocationID: plan[0].fo.LocationID,
		Name:   o.Name + "." + strconv.Itoa(len(s.fulfByOrder[o.ID])+1),
		Status: "success", NotifyCustomer: b.NotifyCustomer, Tracking: tr,
		History:   []TrackingUpdate{{At: now, Tracking: tr, NotifyCustomer: b.NotifyCustomer}},
		CreatedAt: now, UpdatedAt: now,
	}
	touched := map[*FulfillmentOrder]bool{}
	for _, p := range plan {
		line := &p.fo.Lines[p.line]
		line.FulfillableQuantity -= p.qty
		touched[p.fo] = true
		fl.Lines = append(fl.Lines, FulfilledLine{
			FulfillmentOrderID: p.fo.ID, FulfillmentOrderLineID: line.ID, LineItemID: line.LineItemID, Quantity: p.qty,
		})
		for i := range o.Lines {
			if o.Lines[i].ID == line.LineItemID {
				o.Lines[i].Fulfilled += p.qty
			}
		}
	}
	for fo := range touched {
		fo.Status, fo.UpdatedAt = FOClosed, now
		for _, l := range fo.Lines {
			if l.FulfillableQuantity > 0 {
				fo.Status = FOInProgress
			}
		}
	}
	o.FulfillmentStatus = orderFulfillmentStatus(o)
	o.UpdatedAt = now
	s.fulfillments[fl.ID] = fl
	s.fulfByOrder[o.ID] = append(s.fulfByOrder[o.ID], fl.ID)
	return fl
}

func orderFulfillmentStatus(o *Order) string {
	total, done := 0, 0
	for _, l := range o.Lines {
		total += l.Quantity
		done += l.Fulfilled
	}
	switch {
	case done == 0:
		return ""
	case done >= total:
		return "fulfilled"
	}
	return "partial"
}

type updateTrackingBody struct {
	TrackingInfo   *trackingBody `json:"tracking_info"`
	NotifyCustomer bool          `json:"notify_customer"`
}

// httpUpdateTracking implements POST fulfillments/{id}/update_tracking.json.
// https://shopify.dev/docs/api/admin-rest/latest/resources/fulfillment#post-fulfillments-fulfillment-id-update-tracking
func (s *Shop) httpUpdateTracking(q *apiRequest) *response {
	fl, found := s.fulfillments[q.ids[0]]
	if !found {
		return errNotFound()
	}
	var b updateTrackingBody
	if resp := decodeRoot(q.r, "fulfillment", &b); resp != nil {
		return resp
	}
	if b.TrackingInfo == nil {
		return errField(http.StatusBadRequest, "tracking_info", "Required parameter missing or invalid")
	}
	tr, bad := b.TrackingInfo.tracking()
	if bad != nil {
		return bad
	}
	now := s.fake.now()
	fl.Tracking = tr
	fl.History = append(fl.History, TrackingUpdate{At: now, Tracking: fl.Tracking, NotifyCustomer: b.NotifyCustomer})
	fl.UpdatedAt = now
	s.orders[fl.OrderID].UpdatedAt = now
	return respOK(map[string]any{"fulfillment": s.renderFulfillment(fl)})
}
