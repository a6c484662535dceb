package ebay

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/jsonpos"
)

// Topics.
const (
	// TopicOrder is a Fulfillment API order (a polled one; `dropgate
	// trigger` and the decode suite use it too).
	TopicOrder = "order"
	// TopicAccountDeletion is the marketplace account deletion
	// notification: acknowledged, nothing to do on orders.
	TopicAccountDeletion = "MARKETPLACE_ACCOUNT_DELETION"
)

// HoldCancelRequested holds an order whose buyer asked to cancel it: it
// must not ship while the seller decides.
const HoldCancelRequested = "cancel_requested"

// amount is eBay's Amount: {"value": "12.34", "currency": "USD"}, the
// value a decimal string.
type amount struct {
	Value    string `json:"value"`
	Currency string `json:"currency"`
}

type eAddress struct {
	FullName       string `json:"fullName"`
	CompanyName    string `json:"companyName"`
	ContactAddress struct {
		AddressLine1    string `json:"addressLine1"`
		AddressLine2    string `json:"addressLine2"`
		City            string `json:"city"`
		StateOrProvince string `json:"stateOrProvince"`
		PostalCode      string `json:"postalCode"`
		CountryCode     string `json:"countryCode"`
	} `json:"contactAddress"`
	PrimaryPhone struct {
		PhoneNumber string `json:"phoneNumber"`
	} `json:"primaryPhone"`
	Email string `json:"email"`
}

// eOrder is the part of a Fulfillment API order dropgate reads.
type eOrder struct {
	OrderID                string `json:"orderId"`
	LegacyOrderID          string `json:"legacyOrderId"`
	SalesRecordReference   string `json:"salesRecordReference"`
	CreationDate           string `json:"creationDate"`
	LastModifiedDate       string `json:"lastModifiedDate"`
	OrderFulfillmentStatus string `json:"orderFulfillmentStatus"`
	OrderPaymentStatus     string `json:"orderPaymentStatus"`
	Buyer                  struct {
		Username                 string    `json:"username"`
		BuyerRegistrationAddress *eAddress `json:"buyerRegistrationAddress"`
	} `json:"buyer"`
	BuyerCheckoutNotes string `json:"buyerCheckoutNotes"`
	PricingSummary     struct {
		PriceSubtotal *amount `json:"priceSubtotal"`
		DeliveryCost  *amount `json:"deliveryCost"`
		PriceDiscount *amount `json:"priceDiscount"`
		Tax           *amount `json:"tax"`
		Total         *amount `json:"total"`
	} `json:"pricingSummary"`
	CancelStatus struct {
		CancelState    string `json:"cancelState"`
		CancelledDate  string `json:"cancelledDate"`
		CancelRequests []struct {
			CancelReason        string `json:"cancelReason"`
			CancelRequestState  string `json:"cancelRequestState"`
			CancelRequestedDate string `json:"cancelRequestedDate"`
		} `json:"cancelRequests"`
	} `json:"cancelStatus"`
	FulfillmentStartInstructions []struct {
		ShippingStep struct {
			ShipTo              *eAddress `json:"shipTo"`
			ShippingServiceCode string    `json:"shippingServiceCode"`
		} `json:"shippingStep"`
	} `json:"fulfillmentStartInstructions"`
	LineItems []eLine `json:"lineItems"`
}

type eLine struct {
	LineItemID        string  `json:"lineItemId"`
	LegacyItemID      string  `json:"legacyItemId"`
	LegacyVariationID string  `json:"legacyVariationId"`
	SKU               string  `json:"sku"`
	Title             string  `json:"title"`
	Quantity          int64   `json:"quantity"`
	LineItemCost      *amount `json:"lineItemCost"`
	AppliedPromotions []struct {
		DiscountAmount *amount `json:"discountAmount"`
	} `json:"appliedPromotions"`
	Taxes []struct {
		Amount *amount `json:"amount"`
	} `json:"taxes"`
	LineItemFulfillmentInstructions struct {
		ShipByDate string `json:"shipByDate"`
	} `json:"lineItemFulfillmentInstructions"`
}

// DecodeEvent maps an eBay order into one event: a cancellation when its
// cancelState is CANCELED, else an update. The account deletion
// notification is acknowledged and ignored (dropgate keeps no eBay user
// accounts; buyer data lives only on orders, kept by the retention policy).
func (c *Connector) DecodeEvent(_ context.Context, topic string, body []byte) ([]connector.ChannelEvent, error) {
	if topic != TopicOrder {
		return []connector.ChannelEvent{{Kind: connector.EventIgnored}}, nil
	}
	var eo eOrder
	if err := jsonpos.Decode(body, &eo); err != nil {
		return nil, fault.Permanent(fmt.Errorf("ebay: order: %w", err))
	}
	ev, err := c.event(&eo)
	if err != nil {
		return nil, err
	}
	return []connector.ChannelEvent{ev}, nil
}

func (c *Connector) event(eo *eOrder) (connector.ChannelEvent, error) {
	o, err := toOrder(c.env.Name, eo)
	if err != nil {
		return connector.ChannelEvent{}, fault.Permanent(fmt.Errorf("ebay: order %s: %w", eo.OrderID, err))
	}
	ev := connector.ChannelEvent{Kind: connector.EventOrderUpdated, ChannelOrderID: o.ChannelOrderID, Order: o, At: o.PlacedAt}
	if eo.LastModifiedDate != "" {
		at, err := parseTime("$.lastModifiedDate", eo.LastModifiedDate)
		if err != nil {
			return connector.ChannelEvent{}, fault.Permanent(fmt.Errorf("ebay: order %s: %w", eo.OrderID, err))
		}
		ev.At = at
	}
	if o.CancelledAt != nil {
		ev.Kind = connector.EventOrderCancelled
	}
	return ev, nil
}

// toOrder maps an eBay order to the canonical one; errors name the JSON path.
func toOrder(channel string, eo *eOrder) (*model.Order, error) {
	id := eo.OrderID
	if id == "" {
		return nil, fmt.Errorf("$.orderId: missing")
	}
	if eo.PricingSummary.Total == nil {
		return nil, fmt.Errorf("$.pricingSummary.total: missing")
	}
	cur := eo.PricingSummary.Total.Currency
	if !money.KnownCurrency(cur) {
		return nil, fmt.Errorf("$.pricingSummary.total.currency: %q is not an ISO 4217 currency", cur)
	}
	placed, err := parseTime("$.creationDate", eo.CreationDate)
	if err != nil {
		return nil, err
	}
	num := eo.SalesRecordReference
	if num == "" {
		num = id
	}
	o := &model.Order{
		ID: model.OrderID(channel, id), Channel: channel, ChannelOrderID: id, ChannelOrderNumber: num,
		PlacedAt: placed, Currency: cur, Status: model.OrderReceived, Customer: model.Customer{ID: eo.Buyer.Username},
		Note: eo.BuyerCheckoutNotes,
	}
	if a := eo.Buyer.BuyerRegistrationAddress; a != nil {
		o.Customer.Email, o.Customer.Name = a.Email, a.FullName
		o.BillingAddress = a.model()
	}
	if fs := eo.FulfillmentStartInstructions; len(fs) > 0 {
		o.ShippingAddress = fs[0].ShippingStep.ShipTo.model()
		o.ShippingMethod = fs[0].ShippingStep.ShippingServiceCode
		if o.Customer.Email == "" && fs[0].ShippingStep.ShipTo != nil {
			o.Customer.Email = fs[0].ShippingStep.ShipTo.Email
		}
	}
	m := amounts{cur: cur}
	ps := eo.PricingSummary
	o.Totals = model.Totals{
		Subtotal: m.get("$.pricingSummary.priceSubtotal", ps.PriceSubtotal), Shipping: m.get("$.pricingSummary.deliveryCost", ps.DeliveryCost),
		Tax: m.get("$.pricingSummary.tax", ps.Tax), Discount: abs(m.get("$.pricingSummary.priceDiscount", ps.PriceDiscount)),
		Total: m.get("$.pricingSummary.total", ps.Total),
	}
	for i := range eo.LineItems {
		l := &eo.LineItems[i]
		p := fmt.Sprintf("$.lineItems[%d]", i)
		if l.LineItemID == "" {
			return nil, fmt.Errorf("%s.lineItemId: missing", p)
		}
		if l.Quantity <= 0 {
			return nil, fmt.Errorf("%s.quantity: %d is not a quantity", p, l.Quantity)
		}
		// lineItemCost is the price of all the line's units, before
		// discounts: the unit price divides it exactly or the line is wrong.
		cost := m.get(p+".lineItemCost", l.LineItemCost)
		if cost.Amount%l.Quantity != 0 {
			return nil, fmt.Errorf("%s.lineItemCost: %s does not divide into %d equal units", p, cost, l.Quantity)
		}
		line := model.OrderLine{ID: l.LineItemID, ChannelProductID: l.LegacyItemID, ChannelVariantID: l.LegacyVariationID,
			SKU: l.SKU, Title: l.Title, Quantity: l.Quantity, UnitPrice: money.Money{Amount: cost.Amount / l.Quantity, Currency: cur},
			Discount: money.Money{Currency: cur}, Tax: money.Money{Currency: cur}}
		for j, pr := range l.AppliedPromotions {
			line.Discount.Amount += abs(m.get(fmt.Sprintf("%s.appliedPromotions[%d].discountAmount", p, j), pr.DiscountAmount)).Amount
		}
		for j, tx := range l.Taxes {
			line.Tax.Amount += m.get(fmt.Sprintf("%s.taxes[%d].amount", p, j), tx.Amount).Amount
		}
		if s := l.LineItemFulfillmentInstructions.ShipByDate; s != "" {
			at, err := parseTime(p+".lineItemFulfillmentInstructions.shipByDate", s)
			if err != nil {
				return nil, err
			}
			if o.ShipBy == nil || at.Before(*o.ShipBy) {
				o.ShipBy = &at
			}
		}
		o.Lines = append(o.Lines, line)
	}
	if m.err != nil {
		return nil, m.err
	}
	o.PaymentStatus = payment(eo.OrderPaymentStatus)
	cs := eo.CancelStatus
	switch cs.CancelState {
	case "CANCELED":
		s := cs.CancelledDate
		if s == "" {
			s = eo.LastModifiedDate
		}
		at, err := parseTime("$.cancelStatus.cancelledDate", s)
		if err != nil {
			return nil, err
		}
		o.CancelledAt = &at
		for _, r := range cs.CancelRequests {
			if r.CancelReason != "" {
				o.CancelReason = r.CancelReason
			}
		}
		if o.CancelReason == "" {
			o.CancelReason = "canceled on eBay"
		}
	case "IN_PROGRESS":
		// A buyer's cancel request the seller has not answered: nothing
		// ships until it is settled one way or the other.
		h := model.Hold{Code: HoldCancelRequested, Reason: "the buyer asked eBay to cancel the order"}
		for _, r := range cs.CancelRequests {
			if r.CancelRequestedDate != "" {
				h.At, _ = parseTime("", r.CancelRequestedDate)
			}
			if r.CancelReason != "" {
				h.Reason += " (" + r.CancelReason + ")"
			}
		}
		if h.At.IsZero() {
			h.At = placed
		}
		o.AddHold(h)
	}
	return o, nil
}

// payment maps orderPaymentStatus: PENDING orders wait (the release
// policy holds unpaid orders), FAILED ones never go.
func payment(s string) model.OrderPayment {
	switch s {
	case "PAID":
		return model.PaymentPaid
	case "PENDING":
		return model.PaymentPending
	case "FAILED":
		return model.PaymentFailed
	case "PARTIALLY_REFUNDED":
		return model.PaymentPartiallyRefunded
	case "FULLY_REFUNDED":
		return model.PaymentRefunded
	}
	return model.PaymentUnknown
}

// amounts reads eBay amounts in the order's currency, exactly; the first
// error is kept.
type amounts struct {
	cur string
	err error
}

func (a *amounts) get(path string, v *amount) money.Money {
	if v == nil || v.Value == "" {
		return money.Money{Currency: a.cur}
	}
	if v.Currency != "" && v.Currency != a.cur && a.err == nil {
		a.err = fmt.Errorf("%s.currency: %q, the order is in %s", path, v.Currency, a.cur)
	}
	m, err := money.Parse(v.Value, a.cur)
	if err != nil && a.err == nil {
		a.err = fmt.Errorf("%s.value: %q in %s: %w", path, v.Value, a.cur, err)
	}
	return m
}

func abs(m money.Money) money.Money {
	if m.Amount < 0 {
		m.Amount = -m.Amount
	}
	return m
}

// parseTime reads eBay's ISO 8601 UTC timestamps (2026-03-14T15:09:26.000Z).
func parseTime(path, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %q is not an ISO 8601 timestamp", path, s)
	}
	return t.UTC(), nil
}

func (a *eAddress) model() *model.Address {
	if a == nil {
		return nil
	}
	ca := a.ContactAddress
	return &model.Address{Name: a.FullName, Company: a.CompanyName, Line1: ca.AddressLine1, Line2: ca.AddressLine2,
		City: ca.City, Region: ca.StateOrProvince, PostalCode: ca.PostalCode, Country: strings.ToUpper(ca.CountryCode),
		Phone: a.PrimaryPhone.PhoneNumber, Email: a.Email}
}
