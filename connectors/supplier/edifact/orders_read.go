package edifact

import (
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/edifact"
)

// OrdersMessage is one ORDERS message read into canonical form.
type OrdersMessage struct {
	ID string // sender, UNB 0020 and UNH 0062, as InboundDoc.ID
	PO *model.PurchaseOrder
	// DocumentName is BGM C002/1001 (code list 1001): 220 order, 221
	// blanket order, 224 rush order; partners use others too.
	DocumentName string
	// Function is BGM 1225 as sent: 9 original, 1 cancellation, 4
	// change…; empty when the sender left it out.
	Function string
	// DeliveryRequested is DTM+2 (2005 2: delivery date/time,
	// requested), when given.
	DeliveryRequested time.Time
	// Errors are the message's problems, each with its location; PO is
	// incomplete when there are any.
	Errors []string
}

// RefParty is the prefix of the refs ReadOrders records for the parties
// of an ORDERS: "edifact:NAD+BY" holds the buyer's C082/3039
// identification (a GLN with agency 9).
const RefParty = "edifact:NAD+"

// ReadOrders reads every ORDERS message in data into a purchase order: the
// inverse of RenderOrders, and a reader for buyers' ORDERS in general.
// Messages of other types are skipped. The error is returned when the
// data cannot be read at all (see ParseDocuments); problems inside a
// message are listed on it.
func (c *Connector) ReadOrders(data []byte) ([]OrdersMessage, error) {
	ics, err := edifact.Parse(data)
	if f := fatal(err); f != nil {
		return nil, fault.Permanent(f)
	}
	if len(ics) == 0 {
		return nil, fault.Permanent(fmt.Errorf("no EDIFACT interchange (UNA or UNB) found"))
	}
	var out []OrdersMessage
	for _, ic := range ics {
		for _, msg := range ic.AllMessages() {
			if msg.Header.Type != "ORDERS" {
				continue
			}
			m := newMapper(msg, c.env.Name, c.cfg.Partner.currency(), c.loc)
			om := m.mapOrders()
			om.ID = docID(msg)
			for _, e := range ic.Errors {
				om.Errors = append(om.Errors, e.Error())
			}
			for _, e := range msg.Errors {
				om.Errors = append(om.Errors, e.Error())
			}
			out = append(out, om)
		}
	}
	return out, nil
}

// ordersReader holds the state of one ORDERS mapping: which party the
// NAD group being read is about, and the line being read.
type ordersReader struct {
	*mapper
	om       OrdersMessage
	party    string // 3035 of the current NAD
	shipTo   string // 3035 the ship-to address came from: ST, or DP until an ST comes
	line     *model.POLine
	ids      itemIDs
	detail   bool // a LIN has been read
	cnt      *edifact.Segment
	hasPrice bool
}

// mapOrders reads one ORDERS (see RenderOrders for the segments).
func (m *mapper) mapOrders() OrdersMessage {
	r := &ordersReader{mapper: m, om: OrdersMessage{PO: &model.PurchaseOrder{Supplier: m.supplier}}}
	po := r.om.PO
	m.firstCurrency()
	var bgm *edifact.Segment
	for _, seg := range m.msg.Body() {
		switch seg.Tag {
		case "BGM":
			bgm = seg
			r.om.DocumentName = seg.Component(0, 0)
			po.Number = m.required(seg, 1, 0, "document number")
			r.om.Function = seg.Value(2)
		case "DTM":
			r.dtm(seg)
		case "FTX":
			// 4451 DEL delivery information: the requested service.
			if !r.detail && seg.Value(0) == "DEL" {
				po.ShippingMethod = text(seg, 3, 0)
			}
		case "RFF":
			if !r.detail && seg.Component(0, 0) == "CO" {
				po.OrderNumber = seg.Component(0, 1) // 1153 CO: buyer's order number
			}
		case "NAD":
			r.nad(seg)
		case "COM":
			r.com(seg)
		case "LIN":
			r.endLine()
			r.detail = true
			no, ids := readLIN(seg)
			if no == 0 {
				no = len(po.Lines) + 1
			}
			r.line, r.ids, r.hasPrice = &model.POLine{LineNo: no}, ids, false
		case "PIA":
			if r.line != nil {
				r.ids.readPIA(seg)
			}
		case "IMD":
			if r.line != nil {
				r.line.Description = text(seg, 2, 3) // C273/7008 ×2
			}
		case "QTY":
			if r.line != nil && seg.Component(0, 0) == "21" { // 6063 21: ordered quantity
				r.line.Quantity, _ = m.units(seg, 0, 1)
			}
		case "PRI":
			r.pri(seg)
		case "CNT":
			if seg.Component(0, 0) == "2" { // 6069 2: number of line items
				r.cnt = seg
			}
		}
	}
	r.endLine()
	po.Currency = m.currency
	if bgm == nil {
		m.missingSegment("BGM", "an ORDERS starts with BGM")
	}
	if len(po.Lines) == 0 {
		m.missingSegment("LIN", "an ORDERS orders at least one line")
	}
	r.checkCount()
	return r.om
}

// dtm reads the header dates: 137 document date (the PO's date, or 4
// order date without one) and 2 requested delivery date.
func (r *ordersReader) dtm(seg *edifact.Segment) {
	if r.detail {
		return
	}
	switch seg.Component(0, 0) {
	case "137":
		if t, ok := r.date(seg, 0); ok {
			r.om.PO.Created = t
		}
	case "4":
		if t, ok := r.date(seg, 0); ok && r.om.PO.Created.IsZero() {
			r.om.PO.Created = t
		}
	case "2":
		if t, ok := r.date(seg, 0); ok {
			r.om.DeliveryRequested = t
		}
	}
}

// nad reads a party. Its C082 identification becomes a ref; ST (ship to)
// or, without one, DP (delivery party) is the ship-to address:
// C080/3036 name and company, C059/3042 street lines, 3164 city, 3229
// region, 3251 postcode, 3207 country.
func (r *ordersReader) nad(seg *edifact.Segment) {
	r.party = seg.Value(0)
	po := r.om.PO
	if id := seg.Component(1, 0); id != "" {
		po.Refs = append(po.Refs, model.Ref{System: RefParty + r.party, ID: id})
	}
	if r.party != "ST" && (r.party != "DP" || r.shipTo == "ST") {
		return
	}
	r.shipTo = r.party
	po.ShipTo = model.Address{
		Name: seg.Component(3, 0), Company: seg.Component(3, 1),
		Line1: seg.Component(4, 0), Line2: seg.Component(4, 1),
		City: seg.Value(5), Region: seg.Value(6), PostalCode: seg.Value(7), Country: seg.Value(8),
	}
}

// com reads the ship-to contact's numbers: C076 3148 number, 3155 channel
// (TE telephone, EM electronic mail).
func (r *ordersReader) com(seg *edifact.Segment) {
	if r.party == "" || r.party != r.shipTo {
		return
	}
	switch seg.Component(0, 1) {
	case "TE":
		r.om.PO.ShipTo.Phone = seg.Component(0, 0)
	case "EM":
		r.om.PO.ShipTo.Email = seg.Component(0, 0)
	}
}

// pri reads the line's unit price: C509 5125 AAA (calculation net)
// preferred, else the first price given.
func (r *ordersReader) pri(seg *edifact.Segment) {
	if r.line == nil || (r.hasPrice && seg.Component(0, 0) != "AAA") {
		return
	}
	if p, ok := r.amount(seg, 0, 1); ok {
		r.line.UnitCost, r.hasPrice = p, true
	}
}

func (r *ordersReader) endLine() {
	if r.line == nil {
		return
	}
	r.line.SupplierSKU, r.line.SKU, r.line.GTIN = r.ids.SupplierSKU, r.ids.SKU, r.ids.GTIN
	r.om.PO.Lines = append(r.om.PO.Lines, *r.line)
	r.line = nil
}

// checkCount compares CNT+2 with the lines read.
func (r *ordersReader) checkCount() {
	if r.cnt == nil {
		return
	}
	n, ok := r.units(r.cnt, 0, 1)
	if ok && n != int64(len(r.om.PO.Lines)) {
		r.fail(r.cnt, 0, 1, codeInvalidValue, "CNT01-2 says %d line items but the message has %d", n, len(r.om.PO.Lines))
	}
}
