package model

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/dropgate/dropgate/core/money"
)

// DecodeRecord reads a record written by AppendRecord or by
// encoding/json into a, which must be zero: the result is what
// json.Unmarshal gives, for the keys AppendRecord writes (keys are matched
// exactly, not case-insensitively; unknown keys are skipped). Malformed
// JSON is an error.
func (a *Aggregate) DecodeRecord(data []byte) error {
	r := jr{d: data}
	r.obj(func(k []byte) {
		switch string(k) {
		case "order":
			r.order(&a.Order)
		case "purchase_orders":
			a.POs = nil
			r.arr(func() {
				a.POs = append(a.POs, PurchaseOrder{})
				r.po(&a.POs[len(a.POs)-1])
			}, func() { a.POs = []PurchaseOrder{} })
		case "shipments":
			r.fallback(&a.Shipments)
		case "invoices":
			r.fallback(&a.Invoices)
		case "payments":
			r.fallback(&a.Payments)
		case "returns":
			r.fallback(&a.Returns)
		case "timeline":
			a.Timeline = nil
			r.arr(func() {
				a.Timeline = append(a.Timeline, TimelineEntry{})
				r.entry(&a.Timeline[len(a.Timeline)-1])
			}, func() { a.Timeline = []TimelineEntry{} })
		case "seen":
			a.Seen = r.strings()
		case "applied":
			r.fallback(&a.Applied)
		case "outbox":
			a.Outbox = nil
			r.arr(func() {
				a.Outbox = append(a.Outbox, Event{})
				r.event(&a.Outbox[len(a.Outbox)-1])
			}, func() { a.Outbox = []Event{} })
		case "created_at":
			a.Created = r.time()
		case "updated_at":
			a.Updated = r.time()
		default:
			r.skip()
		}
	})
	r.ws()
	if r.err == nil && r.i != len(r.d) {
		r.fail("data after the top-level value")
	}
	return r.err
}

// commonStrings are values most orders repeat (statuses, states, event
// and cause kinds, currencies): read without allocating a copy each.
var commonStrings = func() map[string]string {
	m := map[string]string{}
	add := func(ss ...string) {
		for _, s := range ss {
			m[s] = s
		}
	}
	for _, s := range OrderStatuses {
		add(string(s))
	}
	for _, s := range OrderPayments {
		add(string(s))
	}
	add(string(PODraft), string(POSent), string(POAckOverdue), string(POAcknowledged), string(POAckWithChanges), string(PORejected),
		string(POPartiallyShipped), string(POShipped), string(POClosed), string(POCancelRequested), string(POCancelled), string(POCancelRejected))
	add(string(LineOpen), string(LineRouted), string(LineSent), string(LineAcknowledged), string(LineBackordered), string(LinePartiallyShipped),
		string(LineShipped), string(LineDelivered), string(LineReturned), string(LineCancelled))
	add(CauseWebhook, CauseDocument, CauseTimer, CauseOperator, CauseSystem, CausePoll)
	add(string(EvOrderReceived), string(EvPODrafted), string(EvPOSent), string(EvPOAcknowledged), string(EvAvailabilityChanged))
	add("order", "order.received", "po.created", "po.sent", "line.routed", "routing.decided", "USD", "EUR", "GBP", "CAD", "AUD")
	delete(m, "")
	for s := range m {
		maxCommon = max(maxCommon, len(s))
	}
	return m
}()

// maxCommon is the longest of commonStrings (longer values are not
// looked up).
var maxCommon int

// jr reads JSON from d at i; the first error sticks and ends every loop.
type jr struct {
	d   []byte
	i   int
	err error
}

func (r *jr) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("json at offset %d: %s", r.i, fmt.Sprintf(format, args...))
	}
	r.i = len(r.d)
}

func (r *jr) ws() {
	for r.i < len(r.d) {
		switch r.d[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

func (r *jr) peek() byte {
	if r.i < len(r.d) {
		return r.d[r.i]
	}
	return 0
}

// lit consumes the literal s (true, false, null) if it is next.
func (r *jr) lit(s string) bool {
	if len(r.d)-r.i >= len(s) && string(r.d[r.i:r.i+len(s)]) == s {
		r.i += len(s)
		return true
	}
	return false
}

// null consumes a null if it is next: the field keeps its zero value, as
// with encoding/json on a zero target.
func (r *jr) null() bool {
	r.ws()
	return r.peek() == 'n' && r.lit("null")
}

// obj reads an object, calling fn with each key; fn reads its value.
func (r *jr) obj(fn func(k []byte)) {
	if r.null() {
		return
	}
	if r.peek() != '{' {
		r.fail("want an object")
		return
	}
	r.i++
	r.ws()
	if r.peek() == '}' {
		r.i++
		return
	}
	for r.err == nil {
		r.ws()
		k := r.key()
		r.ws()
		if r.peek() != ':' {
			r.fail("want ':'")
			return
		}
		r.i++
		fn(k)
		r.ws()
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			return
		default:
			r.fail("want ',' or '}'")
		}
	}
}

// arr reads an array, calling fn for each element; empty is called for
// [] (a non-nil empty slice, as encoding/json makes).
func (r *jr) arr(fn func(), empty func()) {
	if r.null() {
		return
	}
	if r.peek() != '[' {
		r.fail("want an array")
		return
	}
	r.i++
	r.ws()
	if r.peek() == ']' {
		r.i++
		if empty != nil {
			empty()
		}
		return
	}
	for r.err == nil {
		fn()
		r.ws()
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return
		default:
			r.fail("want ',' or ']'")
		}
	}
}

// strEnd returns the index of the closing quote of the string whose
// opening quote is at r.i, and whether it is plain: no escape, no
// control character, valid UTF-8 (its bytes are then its value).
func (r *jr) strEnd() (int, bool) {
	plain, ascii := true, true
	for j := r.i + 1; j < len(r.d); j++ {
		switch c := r.d[j]; {
		case c == '"':
			if !ascii && plain && !utf8.Valid(r.d[r.i+1:j]) {
				plain = false
			}
			return j, plain
		case c == '\\':
			plain = false
			j++
		case c < 0x20:
			plain = false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return -1, false
}

// key reads an object key; plain keys are not copied.
func (r *jr) key() []byte {
	if r.peek() != '"' {
		r.fail("want a key")
		return nil
	}
	end, plain := r.strEnd()
	if end < 0 {
		r.fail("unterminated string")
		return nil
	}
	if plain {
		k := r.d[r.i+1 : end]
		r.i = end + 1
		return k
	}
	return []byte(r.str())
}

func (r *jr) str() string {
	if r.null() {
		return ""
	}
	if r.peek() != '"' {
		r.fail("want a string")
		return ""
	}
	end, plain := r.strEnd()
	if end < 0 {
		r.fail("unterminated string")
		return ""
	}
	if plain {
		b := r.d[r.i+1 : end]
		r.i = end + 1
		if len(b) <= maxCommon {
			if s, ok := commonStrings[string(b)]; ok {
				return s
			}
		}
		return string(b)
	}
	// Escapes, control characters or bad UTF-8: encoding/json decides.
	var s string
	if err := json.Unmarshal(r.d[r.i:end+1], &s); err != nil {
		r.fail("%v", err)
		return ""
	}
	r.i = end + 1
	return s
}

func (r *jr) strings() []string {
	var out []string
	r.arr(func() { out = append(out, r.str()) }, func() { out = []string{} })
	return out
}

// number consumes a JSON number and returns its text.
func (r *jr) number() []byte {
	start, j := r.i, r.i
	digits := func() bool {
		k := j
		for j < len(r.d) && r.d[j] >= '0' && r.d[j] <= '9' {
			j++
		}
		return j > k
	}
	if j < len(r.d) && r.d[j] == '-' {
		j++
	}
	switch {
	case j < len(r.d) && r.d[j] == '0':
		j++
	case !digits():
		r.fail("want a number")
		return nil
	}
	if j < len(r.d) && r.d[j] == '.' {
		j++
		if !digits() {
			r.fail("bad number")
			return nil
		}
	}
	if j < len(r.d) && (r.d[j] == 'e' || r.d[j] == 'E') {
		j++
		if j < len(r.d) && (r.d[j] == '+' || r.d[j] == '-') {
			j++
		}
		if !digits() {
			r.fail("bad number")
			return nil
		}
	}
	r.i = j
	return r.d[start:j]
}

// int reads an integer; a fraction or exponent is an error, as
// encoding/json makes it for an int64 (money never passes through a
// float).
func (r *jr) int() int64 {
	if r.null() {
		return 0
	}
	at := r.i
	b := r.number()
	if r.err != nil {
		return 0
	}
	neg := b[0] == '-'
	digits := b
	if neg {
		digits = b[1:]
	}
	if len(digits) > 18 {
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			r.i = at
			r.fail("%v", err)
		}
		return n
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			r.i = at
			r.fail("number %s is not an integer", b)
			return 0
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n
}

func (r *jr) bool() bool {
	r.ws()
	switch {
	case r.lit("true"):
		return true
	case r.lit("false"), r.lit("null"):
		return false
	}
	r.fail("want a boolean")
	return false
}

// time reads a time as time.Time.UnmarshalJSON does. The form
// AppendRecord writes for UTC (2006-01-02T15:04:05.999999999Z) is read
// here without copying; any other goes to UnmarshalJSON.
func (r *jr) time() time.Time {
	if r.null() {
		return time.Time{}
	}
	if r.peek() != '"' {
		r.fail("want a time")
		return time.Time{}
	}
	end, _ := r.strEnd()
	if end < 0 {
		r.fail("unterminated string")
		return time.Time{}
	}
	s := r.d[r.i+1 : end]
	if t, ok := utcTime(s); ok {
		r.i = end + 1
		return t
	}
	var t time.Time
	if err := t.UnmarshalJSON(r.d[r.i : end+1]); err != nil {
		r.fail("%v", err)
		return time.Time{}
	}
	r.i = end + 1
	return t
}

// utcTime parses YYYY-MM-DDTHH:MM:SS[.fraction]Z with a valid date and
// clock, or reports false.
func utcTime(s []byte) (time.Time, bool) {
	if len(s) < 20 || s[len(s)-1] != 'Z' || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(b []byte) (int, bool) {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(s[0:4])
	month, ok2 := num(s[5:7])
	day, ok3 := num(s[8:10])
	hour, ok4 := num(s[11:13])
	minute, ok5 := num(s[14:16])
	sec, ok6 := num(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	if day > daysIn(time.Month(month), year) {
		return time.Time{}, false
	}
	nsec := 0
	frac := s[19 : len(s)-1]
	if len(frac) > 0 {
		if frac[0] != '.' || len(frac) < 2 || len(frac) > 10 {
			return time.Time{}, false
		}
		n, ok := num(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for range 10 - len(frac) {
			n *= 10
		}
		nsec = n
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC), true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (r *jr) timePtr() *time.Time {
	if r.null() {
		return nil
	}
	t := r.time()
	return &t
}

// skip reads past one value of any kind.
func (r *jr) skip() {
	r.ws()
	switch c := r.peek(); {
	case c == '{':
		r.obj(func([]byte) { r.skip() })
	case c == '[':
		r.arr(r.skip, nil)
	case c == '"':
		end, plain := r.strEnd()
		if end < 0 {
			r.fail("unterminated string")
			return
		}
		if !plain {
			_ = r.str() // validated by encoding/json
			return
		}
		r.i = end + 1
	case c == 't' || c == 'f':
		r.bool()
	case c == 'n':
		r.lit("null")
	default:
		r.number()
	}
}

// fallback decodes the next value into v with encoding/json.
func (r *jr) fallback(v any) {
	r.ws()
	start := r.i
	r.skip()
	if r.err != nil {
		return
	}
	if err := json.Unmarshal(r.d[start:r.i], v); err != nil {
		r.i = start
		r.fail("%v", err)
	}
}

func (r *jr) money() money.Money {
	var m money.Money
	r.obj(func(k []byte) {
		switch string(k) {
		case "amount":
			m.Amount = r.int()
		case "currency":
			m.Currency = r.str()
		default:
			r.skip()
		}
	})
	return m
}

func (r *jr) address(a *Address) {
	r.obj(func(k []byte) {
		switch string(k) {
		case "name":
			a.Name = r.str()
		case "company":
			a.Company = r.str()
		case "line1":
			a.Line1 = r.str()
		case "line2":
			a.Line2 = r.str()
		case "city":
			a.City = r.str()
		case "region":
			a.Region = r.str()
		case "postal_code":
			a.PostalCode = r.str()
		case "country":
			a.Country = r.str()
		case "phone":
			a.Phone = r.str()
		case "email":
			a.Email = r.str()
		default:
			r.skip()
		}
	})
}

func (r *jr) addressPtr() *Address {
	if r.null() {
		return nil
	}
	a := &Address{}
	r.address(a)
	return a
}

func (r *jr) refs() []Ref {
	var out []Ref
	r.arr(func() {
		var ref Ref
		r.obj(func(k []byte) {
			switch string(k) {
			case "system":
				ref.System = r.str()
			case "id":
				ref.ID = r.str()
			default:
				r.skip()
			}
		})
		out = append(out, ref)
	}, func() { out = []Ref{} })
	return out
}

func (r *jr) cause() Cause {
	var c Cause
	r.obj(func(k []byte) {
		switch string(k) {
		case "kind":
			c.Kind = r.str()
		case "ref":
			c.Ref = r.str()
		default:
			r.skip()
		}
	})
	return c
}

// strMap reads an object of strings; encoding/json fills a fresh map (nil
// for null).
func (r *jr) strMap() map[string]string {
	if r.null() {
		return nil
	}
	m := map[string]string{}
	r.obj(func(k []byte) { m[string(k)] = r.str() })
	return m
}

func (r *jr) order(o *Order) {
	r.obj(func(k []byte) {
		switch string(k) {
		case "id":
			o.ID = r.str()
		case "channel":
			o.Channel = r.str()
		case "channel_order_id":
			o.ChannelOrderID = r.str()
		case "channel_order_number":
			o.ChannelOrderNumber = r.str()
		case "placed_at":
			o.PlacedAt = r.time()
		case "currency":
			o.Currency = r.str()
		case "customer":
			c := &o.Customer
			r.obj(func(k []byte) {
				switch string(k) {
				case "id":
					c.ID = r.str()
				case "name":
					c.Name = r.str()
				case "email":
					c.Email = r.str()
				case "phone":
					c.Phone = r.str()
				default:
					r.skip()
				}
			})
		case "shipping_address":
			o.ShippingAddress = r.addressPtr()
		case "billing_address":
			o.BillingAddress = r.addressPtr()
		case "lines":
			o.Lines = nil
			r.arr(func() {
				o.Lines = append(o.Lines, OrderLine{})
				r.orderLine(&o.Lines[len(o.Lines)-1])
			}, func() { o.Lines = []OrderLine{} })
		case "totals":
			t := &o.Totals
			r.obj(func(k []byte) {
				switch string(k) {
				case "subtotal":
					t.Subtotal = r.money()
				case "shipping":
					t.Shipping = r.money()
				case "tax":
					t.Tax = r.money()
				case "discount":
					t.Discount = r.money()
				case "total":
					t.Total = r.money()
				default:
					r.skip()
				}
			})
		case "shipping_method":
			o.ShippingMethod = r.str()
		case "tags":
			o.Tags = r.strings()
		case "note":
			o.Note = r.str()
		case "status":
			o.Status = OrderStatus(r.str())
		case "payment_status":
			o.PaymentStatus = OrderPayment(r.str())
		case "risk":
			o.Risk = r.str()
		case "ship_by":
			o.ShipBy = r.timePtr()
		case "holds":
			r.fallback(&o.Holds)
		case "cancelled_at":
			o.CancelledAt = r.timePtr()
		case "cancel_reason":
			o.CancelReason = r.str()
		case "raw_ref":
			o.RawRef = r.str()
		case "refs":
			o.Refs = r.refs()
		default:
			r.skip()
		}
	})
}

func (r *jr) orderLine(l *OrderLine) {
	r.obj(func(k []byte) {
		switch string(k) {
		case "id":
			l.ID = r.str()
		case "channel_product_id":
			l.ChannelProductID = r.str()
		case "channel_variant_id":
			l.ChannelVariantID = r.str()
		case "sku":
			l.SKU = r.str()
		case "title":
			l.Title = r.str()
		case "quantity":
			l.Quantity = r.int()
		case "unit_price":
			l.UnitPrice = r.money()
		case "discount":
			l.Discount = r.money()
		case "tax":
			l.Tax = r.money()
		case "product_tags":
			l.ProductTags = r.strings()
		case "no_shipping":
			l.NoShipping = r.bool()
		case "cancelled":
			l.Cancelled = r.int()
		case "returned":
			l.Returned = r.int()
		case "qty":
			q := &l.Qty
			r.obj(func(k []byte) {
				switch string(k) {
				case "ordered":
					q.Ordered = r.int()
				case "cancelled":
					q.Cancelled = r.int()
				case "routed":
					q.Routed = r.int()
				case "sent":
					q.Sent = r.int()
				case "acknowledged":
					q.Acknowledged = r.int()
				case "backordered":
					q.Backordered = r.int()
				case "shipped":
					q.Shipped = r.int()
				case "delivered":
					q.Delivered = r.int()
				case "returned":
					q.Returned = r.int()
				default:
					r.skip()
				}
			})
		case "state":
			l.State = LineState(r.str())
		default:
			r.skip()
		}
	})
}

func (r *jr) po(p *PurchaseOrder) {
	r.obj(func(k []byte) {
		switch string(k) {
		case "number":
			p.Number = r.str()
		case "seq":
			p.Seq = int(r.int())
		case "order_id":
			p.OrderID = r.str()
		case "supplier":
			p.Supplier = r.str()
		case "status":
			p.Status = POStatus(r.str())
		case "currency":
			p.Currency = r.str()
		case "ship_to":
			r.address(&p.ShipTo)
		case "lines":
			p.Lines = nil
			r.arr(func() {
				p.Lines = append(p.Lines, POLine{})
				r.poLine(&p.Lines[len(p.Lines)-1])
			}, func() { p.Lines = []POLine{} })
		case "created_at":
			p.Created = r.time()
		case "order_number":
			p.OrderNumber = r.str()
		case "shipping_method":
			p.ShippingMethod = r.str()
		case "sent_at":
			p.SentAt = r.timePtr()
		case "ack_due_at":
			p.AckDueAt = r.timePtr()
		case "ship_due_at":
			p.ShipDueAt = r.timePtr()
		case "acknowledged_at":
			p.AcknowledgedAt = r.timePtr()
		case "document":
			p.Document = r.str()
		case "refs":
			p.Refs = r.refs()
		default:
			r.skip()
		}
	})
}

func (r *jr) poLine(l *POLine) {
	r.obj(func(k []byte) {
		switch string(k) {
		case "line_no":
			l.LineNo = int(r.int())
		case "order_line_id":
			l.OrderLineID = r.str()
		case "sku":
			l.SKU = r.str()
		case "supplier_sku":
			l.SupplierSKU = r.str()
		case "gtin":
			l.GTIN = r.str()
		case "description":
			l.Description = r.str()
		case "quantity":
			l.Quantity = r.int()
		case "unit_cost":
			l.UnitCost = r.money()
		case "acknowledged":
			l.Acknowledged = r.int()
		case "backordered":
			l.Backordered = r.int()
		case "rejected":
			l.Rejected = r.int()
		case "cancelled":
			l.Cancelled = r.int()
		case "shipped":
			l.Shipped = r.int()
		case "reject_reason":
			l.RejectReason = r.str()
		case "promised_ship":
			l.PromisedShip = r.timePtr()
		default:
			r.skip()
		}
	})
}

func (r *jr) entry(e *TimelineEntry) {
	r.obj(func(k []byte) {
		switch string(k) {
		case "at":
			e.At = r.time()
		case "entity":
			e.Entity = r.str()
		case "event":
			e.Event = r.str()
		case "from":
			e.From = r.str()
		case "to":
			e.To = r.str()
		case "message":
			e.Message = r.str()
		case "cause":
			e.Cause = r.cause()
		case "data":
			e.Data = r.strMap()
		default:
			r.skip()
		}
	})
}

func (r *jr) event(ev *Event) {
	r.obj(func(k []byte) {
		switch string(k) {
		case "type":
			ev.Type = EventType(r.str())
		case "at":
			ev.At = r.time()
		case "order_id":
			ev.OrderID = r.str()
		case "po":
			ev.PONumber = r.str()
		case "supplier":
			ev.Supplier = r.str()
		case "shipment":
			ev.ShipmentID = r.str()
		case "line":
			ev.LineID = r.str()
		case "quantity":
			ev.Quantity = r.int()
		case "exception":
			r.fallback(&ev.Exception)
		case "settlement":
			r.fallback(&ev.Settlement)
		case "cause":
			ev.Cause = r.cause()
		case "data":
			ev.Data = r.strMap()
		case "job":
			ev.Job = r.str()
		default:
			r.skip()
		}
	})
}
