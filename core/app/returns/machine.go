package returns

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// ErrInput marks a request the operator (or channel) must correct: an
// unknown SKU, more units than shipped, nothing to return.
var ErrInput = errors.New("invalid return")

// ErrState marks a transition the return's status does not allow
// (receiving a rejected return).
var ErrState = errors.New("return cannot do that now")

// Request is a return asked for by an operator or reported by a channel.
type Request struct {
	OrderID string
	Lines   []RequestLine
	Reason  string
	// Source is "operator" or the channel's name; ChannelRef the
	// channel's id of the request, which makes a repeated report one
	// return.
	Source     string
	ChannelRef string
	Actor      string
}

// RequestLine names an order line by its SKU or its id.
type RequestLine struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// ParseLine reads "SKU:QTY" (the CLI's --line).
func ParseLine(s string) (RequestLine, error) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return RequestLine{}, fmt.Errorf("%w: line %q: want SKU:QTY", ErrInput, s)
	}
	q, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil || q <= 0 {
		return RequestLine{}, fmt.Errorf("%w: line %q: quantity must be a positive whole number", ErrInput, s)
	}
	return RequestLine{SKU: s[:i], Quantity: q}, nil
}

// Returnable is how many units of an order line can still be returned:
// shipped, less what returns already claim (all but rejected ones).
func Returnable(a *model.Aggregate, lineID string) int64 {
	l := a.Order.Line(lineID)
	if l == nil {
		return 0
	}
	n := l.Qty.Shipped
	for _, r := range a.Returns {
		if r.Status == model.ReturnRejected {
			continue
		}
		for _, rl := range r.Lines {
			if rl.OrderLineID == lineID {
				n -= rl.Quantity
			}
		}
	}
	return max(n, 0)
}

// Open records the returns req asks for, one per purchase order whose
// units come back (a split order returns to each supplier apart). A
// channel request already recorded (same ChannelRef) changes nothing.
func Open(a *model.Aggregate, req Request, st lifecycle.Step) ([]model.Return, lifecycle.Outcome, error) {
	var out lifecycle.Outcome
	if req.ChannelRef != "" {
		for _, r := range a.Returns {
			if r.Source == req.Source && r.ChannelRef == req.ChannelRef {
				return nil, out, nil
			}
		}
	}
	if a.Order.Status == model.OrderCancelled && !anyShipped(a) {
		return nil, out, fmt.Errorf("%w: order %s is cancelled and nothing shipped", ErrInput, a.Order.ID)
	}
	if len(req.Lines) == 0 {
		return nil, out, fmt.Errorf("%w: name at least one line (SKU:QTY)", ErrInput)
	}
	byPO := map[string][]model.ReturnLine{}
	var order []string
	claimed := map[string]int64{}
	for _, rl := range req.Lines {
		l := findLine(a, rl.SKU)
		if l == nil {
			return nil, out, fmt.Errorf("%w: order %s has no line with SKU %q", ErrInput, a.Order.ID, rl.SKU)
		}
		if rl.Quantity <= 0 {
			return nil, out, fmt.Errorf("%w: %s: quantity must be positive", ErrInput, rl.SKU)
		}
		claimed[l.ID] += rl.Quantity
		if can := Returnable(a, l.ID); claimed[l.ID] > can {
			return nil, out, fmt.Errorf("%w: %s: %d unit(s) asked, %d can be returned (shipped %d, already in returns %d)",
				ErrInput, l.SKU, claimed[l.ID], can, l.Qty.Shipped, l.Qty.Shipped-can)
		}
		for _, part := range fromPOs(a, l, rl.Quantity) {
			if _, seen := byPO[part.po]; !seen {
				order = append(order, part.po)
			}
			byPO[part.po] = append(byPO[part.po], part.line)
		}
	}
	var made []model.Return
	for _, number := range order {
		po := a.PO(number)
		r := model.Return{ID: returnID(a, req, number), OrderID: a.Order.ID, Supplier: po.Supplier, PONumber: number,
			Lines: byPO[number], Status: model.ReturnRequested, Reason: req.Reason, Source: req.Source, ChannelRef: req.ChannelRef,
			Created: st.At, Updated: st.At}
		r.Refund = refundValue(a, r.Lines)
		r.Credit = creditValue(r.Lines)
		a.Returns = append(a.Returns, r)
		a.Log(model.TimelineEntry{At: st.At, Entity: "return:" + r.ID, Event: "return.requested", Cause: st.Cause,
			Message: fmt.Sprintf("return %s requested by %s: %s from %s (PO %s)%s", r.ID, who(req), describe(r.Lines), r.Supplier, number, because(req.Reason))})
		out.Emit(updated(&r, st))
		made = append(made, r)
	}
	out.Changed = true
	return made, out, nil
}

// Authorize records the supplier's (or an operator's) authorisation with
// its RMA number. Authorising again with the same number changes nothing.
func Authorize(a *model.Aggregate, id, rma, by string, st lifecycle.Step) (lifecycle.Outcome, error) {
	var out lifecycle.Outcome
	r, err := find(a, id)
	if err != nil {
		return out, err
	}
	switch r.Status {
	case model.ReturnAuthorized, model.ReturnReceived, model.ReturnRefunded:
		if rma == "" || rma == r.RMA {
			return out, nil // already authorised: a replayed answer
		}
		return out, fmt.Errorf("%w: return %s is already %s with RMA %q", ErrState, id, r.Status, r.RMA)
	case model.ReturnRejected:
		return out, fmt.Errorf("%w: return %s was rejected", ErrState, id)
	}
	if rma == "" {
		rma = r.ID
	}
	r.Status, r.RMA, r.Updated = model.ReturnAuthorized, rma, st.At
	a.Log(model.TimelineEntry{At: st.At, Entity: "return:" + r.ID, Event: "return.authorized", Cause: st.Cause,
		Message: fmt.Sprintf("return %s authorised by %s, RMA %s", r.ID, by, rma)})
	out.Changed = true
	out.Emit(updated(r, st))
	out.Settle(r.PONumber, "return "+r.ID+" authorised", by, model.ExReturnDecision)
	return out, nil
}

// Reject records that the supplier (or an operator) refused the return.
func Reject(a *model.Aggregate, id, reason, by string, st lifecycle.Step) (lifecycle.Outcome, error) {
	var out lifecycle.Outcome
	r, err := find(a, id)
	if err != nil {
		return out, err
	}
	switch r.Status {
	case model.ReturnRejected:
		return out, nil
	case model.ReturnReceived, model.ReturnRefunded:
		return out, fmt.Errorf("%w: return %s is already %s", ErrState, id, r.Status)
	}
	r.Status, r.Note, r.Updated = model.ReturnRejected, reason, st.At
	a.Log(model.TimelineEntry{At: st.At, Entity: "return:" + r.ID, Event: "return.rejected", Cause: st.Cause,
		Message: fmt.Sprintf("return %s rejected by %s%s", r.ID, by, because(reason))})
	out.Changed = true
	out.Emit(updated(r, st))
	out.Settle(r.PONumber, "return "+r.ID+" rejected", by, model.ExReturnDecision)
	return out, nil
}

// Receive records that the supplier has the units back: they move to
// the lines' Returned bucket, and the refund and the supplier's credit
// follow (payments and payables act on the event). Only an authorised
// return can be received; receiving it again changes nothing.
func Receive(a *model.Aggregate, id, by string, st lifecycle.Step) (lifecycle.Outcome, error) {
	var out lifecycle.Outcome
	r, err := find(a, id)
	if err != nil {
		return out, err
	}
	switch r.Status {
	case model.ReturnReceived, model.ReturnRefunded:
		return out, nil
	case model.ReturnRequested:
		return out, fmt.Errorf("%w: return %s is not authorised yet (dropgate returns authorize %s)", ErrState, id, id)
	case model.ReturnRejected:
		return out, fmt.Errorf("%w: return %s was rejected", ErrState, id)
	}
	for _, rl := range r.Lines {
		if l := a.Order.Line(rl.OrderLineID); l != nil {
			l.Returned += rl.Quantity
		}
	}
	r.Status, r.Updated = model.ReturnReceived, st.At
	a.Log(model.TimelineEntry{At: st.At, Entity: "return:" + r.ID, Event: "return.received", Cause: st.Cause,
		Message: fmt.Sprintf("return %s (RMA %s) received by %s: %s back; refund %s to the customer, credit %s from %s",
			r.ID, r.RMA, r.Supplier, describe(r.Lines), r.Refund, r.Credit, r.Supplier)})
	out.Changed = true
	out.Emit(updated(r, st))
	return out, nil
}

// MarkRefunded records that the customer got the refund back.
func MarkRefunded(a *model.Aggregate, id string, amount money.Money, where string, st lifecycle.Step) lifecycle.Outcome {
	r := a.Return(id)
	if r == nil || r.Status == model.ReturnRefunded {
		return lifecycle.Outcome{}
	}
	r.Status, r.Updated = model.ReturnRefunded, st.At
	a.Log(model.TimelineEntry{At: st.At, Entity: "return:" + r.ID, Event: "return.refunded", Cause: st.Cause,
		Message: fmt.Sprintf("return %s refunded: %s at %s", r.ID, amount, where)})
	out := lifecycle.Outcome{Changed: true}
	out.Emit(updated(r, st))
	return out
}

func updated(r *model.Return, st lifecycle.Step) model.Event {
	return model.Event{Type: model.EvReturnUpdated, At: st.At, OrderID: r.OrderID, PONumber: r.PONumber, Supplier: r.Supplier,
		Cause: st.Cause, Data: map[string]string{"return": r.ID, "status": string(r.Status)}}
}

func find(a *model.Aggregate, id string) (*model.Return, error) {
	if r := a.Return(id); r != nil {
		return r, nil
	}
	return nil, fmt.Errorf("%w: order %s has no return %s", ErrInput, a.Order.ID, id)
}

func anyShipped(a *model.Aggregate) bool {
	for _, l := range a.Order.Lines {
		if l.Qty.Shipped > 0 {
			return true
		}
	}
	return false
}

func findLine(a *model.Aggregate, key string) *model.OrderLine {
	for i := range a.Order.Lines {
		if l := &a.Order.Lines[i]; l.SKU == key || l.ID == key {
			return l
		}
	}
	return nil
}

type poPart struct {
	po   string
	line model.ReturnLine
}

// fromPOs splits qty units of line over the POs that shipped them, in PO
// order, less what earlier returns took back from each.
func fromPOs(a *model.Aggregate, l *model.OrderLine, qty int64) []poPart {
	taken := map[string]int64{}
	for _, r := range a.Returns {
		if r.Status == model.ReturnRejected {
			continue
		}
		for _, rl := range r.Lines {
			if rl.OrderLineID == l.ID {
				taken[r.PONumber] += rl.Quantity
			}
		}
	}
	var parts []poPart
	for _, po := range a.POs {
		for _, pl := range po.Lines {
			if pl.OrderLineID != l.ID || qty == 0 {
				continue
			}
			free := pl.Shipped - taken[po.Number]
			if free <= 0 {
				continue
			}
			n := min(free, qty)
			qty -= n
			taken[po.Number] += n
			parts = append(parts, poPart{po: po.Number, line: model.ReturnLine{OrderLineID: l.ID, SKU: l.SKU, SupplierSKU: pl.SupplierSKU,
				GTIN: pl.GTIN, POLineNo: pl.LineNo, Description: pl.Description, Quantity: n, UnitCost: pl.UnitCost}})
		}
	}
	return parts
}

// refundValue is the returned units' share of their lines' totals (unit
// price × quantity − discount + tax, pro rata), as captures count it.
// Shipping is not refunded: an operator refunds it at the provider.
func refundValue(a *model.Aggregate, lines []model.ReturnLine) money.Money {
	v := money.Money{Currency: a.Order.Currency}
	for _, rl := range lines {
		l := a.Order.Line(rl.OrderLineID)
		if l == nil || l.Quantity <= 0 {
			continue
		}
		if v.Currency == "" {
			v.Currency = l.UnitPrice.Currency
		}
		v.Amount += l.ShareOf(rl.Quantity)
	}
	return v
}

// creditValue is what the supplier owes back: the PO's unit cost of the
// returned units.
func creditValue(lines []model.ReturnLine) money.Money {
	var v money.Money
	for _, rl := range lines {
		if v.Currency == "" {
			v.Currency = rl.UnitCost.Currency
		}
		v.Amount += rl.UnitCost.Amount * rl.Quantity
	}
	return v
}

func returnID(a *model.Aggregate, req Request, po string) string {
	key := req.ChannelRef
	if key == "" {
		key = strconv.Itoa(len(a.Returns))
	}
	return "ret_" + ids.Derive(12, a.Order.ID, req.Source, key, po)
}

func describe(lines []model.ReturnLine) string {
	parts := make([]string, 0, len(lines))
	for _, l := range lines {
		parts = append(parts, fmt.Sprintf("%s × %d", l.SKU, l.Quantity))
	}
	return strings.Join(parts, ", ")
}

func who(req Request) string {
	if req.Actor != "" && req.Source == "operator" {
		return req.Actor
	}
	return req.Source
}

func because(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}
