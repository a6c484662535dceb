package model

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/dropgate/dropgate/core/money"
)

// The order aggregate is written on every change of an order and read by
// every job of it (the PO send reads and writes it whole), so its record
// has a hand-written codec: encoding/json's reflection was a tenth of the
// server's CPU per order. The bytes are exactly what encoding/json writes
// (aggregate_codec_test.go holds both to that), so a record written by
// either reads back with either. The parts an order gets late and rarely
// (shipments, invoices, payments, returns, holds, applied documents,
// exceptions) still go through encoding/json.

// AppendRecord appends a's JSON, as json.Marshal(a) would write it, to
// dst.
func (a *Aggregate) AppendRecord(dst []byte) ([]byte, error) {
	if est := a.sizeHint(); cap(dst)-len(dst) < est {
		dst = append(make([]byte, 0, len(dst)+est), dst...)
	}
	w := jw{b: dst}
	w.raw(`{"order":`)
	w.order(&a.Order)
	w.raw(`,"purchase_orders":`)
	if a.POs == nil {
		w.raw("null")
	} else {
		w.b = append(w.b, '[')
		for i := range a.POs {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.po(&a.POs[i])
		}
		w.b = append(w.b, ']')
	}
	w.raw(`,"shipments":`)
	w.marshal(a.Shipments)
	if len(a.Invoices) > 0 {
		w.raw(`,"invoices":`)
		w.marshal(a.Invoices)
	}
	if len(a.Payments) > 0 {
		w.raw(`,"payments":`)
		w.marshal(a.Payments)
	}
	if len(a.Returns) > 0 {
		w.raw(`,"returns":`)
		w.marshal(a.Returns)
	}
	w.raw(`,"timeline":`)
	if a.Timeline == nil {
		w.raw("null")
	} else {
		w.b = append(w.b, '[')
		for i := range a.Timeline {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.entry(&a.Timeline[i])
		}
		w.b = append(w.b, ']')
	}
	if len(a.Seen) > 0 {
		w.raw(`,"seen":`)
		w.strings(a.Seen)
	}
	if len(a.Applied) > 0 {
		w.raw(`,"applied":`)
		w.marshal(a.Applied)
	}
	if len(a.Outbox) > 0 {
		w.raw(`,"outbox":[`)
		for i := range a.Outbox {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.event(&a.Outbox[i])
		}
		w.b = append(w.b, ']')
	}
	w.raw(`,"created_at":`)
	w.time(a.Created)
	w.raw(`,"updated_at":`)
	w.time(a.Updated)
	w.b = append(w.b, '}')
	if w.err != nil {
		return nil, w.err
	}
	return w.b, nil
}

// sizeHint is about what AppendRecord writes, a little more, so that its
// buffer is allocated once.
func (a *Aggregate) sizeHint() int {
	n := 1024 + 400*len(a.Order.Lines) + 300*len(a.Timeline) + 300*len(a.Outbox) + 40*len(a.Seen)
	for i := range a.POs {
		n += 600 + 300*len(a.POs[i].Lines)
	}
	return n
}

// jw appends JSON to b; the first error sticks.
type jw struct {
	b   []byte
	err error
}

func (w *jw) raw(s string) { w.b = append(w.b, s...) }

// marshal appends v as encoding/json writes it.
func (w *jw) marshal(v any) {
	b, err := json.Marshal(v)
	if err != nil && w.err == nil {
		w.err = err
	}
	w.b = append(w.b, b...)
}

func (w *jw) int(n int64) { w.b = strconv.AppendInt(w.b, n, 10) }

// time appends t as time.Time.MarshalJSON does (RFC 3339 with
// nanoseconds; a year it cannot write is its error).
func (w *jw) time(t time.Time) {
	if y := t.Year(); y < 0 || y > 9999 {
		w.marshal(t)
		return
	}
	w.b = append(w.b, '"')
	w.b = t.AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"')
}

// key appends ,"name": (or "name": first in an object, first set).
func (w *jw) key(first *bool, name string) {
	if !*first {
		w.b = append(w.b, ',')
	}
	*first = false
	w.b = append(w.b, '"')
	w.b = append(w.b, name...)
	w.b = append(w.b, '"', ':')
}

// optStr appends a string field tagged omitempty.
func (w *jw) optStr(first *bool, name, v string) {
	if v != "" {
		w.key(first, name)
		w.str(v)
	}
}

func (w *jw) optInt(first *bool, name string, v int64) {
	if v != 0 {
		w.key(first, name)
		w.int(v)
	}
}

func (w *jw) optTime(first *bool, name string, t *time.Time) {
	if t != nil {
		w.key(first, name)
		w.time(*t)
	}
}

func (w *jw) strings(ss []string) {
	if ss == nil {
		w.raw("null")
		return
	}
	w.b = append(w.b, '[')
	for i, s := range ss {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.str(s)
	}
	w.b = append(w.b, ']')
}

// strMap appends m with its keys sorted, as encoding/json does.
func (w *jw) strMap(m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.b = append(w.b, '{')
	for i, k := range keys {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.str(k)
		w.b = append(w.b, ':')
		w.str(m[k])
	}
	w.b = append(w.b, '}')
}

func (w *jw) money(m money.Money) {
	w.raw(`{"amount":`)
	w.int(m.Amount)
	w.raw(`,"currency":`)
	w.str(m.Currency)
	w.b = append(w.b, '}')
}

func (w *jw) address(a *Address) {
	first := true
	w.b = append(w.b, '{')
	w.optStr(&first, "name", a.Name)
	w.optStr(&first, "company", a.Company)
	w.optStr(&first, "line1", a.Line1)
	w.optStr(&first, "line2", a.Line2)
	w.optStr(&first, "city", a.City)
	w.optStr(&first, "region", a.Region)
	w.optStr(&first, "postal_code", a.PostalCode)
	w.optStr(&first, "country", a.Country)
	w.optStr(&first, "phone", a.Phone)
	w.optStr(&first, "email", a.Email)
	w.b = append(w.b, '}')
}

func (w *jw) refs(rs []Ref) {
	w.b = append(w.b, '[')
	for i, r := range rs {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.raw(`{"system":`)
		w.str(r.System)
		w.raw(`,"id":`)
		w.str(r.ID)
		w.b = append(w.b, '}')
	}
	w.b = append(w.b, ']')
}

func (w *jw) cause(c Cause) {
	w.raw(`{"kind":`)
	w.str(c.Kind)
	if c.Ref != "" {
		w.raw(`,"ref":`)
		w.str(c.Ref)
	}
	w.b = append(w.b, '}')
}

func (w *jw) order(o *Order) {
	w.raw(`{"id":`)
	w.str(o.ID)
	w.raw(`,"channel":`)
	w.str(o.Channel)
	w.raw(`,"channel_order_id":`)
	w.str(o.ChannelOrderID)
	first := false
	w.optStr(&first, "channel_order_number", o.ChannelOrderNumber)
	w.raw(`,"placed_at":`)
	w.time(o.PlacedAt)
	w.raw(`,"currency":`)
	w.str(o.Currency)
	w.raw(`,"customer":{`)
	cf := true
	w.optStr(&cf, "id", o.Customer.ID)
	w.optStr(&cf, "name", o.Customer.Name)
	w.optStr(&cf, "email", o.Customer.Email)
	w.optStr(&cf, "phone", o.Customer.Phone)
	w.b = append(w.b, '}')
	if o.ShippingAddress != nil {
		w.raw(`,"shipping_address":`)
		w.address(o.ShippingAddress)
	}
	if o.BillingAddress != nil {
		w.raw(`,"billing_address":`)
		w.address(o.BillingAddress)
	}
	w.raw(`,"lines":`)
	if o.Lines == nil {
		w.raw("null")
	} else {
		w.b = append(w.b, '[')
		for i := range o.Lines {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.orderLine(&o.Lines[i])
		}
		w.b = append(w.b, ']')
	}
	w.raw(`,"totals":{"subtotal":`)
	w.money(o.Totals.Subtotal)
	w.raw(`,"shipping":`)
	w.money(o.Totals.Shipping)
	w.raw(`,"tax":`)
	w.money(o.Totals.Tax)
	w.raw(`,"discount":`)
	w.money(o.Totals.Discount)
	w.raw(`,"total":`)
	w.money(o.Totals.Total)
	w.b = append(w.b, '}')
	w.optStr(&first, "shipping_method", o.ShippingMethod)
	if len(o.Tags) > 0 {
		w.raw(`,"tags":`)
		w.strings(o.Tags)
	}
	w.optStr(&first, "note", o.Note)
	w.raw(`,"status":`)
	w.str(string(o.Status))
	w.optStr(&first, "payment_status", string(o.PaymentStatus))
	w.optStr(&first, "risk", o.Risk)
	w.optTime(&first, "ship_by", o.ShipBy)
	if len(o.Holds) > 0 {
		w.raw(`,"holds":`)
		w.marshal(o.Holds)
	}
	w.optTime(&first, "cancelled_at", o.CancelledAt)
	w.optStr(&first, "cancel_reason", o.CancelReason)
	w.optStr(&first, "raw_ref", o.RawRef)
	if len(o.Refs) > 0 {
		w.raw(`,"refs":`)
		w.refs(o.Refs)
	}
	w.b = append(w.b, '}')
}

func (w *jw) orderLine(l *OrderLine) {
	w.raw(`{"id":`)
	w.str(l.ID)
	first := false
	w.optStr(&first, "channel_product_id", l.ChannelProductID)
	w.optStr(&first, "channel_variant_id", l.ChannelVariantID)
	w.raw(`,"sku":`)
	w.str(l.SKU)
	w.optStr(&first, "title", l.Title)
	w.raw(`,"quantity":`)
	w.int(l.Quantity)
	w.raw(`,"unit_price":`)
	w.money(l.UnitPrice)
	w.raw(`,"discount":`)
	w.money(l.Discount)
	w.raw(`,"tax":`)
	w.money(l.Tax)
	if len(l.ProductTags) > 0 {
		w.raw(`,"product_tags":`)
		w.strings(l.ProductTags)
	}
	if l.NoShipping {
		w.raw(`,"no_shipping":true`)
	}
	w.optInt(&first, "cancelled", l.Cancelled)
	w.optInt(&first, "returned", l.Returned)
	q := &l.Qty
	w.raw(`,"qty":{"ordered":`)
	w.int(q.Ordered)
	w.raw(`,"cancelled":`)
	w.int(q.Cancelled)
	w.raw(`,"routed":`)
	w.int(q.Routed)
	w.raw(`,"sent":`)
	w.int(q.Sent)
	w.raw(`,"acknowledged":`)
	w.int(q.Acknowledged)
	w.raw(`,"backordered":`)
	w.int(q.Backordered)
	w.raw(`,"shipped":`)
	w.int(q.Shipped)
	w.raw(`,"delivered":`)
	w.int(q.Delivered)
	w.raw(`,"returned":`)
	w.int(q.Returned)
	w.b = append(w.b, '}')
	w.optStr(&first, "state", string(l.State))
	w.b = append(w.b, '}')
}

func (w *jw) po(p *PurchaseOrder) {
	w.raw(`{"number":`)
	w.str(p.Number)
	w.raw(`,"seq":`)
	w.int(int64(p.Seq))
	w.raw(`,"order_id":`)
	w.str(p.OrderID)
	w.raw(`,"supplier":`)
	w.str(p.Supplier)
	w.raw(`,"status":`)
	w.str(string(p.Status))
	w.raw(`,"currency":`)
	w.str(p.Currency)
	w.raw(`,"ship_to":`)
	w.address(&p.ShipTo)
	w.raw(`,"lines":`)
	if p.Lines == nil {
		w.raw("null")
	} else {
		w.b = append(w.b, '[')
		for i := range p.Lines {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.poLine(&p.Lines[i])
		}
		w.b = append(w.b, ']')
	}
	w.raw(`,"created_at":`)
	w.time(p.Created)
	first := false
	w.optStr(&first, "order_number", p.OrderNumber)
	w.optStr(&first, "shipping_method", p.ShippingMethod)
	w.optTime(&first, "sent_at", p.SentAt)
	w.optTime(&first, "ack_due_at", p.AckDueAt)
	w.optTime(&first, "ship_due_at", p.ShipDueAt)
	w.optTime(&first, "acknowledged_at", p.AcknowledgedAt)
	w.optStr(&first, "document", p.Document)
	if len(p.Refs) > 0 {
		w.raw(`,"refs":`)
		w.refs(p.Refs)
	}
	w.b = append(w.b, '}')
}

func (w *jw) poLine(l *POLine) {
	w.raw(`{"line_no":`)
	w.int(int64(l.LineNo))
	w.raw(`,"order_line_id":`)
	w.str(l.OrderLineID)
	w.raw(`,"sku":`)
	w.str(l.SKU)
	w.raw(`,"supplier_sku":`)
	w.str(l.SupplierSKU)
	first := false
	w.optStr(&first, "gtin", l.GTIN)
	w.optStr(&first, "description", l.Description)
	w.raw(`,"quantity":`)
	w.int(l.Quantity)
	w.raw(`,"unit_cost":`)
	w.money(l.UnitCost)
	w.optInt(&first, "acknowledged", l.Acknowledged)
	w.optInt(&first, "backordered", l.Backordered)
	w.optInt(&first, "rejected", l.Rejected)
	w.optInt(&first, "cancelled", l.Cancelled)
	w.optInt(&first, "shipped", l.Shipped)
	w.optStr(&first, "reject_reason", l.RejectReason)
	w.optTime(&first, "promised_ship", l.PromisedShip)
	w.b = append(w.b, '}')
}

func (w *jw) entry(e *TimelineEntry) {
	w.raw(`{"at":`)
	w.time(e.At)
	w.raw(`,"entity":`)
	w.str(e.Entity)
	w.raw(`,"event":`)
	w.str(e.Event)
	first := false
	w.optStr(&first, "from", e.From)
	w.optStr(&first, "to", e.To)
	w.raw(`,"message":`)
	w.str(e.Message)
	w.raw(`,"cause":`)
	w.cause(e.Cause)
	if len(e.Data) > 0 {
		w.raw(`,"data":`)
		w.strMap(e.Data)
	}
	w.b = append(w.b, '}')
}

func (w *jw) event(ev *Event) {
	w.raw(`{"type":`)
	w.str(string(ev.Type))
	w.raw(`,"at":`)
	w.time(ev.At)
	first := false
	w.optStr(&first, "order_id", ev.OrderID)
	w.optStr(&first, "po", ev.PONumber)
	w.optStr(&first, "supplier", ev.Supplier)
	w.optStr(&first, "shipment", ev.ShipmentID)
	w.optStr(&first, "line", ev.LineID)
	w.optInt(&first, "quantity", ev.Quantity)
	if ev.Exception != nil {
		w.raw(`,"exception":`)
		w.marshal(ev.Exception)
	}
	if ev.Settlement != nil {
		w.raw(`,"settlement":`)
		w.marshal(ev.Settlement)
	}
	w.raw(`,"cause":`)
	w.cause(ev.Cause)
	if len(ev.Data) > 0 {
		w.raw(`,"data":`)
		w.strMap(ev.Data)
	}
	w.optStr(&first, "job", ev.Job)
	w.b = append(w.b, '}')
}

const hexDigits = "0123456789abcdef"

// plainASCII marks the ASCII bytes a JSON string holds as they are.
var plainASCII = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// str appends s quoted as encoding/json does by default: <, > and & as
// \u escapes (HTML-safe), invalid UTF-8 as U+FFFD, U+2028 and U+2029
// escaped.
func (w *jw) str(s string) {
	b := append(w.b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plainASCII[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	w.b = append(b, '"')
}
