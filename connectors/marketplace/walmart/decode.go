package walmart

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

// Topics of DecodeEvent. Walmart notifications are not supported: the
// poll decodes list answers; `dropgate trigger` and the tests use both.
const (
	// TopicOrder is one order object, as an element of a list answer.
	TopicOrder = "order"
	// TopicOrders is a list answer of GET /v3/orders or
	// /v3/orders/released: {"list": {"meta", "elements": {"order": […]}}}.
	TopicOrders = "orders"
)

// wOrder is the part of a Walmart order dropgate reads. Dates are epoch
// milliseconds; quantities are strings; amounts are JSON numbers, read
// as json.Number and never through float64.
type wOrder struct {
	PurchaseOrderID string      `json:"purchaseOrderId"`
	CustomerOrderID string      `json:"customerOrderId"`
	CustomerEmailID string      `json:"customerEmailId"`
	OrderDate       json.Number `json:"orderDate"`
	ShippingInfo    struct {
		Phone             string      `json:"phone"`
		EstimatedShipDate json.Number `json:"estimatedShipDate"`
		MethodCode        string      `json:"methodCode"`
		PostalAddress     struct {
			Name       string `json:"name"`
			Address1   string `json:"address1"`
			Address2   string `json:"address2"`
			City       string `json:"city"`
			State      string `json:"state"`
			PostalCode string `json:"postalCode"`
			Country    string `json:"country"`
		} `json:"postalAddress"`
	} `json:"shippingInfo"`
	OrderLines struct {
		OrderLine []wLine `json:"orderLine"`
	} `json:"orderLines"`
}

type wAmount struct {
	Currency string      `json:"currency"`
	Amount   json.Number `json:"amount"`
}

type wQty struct {
	Unit   string `json:"unitOfMeasurement"`
	Amount string `json:"amount"`
}

type wLine struct {
	LineNumber string `json:"lineNumber"`
	Item       struct {
		ProductName string `json:"productName"`
		SKU         string `json:"sku"`
	} `json:"item"`
	Charges struct {
		Charge []struct {
			ChargeType   string  `json:"chargeType"`
			ChargeAmount wAmount `json:"chargeAmount"`
			Tax          *struct {
				TaxAmount wAmount `json:"taxAmount"`
			} `json:"tax"`
		} `json:"charge"`
	} `json:"charges"`
	OrderLineQuantity wQty        `json:"orderLineQuantity"`
	StatusDate        json.Number `json:"statusDate"`
	OrderLineStatuses struct {
		OrderLineStatus []struct {
			Status         string `json:"status"`
			StatusQuantity wQty   `json:"statusQuantity"`
			TrackingInfo   *struct {
				TrackingNumber string `json:"trackingNumber"`
			} `json:"trackingInfo"`
		} `json:"orderLineStatus"`
	} `json:"orderLineStatuses"`
}

type wList struct {
	List *struct {
		Meta struct {
			NextCursor string `json:"nextCursor"`
		} `json:"meta"`
		Elements struct {
			Order []json.RawMessage `json:"order"`
		} `json:"elements"`
	} `json:"list"`
}

// DecodeEvent maps a Walmart order (TopicOrder) or a list answer
// (TopicOrders, one event per order) into events: a cancellation when
// every line is cancelled, else an update whose lines carry the units
// Walmart cancelled.
func (c *Connector) DecodeEvent(_ context.Context, topic string, body []byte) ([]connector.ChannelEvent, error) {
	switch topic {
	case TopicOrder:
		ev, err := c.decodeOrder(body, "$")
		if err != nil {
			return nil, err
		}
		return []connector.ChannelEvent{ev}, nil
	case TopicOrders:
		list, err := decodeList(body)
		if err != nil {
			return nil, err
		}
		evs := make([]connector.ChannelEvent, 0, len(list.List.Elements.Order))
		for i, raw := range list.List.Elements.Order {
			ev, err := c.decodeOrder(raw, fmt.Sprintf("$.list.elements.order[%d]", i))
			if err != nil {
				return nil, err
			}
			evs = append(evs, ev)
		}
		return evs, nil
	}
	return []connector.ChannelEvent{{Kind: connector.EventIgnored}}, nil
}

func decodeList(body []byte) (*wList, error) {
	var l wList
	if err := jsonpos.Decode(body, &l); err != nil {
		return nil, fault.Permanent(fmt.Errorf("walmart: order list: %w", err))
	}
	if l.List == nil {
		return nil, fault.Permanentf("walmart: order list: $.list is missing")
	}
	return &l, nil
}

func (c *Connector) decodeOrder(body []byte, path string) (connector.ChannelEvent, error) {
	var wo wOrder
	if err := jsonpos.Decode(body, &wo); err != nil {
		return connector.ChannelEvent{}, fault.Permanent(fmt.Errorf("walmart: order at %s: %w", path, err))
	}
	o, at, err := toOrder(c.env.Name, &wo, path)
	if err != nil {
		return connector.ChannelEvent{}, fault.Permanent(fmt.Errorf("walmart: order %s: %w", wo.PurchaseOrderID, err))
	}
	return connector.OrderEvent(o, at), nil
}

// toOrder maps a Walmart order to the canonical one and the instant it
// last changed (its latest line statusDate, else orderDate); errors name
// the JSON path.
func toOrder(channel string, wo *wOrder, path string) (*model.Order, time.Time, error) {
	id := wo.PurchaseOrderID
	if id == "" {
		return nil, time.Time{}, fmt.Errorf("%s.purchaseOrderId is missing", path)
	}
	placed, err := millis(path+".orderDate", wo.OrderDate)
	if err != nil {
		return nil, time.Time{}, err
	}
	if placed.IsZero() {
		return nil, time.Time{}, fmt.Errorf("%s.orderDate is missing", path)
	}
	pa := wo.ShippingInfo.PostalAddress
	o := &model.Order{
		ID: model.OrderID(channel, id), Channel: channel, ChannelOrderID: id, ChannelOrderNumber: wo.CustomerOrderID,
		PlacedAt: placed, Status: model.OrderReceived, PaymentStatus: model.PaymentPaid, // Walmart collects payment
		Customer: model.Customer{Name: pa.Name, Email: wo.CustomerEmailID},
		ShippingAddress: &model.Address{Name: pa.Name, Line1: pa.Address1, Line2: pa.Address2, City: pa.City, Region: pa.State,
			PostalCode: pa.PostalCode, Country: country(pa.Country), Phone: wo.ShippingInfo.Phone},
		ShippingMethod: wo.ShippingInfo.MethodCode,
	}
	if shipBy, err := millis(path+".shippingInfo.estimatedShipDate", wo.ShippingInfo.EstimatedShipDate); err != nil {
		return nil, time.Time{}, err
	} else if !shipBy.IsZero() {
		o.ShipBy = &shipBy
	}
	at, cancelledAt := placed, time.Time{}
	allCancelled := len(wo.OrderLines.OrderLine) > 0
	sum := sums{}
	for i := range wo.OrderLines.OrderLine {
		wl := &wo.OrderLines.OrderLine[i]
		p := fmt.Sprintf("%s.orderLines.orderLine[%d]", path, i)
		l, err := sum.line(wl, p)
		if err != nil {
			return nil, time.Time{}, err
		}
		changed, err := millis(p+".statusDate", wl.StatusDate)
		if err != nil {
			return nil, time.Time{}, err
		}
		if changed.After(at) {
			at = changed
		}
		if l.Cancelled < l.Quantity {
			allCancelled = false
		} else if changed.After(cancelledAt) {
			cancelledAt = changed
		}
		o.Lines = append(o.Lines, l)
	}
	if sum.cur == "" {
		sum.cur = "USD" // an order without charges: Walmart US sells in dollars
	}
	o.Currency = sum.cur
	o.Totals = model.Totals{Subtotal: sum.get(sum.product), Shipping: sum.get(sum.shipping), Tax: sum.get(sum.tax),
		Discount: money.Money{Currency: sum.cur}}
	total, err := o.Totals.Subtotal.Add(o.Totals.Shipping)
	if err == nil {
		total, err = total.Add(o.Totals.Tax)
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%s: total: %w", path, err)
	}
	o.Totals.Total = total
	for i := range o.Lines {
		o.Lines[i].Discount = money.Money{Currency: sum.cur}
		if o.Lines[i].Tax.Currency == "" {
			o.Lines[i].Tax.Currency = sum.cur
		}
	}
	if allCancelled {
		if cancelledAt.IsZero() {
			cancelledAt = at
		}
		o.CancelledAt, o.CancelReason = &cancelledAt, "cancelled by Walmart"
	}
	return o, at, nil
}

// sums adds an order's charges in its one currency.
type sums struct {
	cur                    string
	product, shipping, tax int64
}

func (s *sums) get(minor int64) money.Money { return money.Money{Amount: minor, Currency: s.cur} }

// amount reads one chargeAmount or taxAmount exactly, in the order's
// currency.
func (s *sums) amount(path string, a wAmount) (money.Money, error) {
	cur := strings.ToUpper(a.Currency)
	if !money.KnownCurrency(cur) {
		return money.Money{}, fmt.Errorf("%s.currency: %q is not an ISO 4217 currency", path, a.Currency)
	}
	if s.cur == "" {
		s.cur = cur
	} else if cur != s.cur {
		return money.Money{}, fmt.Errorf("%s.currency: %s in an order in %s", path, cur, s.cur)
	}
	m, err := money.Parse(a.Amount.String(), cur)
	if err != nil {
		return money.Money{}, fmt.Errorf("%s.amount: %q in %s: %w", path, a.Amount.String(), cur, err)
	}
	return m, nil
}

// line maps one order line: the PRODUCT charge is the line's amount (its
// unit price times the quantity), taxes are summed, and units in a
// Cancelled status are the line's cancelled ones.
func (s *sums) line(wl *wLine, p string) (model.OrderLine, error) {
	qty, err := quantity(p+".orderLineQuantity.amount", wl.OrderLineQuantity.Amount)
	if err != nil {
		return model.OrderLine{}, err
	}
	if wl.LineNumber == "" {
		return model.OrderLine{}, fmt.Errorf("%s.lineNumber is missing", p)
	}
	l := model.OrderLine{ID: wl.LineNumber, SKU: wl.Item.SKU, Title: wl.Item.ProductName, Quantity: qty}
	var product, tax int64
	for j, ch := range wl.Charges.Charge {
		cp := fmt.Sprintf("%s.charges.charge[%d]", p, j)
		m, err := s.amount(cp+".chargeAmount", ch.ChargeAmount)
		if err != nil {
			return l, err
		}
		switch strings.ToUpper(ch.ChargeType) {
		case "PRODUCT":
			product += m.Amount
		case "SHIPPING":
			s.shipping += m.Amount
		}
		if ch.Tax != nil && ch.Tax.TaxAmount.Amount != "" {
			t, err := s.amount(cp+".tax.taxAmount", ch.Tax.TaxAmount)
			if err != nil {
				return l, err
			}
			tax += t.Amount
		}
	}
	s.product += product
	s.tax += tax
	if qty > 0 && product%qty != 0 {
		return l, fmt.Errorf("%s.charges: product charge %d (minor units) does not divide into %d units", p, product, qty)
	}
	if qty > 0 {
		l.UnitPrice = money.Money{Amount: product / qty, Currency: s.cur}
	}
	l.Tax = money.Money{Amount: tax, Currency: s.cur}
	if l.UnitPrice.Currency == "" {
		l.UnitPrice.Currency = s.cur
	}
	for j, st := range wl.OrderLineStatuses.OrderLineStatus {
		if !strings.EqualFold(st.Status, "Cancelled") {
			continue
		}
		n, err := quantity(fmt.Sprintf("%s.orderLineStatuses.orderLineStatus[%d].statusQuantity.amount", p, j), st.StatusQuantity.Amount)
		if err != nil {
			return l, err
		}
		l.Cancelled += n
	}
	l.Cancelled = min(l.Cancelled, qty)
	return l, nil
}

// quantity reads Walmart's string quantities ("1"); fractions are refused.
func quantity(path, s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("%s is missing", path)
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		if strings.Trim(s[i+1:], "0") != "" {
			return 0, fmt.Errorf("%s: %q is not a whole quantity", path, s)
		}
		s = s[:i]
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%s: %q is not a quantity", path, s)
	}
	return v, nil
}

// millis reads an epoch-milliseconds date; empty is the zero time.
func millis(path string, n json.Number) (time.Time, error) {
	if n == "" {
		return time.Time{}, nil
	}
	v, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %q is not epoch milliseconds", path, n.String())
	}
	return time.UnixMilli(v).UTC(), nil
}

// country maps Walmart's three-letter country to ISO 3166-1 alpha-2.
func country(c string) string {
	switch strings.ToUpper(c) {
	case "USA":
		return "US"
	case "CAN":
		return "CA"
	case "MEX":
		return "MX"
	}
	return c
}
