package amazon

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

// Topics of DecodeEvent. Amazon has no HTTP push (notifications go to
// SQS, not supported); the poll decodes what it assembles, and `dropgate
// trigger` and the tests use both.
const (
	// TopicOrder is the poll's document of one order: {"Order": a
	// getOrders order, "OrderItems": its getOrderItems items,
	// "ShippingAddress": getOrderAddress's address (read with a
	// Restricted Data Token), when there is one}.
	TopicOrder = "order"
	// TopicOrders is a getOrders answer: {"payload": {"Orders": […],
	// "NextToken"}}; its orders decode without lines (items come from
	// getOrderItems).
	TopicOrders = "getOrders"
)

// aMoney is SP-API's Money: the Amount is a decimal string.
type aMoney struct {
	CurrencyCode string `json:"CurrencyCode"`
	Amount       string `json:"Amount"`
}

type aAddress struct {
	Name          string `json:"Name"`
	CompanyName   string `json:"CompanyName"`
	AddressLine1  string `json:"AddressLine1"`
	AddressLine2  string `json:"AddressLine2"`
	AddressLine3  string `json:"AddressLine3"`
	City          string `json:"City"`
	StateOrRegion string `json:"StateOrRegion"`
	PostalCode    string `json:"PostalCode"`
	CountryCode   string `json:"CountryCode"`
	Phone         string `json:"Phone"`
}

type aOrder struct {
	AmazonOrderID                string    `json:"AmazonOrderId"`
	PurchaseDate                 string    `json:"PurchaseDate"`
	LastUpdateDate               string    `json:"LastUpdateDate"`
	OrderStatus                  string    `json:"OrderStatus"`
	FulfillmentChannel           string    `json:"FulfillmentChannel"`
	MarketplaceID                string    `json:"MarketplaceId"`
	ShipmentServiceLevelCategory string    `json:"ShipmentServiceLevelCategory"`
	LatestShipDate               string    `json:"LatestShipDate"`
	OrderTotal                   *aMoney   `json:"OrderTotal"`
	ShippingAddress              *aAddress `json:"ShippingAddress"`
	BuyerInfo                    struct {
		BuyerEmail string `json:"BuyerEmail"`
		BuyerName  string `json:"BuyerName"`
	} `json:"BuyerInfo"`
}

type aItem struct {
	OrderItemID          string      `json:"OrderItemId"`
	SellerSKU            string      `json:"SellerSKU"`
	ASIN                 string      `json:"ASIN"`
	Title                string      `json:"Title"`
	QuantityOrdered      json.Number `json:"QuantityOrdered"`
	QuantityShipped      json.Number `json:"QuantityShipped"`
	ItemPrice            *aMoney     `json:"ItemPrice"`
	ShippingPrice        *aMoney     `json:"ShippingPrice"`
	ItemTax              *aMoney     `json:"ItemTax"`
	ShippingTax          *aMoney     `json:"ShippingTax"`
	PromotionDiscount    *aMoney     `json:"PromotionDiscount"`
	ShippingDiscount     *aMoney     `json:"ShippingDiscount"`
	BuyerRequestedCancel *struct {
		// IsBuyerRequestedCancel is the string "true" in Orders v0.
		IsBuyerRequestedCancel any    `json:"IsBuyerRequestedCancel"`
		BuyerCancelReason      string `json:"BuyerCancelReason"`
	} `json:"BuyerRequestedCancel"`
}

// orderDoc is TopicOrder.
type orderDoc struct {
	Order           *aOrder   `json:"Order"`
	OrderItems      []aItem   `json:"OrderItems"`
	ShippingAddress *aAddress `json:"ShippingAddress,omitempty"`
	// taken: listed at the version already taken in, so not read again.
	taken bool
	// whole: read as far as dropgate needs (a poll cut short by the
	// rate limiter returns only these).
	whole bool
}

type ordersPage struct {
	Payload *struct {
		Orders            []json.RawMessage `json:"Orders"`
		NextToken         string            `json:"NextToken"`
		LastUpdatedBefore string            `json:"LastUpdatedBefore"`
	} `json:"payload"`
}

// DecodeEvent maps TopicOrder (one event) or TopicOrders (one per
// order); other topics are ignored.
func (c *Connector) DecodeEvent(_ context.Context, topic string, body []byte) ([]connector.ChannelEvent, error) {
	switch topic {
	case TopicOrder:
		var d orderDoc
		if err := jsonpos.Decode(body, &d); err != nil {
			return nil, fault.Permanent(fmt.Errorf("amazon: order document: %w", err))
		}
		if d.Order == nil {
			return nil, fault.Permanentf("amazon: order document: $.Order is missing")
		}
		ev, err := c.toEvent(&d, "$")
		if err != nil {
			return nil, err
		}
		return []connector.ChannelEvent{ev}, nil
	case TopicOrders:
		var p ordersPage
		if err := jsonpos.Decode(body, &p); err != nil {
			return nil, fault.Permanent(fmt.Errorf("amazon: getOrders answer: %w", err))
		}
		if p.Payload == nil {
			return nil, fault.Permanentf("amazon: getOrders answer: $.payload is missing")
		}
		var evs []connector.ChannelEvent
		for i, raw := range p.Payload.Orders {
			var o aOrder
			path := fmt.Sprintf("$.payload.Orders[%d]", i)
			if err := jsonpos.Decode(raw, &o); err != nil {
				return nil, fault.Permanent(fmt.Errorf("amazon: order at %s: %w", path, err))
			}
			ev, err := c.toEvent(&orderDoc{Order: &o}, path)
			if err != nil {
				return nil, err
			}
			evs = append(evs, ev)
		}
		return evs, nil
	}
	return []connector.ChannelEvent{{Kind: connector.EventIgnored}}, nil
}

// routable reports whether Amazon waits for the seller to ship the order.
func routable(status string) bool { return status == "Unshipped" || status == "PartiallyShipped" }

// paymentPending reports statuses where the buyer's payment is not
// authorised yet: the order must wait, not be routed.
func paymentPending(status string) bool {
	return status == "Pending" || status == "PendingAvailability"
}

// toEvent maps an order document: MFN orders only (Amazon ships the
// others); Canceled, or every item cancelled at the buyer's request, is
// a cancellation; Shipped and the other statuses dropgate does not act on
// are ignored.
func (c *Connector) toEvent(d *orderDoc, path string) (connector.ChannelEvent, error) {
	ao := d.Order
	id := ao.AmazonOrderID
	if id == "" {
		return connector.ChannelEvent{}, fault.Permanentf("amazon: order at %s: AmazonOrderId is missing", path)
	}
	if ao.FulfillmentChannel != "" && ao.FulfillmentChannel != "MFN" {
		return connector.ChannelEvent{Kind: connector.EventIgnored, ChannelOrderID: id}, nil
	}
	st := ao.OrderStatus
	if !routable(st) && !paymentPending(st) && st != "Canceled" {
		return connector.ChannelEvent{Kind: connector.EventIgnored, ChannelOrderID: id}, nil
	}
	o, at, err := toOrder(c.env.Name, d, path)
	if err != nil {
		return connector.ChannelEvent{}, fault.Permanent(fmt.Errorf("amazon: order %s: %w", id, err))
	}
	return connector.OrderEvent(o, at), nil
}

// marketplaceCurrency is the currency of an order without money fields
// (a Pending order has neither OrderTotal nor items yet).
var marketplaceCurrency = map[string]string{
	"ATVPDKIKX0DER": "USD", "A2EUQ1WTGCTBG2": "CAD", "A1AM78C64UM0Y8": "MXN", "A2Q3Y263D00KWC": "BRL",
	"A1F83G8C2ARO7P": "GBP", "A1PA6795UKMFR9": "EUR", "A13V1IB3VIYZZH": "EUR", "APJ6JRA9NG5V4": "EUR",
	"A1RKKUPIHCS9HS": "EUR", "A1805IZSGTT6HS": "EUR", "A2NODRKZP88ZB9": "SEK", "A1C3SOZRARQ6R3": "PLN",
	"A33AVAJ2PDY3EV": "TRY", "A21TJRUUN4KGV": "INR", "A1VC38T7YXB528": "JPY", "A39IBJ37TRP1C6": "AUD",
	"A19VAU5U5O7RUS": "SGD", "A2VIGQ35RCS4UG": "AED", "A17E79C6D8DWNP": "SAR",
}

// marketplaceTag prefixes the order's tag naming its marketplace, which
// the shipment confirmation must repeat.
const marketplaceTag = "amazon-marketplace:"

func parseTime(path, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %q is not an ISO 8601 date", path, s)
	}
	return t.UTC(), nil
}

func toAddress(a *aAddress) *model.Address {
	if a == nil {
		return nil
	}
	line2 := strings.TrimSpace(strings.Join([]string{a.AddressLine2, a.AddressLine3}, " "))
	return &model.Address{Name: a.Name, Company: a.CompanyName, Line1: a.AddressLine1, Line2: line2, City: a.City,
		Region: a.StateOrRegion, PostalCode: a.PostalCode, Country: strings.ToUpper(a.CountryCode), Phone: a.Phone}
}

// toOrder maps a document to the canonical order and the instant it last
// changed (LastUpdateDate); errors name the JSON path.
func toOrder(channel string, d *orderDoc, path string) (*model.Order, time.Time, error) {
	ao := d.Order
	placed, err := parseTime(path+".Order.PurchaseDate", ao.PurchaseDate)
	if err != nil {
		return nil, time.Time{}, err
	}
	if placed.IsZero() {
		return nil, time.Time{}, fmt.Errorf("%s.Order.PurchaseDate is missing", path)
	}
	at, err := parseTime(path+".Order.LastUpdateDate", ao.LastUpdateDate)
	if err != nil {
		return nil, time.Time{}, err
	}
	if at.IsZero() {
		at = placed
	}
	o := &model.Order{
		ID: model.OrderID(channel, ao.AmazonOrderID), Channel: channel, ChannelOrderID: ao.AmazonOrderID,
		ChannelOrderNumber: ao.AmazonOrderID, PlacedAt: placed, Status: model.OrderReceived, PaymentStatus: model.PaymentPaid,
		Customer:        model.Customer{Name: ao.BuyerInfo.BuyerName, Email: ao.BuyerInfo.BuyerEmail},
		ShippingAddress: toAddress(ao.ShippingAddress), ShippingMethod: ao.ShipmentServiceLevelCategory,
	}
	if ao.MarketplaceID != "" {
		o.Tags = []string{marketplaceTag + ao.MarketplaceID}
	}
	if d.ShippingAddress != nil {
		o.ShippingAddress = toAddress(d.ShippingAddress) // the RDT's, with the PII fields
	}
	if paymentPending(ao.OrderStatus) {
		o.PaymentStatus = model.PaymentPending
	}
	if shipBy, err := parseTime(path+".Order.LatestShipDate", ao.LatestShipDate); err != nil {
		return nil, time.Time{}, err
	} else if !shipBy.IsZero() {
		o.ShipBy = &shipBy
	}
	s := sums{}
	if ao.OrderTotal != nil && ao.OrderTotal.CurrencyCode != "" {
		s.cur = strings.ToUpper(ao.OrderTotal.CurrencyCode)
	}
	allCancel, reason := len(d.OrderItems) > 0, ""
	for i := range d.OrderItems {
		l, cancel, why, err := s.line(&d.OrderItems[i], fmt.Sprintf("%s.OrderItems[%d]", path, i))
		if err != nil {
			return nil, time.Time{}, err
		}
		if !cancel {
			allCancel = false
		} else if reason == "" {
			reason = why
		}
		o.Lines = append(o.Lines, l)
	}
	if s.cur == "" {
		s.cur = marketplaceCurrency[ao.MarketplaceID]
	}
	if s.cur == "" {
		return nil, time.Time{}, fmt.Errorf("%s: no currency: no amounts and marketplace %q is unknown", path, ao.MarketplaceID)
	}
	o.Currency = s.cur
	if allCancel {
		// Every item cancelled at the buyer's request: the order is off.
		for i := range o.Lines {
			o.Lines[i].Cancelled = o.Lines[i].Quantity
		}
	} else {
		for i := range o.Lines {
			o.Lines[i].Cancelled = 0
		}
	}
	m := func(v int64) money.Money { return money.Money{Amount: v, Currency: s.cur} }
	o.Totals = model.Totals{Subtotal: m(s.product), Shipping: m(s.shipping), Tax: m(s.tax), Discount: m(s.discount),
		Total: m(s.product + s.shipping + s.tax - s.discount)}
	for i := range o.Lines {
		for _, p := range []*money.Money{&o.Lines[i].UnitPrice, &o.Lines[i].Tax, &o.Lines[i].Discount} {
			if p.Currency == "" {
				p.Currency = s.cur
			}
		}
	}
	switch {
	case ao.OrderStatus == "Canceled":
		o.CancelledAt, o.CancelReason = &at, "cancelled on Amazon"
	case allCancel:
		o.CancelledAt, o.CancelReason = &at, "buyer requested cancellation"
		if reason != "" {
			o.CancelReason += ": " + reason
		}
	}
	return o, at, nil
}

// sums adds an order's amounts, in minor units of its one currency.
type sums struct {
	cur                              string
	product, shipping, tax, discount int64
}

// amount reads one Money exactly in the order's currency (nil: zero).
func (s *sums) amount(path string, a *aMoney) (int64, error) {
	if a == nil || (a.Amount == "" && a.CurrencyCode == "") {
		return 0, nil
	}
	cur := strings.ToUpper(a.CurrencyCode)
	if !money.KnownCurrency(cur) {
		return 0, fmt.Errorf("%s.CurrencyCode: %q is not an ISO 4217 currency", path, a.CurrencyCode)
	}
	if s.cur == "" {
		s.cur = cur
	} else if cur != s.cur {
		return 0, fmt.Errorf("%s.CurrencyCode: %s in an order in %s", path, cur, s.cur)
	}
	v, err := money.Parse(a.Amount, cur)
	if err != nil {
		return 0, fmt.Errorf("%s.Amount: %q in %s: %w", path, a.Amount, cur, err)
	}
	return v.Amount, nil
}

// line maps an order item. ItemPrice is the item's price times its
// quantity (Amazon's definition), so the unit price is the quotient,
// which must be exact.
func (s *sums) line(it *aItem, p string) (model.OrderLine, bool, string, error) {
	if it.OrderItemID == "" {
		return model.OrderLine{}, false, "", fmt.Errorf("%s.OrderItemId is missing", p)
	}
	qty, err := strconv.ParseInt(it.QuantityOrdered.String(), 10, 64)
	if err != nil || qty < 0 {
		return model.OrderLine{}, false, "", fmt.Errorf("%s.QuantityOrdered: %q is not a quantity", p, it.QuantityOrdered.String())
	}
	get := func(name string, a *aMoney) int64 {
		if err != nil {
			return 0
		}
		var v int64
		v, err = s.amount(p+"."+name, a)
		return v
	}
	price := get("ItemPrice", it.ItemPrice)
	ship := get("ShippingPrice", it.ShippingPrice)
	tax := get("ItemTax", it.ItemTax) + get("ShippingTax", it.ShippingTax)
	disc := get("PromotionDiscount", it.PromotionDiscount)
	shipDisc := get("ShippingDiscount", it.ShippingDiscount)
	if err != nil {
		return model.OrderLine{}, false, "", err
	}
	if qty > 0 && price%qty != 0 {
		return model.OrderLine{}, false, "", fmt.Errorf("%s.ItemPrice: %d (minor units) does not divide into %d units", p, price, qty)
	}
	s.product += price
	s.shipping += ship
	s.tax += tax
	s.discount += disc + shipDisc
	l := model.OrderLine{ID: it.OrderItemID, SKU: it.SellerSKU, ChannelProductID: it.ASIN, Title: it.Title, Quantity: qty,
		Tax: money.Money{Amount: tax, Currency: s.cur}, Discount: money.Money{Amount: disc, Currency: s.cur}}
	if qty > 0 {
		l.UnitPrice = money.Money{Amount: price / qty, Currency: s.cur}
	}
	cancel := false
	why := ""
	if b := it.BuyerRequestedCancel; b != nil {
		switch v := b.IsBuyerRequestedCancel.(type) {
		case string:
			cancel = strings.EqualFold(v, "true")
		case bool:
			cancel = v
		}
		why = b.BuyerCancelReason
	}
	return l, cancel, why, nil
}

// shippedQty is QuantityShipped (0 when absent or unreadable).
func (it *aItem) shippedQty() int64 {
	v, _ := strconv.ParseInt(it.QuantityShipped.String(), 10, 64)
	return v
}
