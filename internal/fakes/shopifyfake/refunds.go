package shopifyfake

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/dropgate/dropgate/core/decimal"
)

// Refund is a refund recorded on an order.
// https://shopify.dev/docs/api/admin-rest/latest/resources/refund
type Refund struct {
	ID           uint64
	OrderID      uint64
	Note         string
	Notify       bool
	CreatedAt    time.Time
	Lines        []RefundLine
	Transactions []RefundTransaction
}

// RefundLine is some units of one line item refunded.
type RefundLine struct {
	ID          uint64
	LineItemID  uint64
	Quantity    int
	RestockType string
}

// RefundTransaction is money a refund sent back through Shopify's
// gateway; the amount stays the exact decimal string sent.
type RefundTransaction struct {
	ParentID uint64
	Amount   string
	Kind     string
	Gateway  string
}

// Refunds returns the refunds of an order, oldest first.
func (s *Shop) Refunds(orderID uint64) []Refund {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Refund, 0, len(s.refunds[orderID]))
	for _, r := range s.refunds[orderID] {
		c := r
		c.Lines = slices.Clone(r.Lines)
		c.Transactions = slices.Clone(r.Transactions)
		out = append(out, c)
	}
	return out
}

type refundBody struct {
	Note            string `json:"note"`
	Notify          bool   `json:"notify"`
	RefundLineItems []struct {
		LineItemID  flexID  `json:"line_item_id"`
		Quantity    flexInt `json:"quantity"`
		RestockType string  `json:"restock_type"`
		LocationID  flexID  `json:"location_id"`
	} `json:"refund_line_items"`
	Transactions []struct {
		ParentID flexID `json:"parent_id"`
		Amount   any    `json:"amount"`
		Kind     string `json:"kind"`
		Gateway  string `json:"gateway"`
	} `json:"transactions"`
}

// httpListRefunds implements GET orders/{id}/refunds.json.
func (s *Shop) httpListRefunds(q *apiRequest) *response {
	if _, found := s.orders[q.ids[0]]; !found {
		return errNotFound()
	}
	out := make([]map[string]any, 0)
	for _, r := range s.refunds[q.ids[0]] {
		out = append(out, s.renderRefund(r))
	}
	return respOK(map[string]any{"refunds": out})
}

// httpCreateRefund implements POST orders/{id}/refunds.json: each line
// item must be the order's, with a positive quantity no larger than what
// is not refunded yet; restock_type is one of Shopify's; a transaction's
// amount is a decimal string (a JSON float is refused, as rounding is
// the client bug to catch). Errors are 422 with Shopify's error body.
func (s *Shop) httpCreateRefund(q *apiRequest) *response {
	o, found := s.orders[q.ids[0]]
	if !found {
		return errNotFound()
	}
	var b refundBody
	if resp := decodeRoot(q.r, "refund", &b); resp != nil {
		return resp
	}
	r := Refund{OrderID: o.ID, Note: b.Note, Notify: b.Notify, CreatedAt: s.fake.now()}
	asked := map[uint64]int{}
	for _, l := range b.RefundLineItems {
		li := lineOf(o, uint64(l.LineItemID))
		if li == nil {
			return errFieldList(http.StatusUnprocessableEntity, "refund_line_items.line_item", fmt.Sprintf("line item %d does not belong to the order", l.LineItemID))
		}
		if !l.Quantity.present || l.Quantity.n <= 0 {
			return errFieldList(http.StatusUnprocessableEntity, "refund_line_items.quantity", "must be greater than 0")
		}
		switch l.RestockType {
		case "", "no_restock", "cancel", "return", "legacy_restock":
		default:
			return errFieldList(http.StatusUnprocessableEntity, "refund_line_items.restock_type", "is not included in the list")
		}
		asked[li.ID] += int(l.Quantity.n)
		if asked[li.ID] > li.Quantity-s.refundedLocked(o.ID, li.ID) {
			return errFieldList(http.StatusUnprocessableEntity, "refund_line_items.quantity", "cannot refund more items than were purchased")
		}
		r.Lines = append(r.Lines, RefundLine{ID: s.fake.nextID(), LineItemID: li.ID, Quantity: int(l.Quantity.n),
			RestockType: cmp.Or(l.RestockType, "no_restock")})
	}
	for _, t := range b.Transactions {
		amount, ok := t.Amount.(string)
		if _, err := decimal.Parse(amount); !ok || err != nil {
			return errFieldList(http.StatusUnprocessableEntity, "transactions.amount", "must be a decimal string")
		}
		r.Transactions = append(r.Transactions, RefundTransaction{ParentID: uint64(t.ParentID), Amount: amount, Kind: t.Kind, Gateway: t.Gateway})
	}
	r.ID = s.fake.nextID()
	s.refunds[o.ID] = append(s.refunds[o.ID], r)
	o.UpdatedAt = r.CreatedAt
	return respCreated(map[string]any{"refund": s.renderRefund(r)})
}

func lineOf(o *Order, id uint64) *LineItem {
	for i := range o.Lines {
		if o.Lines[i].ID == id {
			return &o.Lines[i]
		}
	}
	return nil
}

// refundedLocked counts the units of a line item already refunded.
func (s *Shop) refundedLocked(orderID, lineItemID uint64) int {
	n := 0
	for _, r := range s.refunds[orderID] {
		for _, l := range r.Lines {
			if l.LineItemID == lineItemID {
				n += l.Quantity
			}
		}
	}
	return n
}

func (s *Shop) renderRefund(r Refund) map[string]any {
	lines := make([]map[string]any, 0, len(r.Lines))
	for _, l := range r.Lines {
		lines = append(lines, map[string]any{"id": l.ID, "line_item_id": l.LineItemID, "quantity": l.Quantity, "restock_type": l.RestockType})
	}
	txs := make([]map[string]any, 0, len(r.Transactions))
	for _, t := range r.Transactions {
		txs = append(txs, map[string]any{"parent_id": t.ParentID, "amount": t.Amount, "kind": t.Kind, "gateway": t.Gateway, "status": "success"})
	}
	return map[string]any{"id": r.ID, "order_id": r.OrderID, "note": r.Note, "created_at": ts(r.CreatedAt),
		"refund_line_items": lines, "transactions": txs, "order_adjustments": []any{}}
}
