package edifact

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/edifact"
)

// BGM 1225 message function codes of our ORDERS.
const (
	functionOriginal = "9" // 1225 9: original
	functionCancel   = "1" // 1225 1: cancellation
)

// Maximum lengths of the data elements we write (D96A segment directory).
const (
	maxID     = 35 // 1004, 1154, 7140, 3039: an..35
	maxName   = 35 // C080/3036, C059/3042, 3164, C056/3412: an..35
	maxText   = 70 // C108/4440: an..70
	maxIMD    = 35 // C273/7008: an..35, two of them
	maxRegion = 9  // 3229 country sub-entity: an..9
	maxPost   = 9  // 3251 postcode: an..9
	maxPhone  = 512
)

// RenderOrders writes one interchange holding one ORDERS message for po
// with interchange control reference ctrl, prepared at now. function is
// the BGM message function: 9 (original) or 1 (cancellation). The layout
// follows the D96A ORDERS as EANCOM partners implement it:
//
//	BGM+220+<PO>+9                    1001 220 order; 1225 9 original, 1 cancellation
//	DTM+137:<CCYYMMDD>:102            document date
//	FTX+DEL+++<shipping method>       4451 DEL delivery information, when the channel had one
//	RFF+CO:<channel order number>     1153 CO, the number the customer knows, for the packing slip
//	NAD+BY+<GLN>::9  NAD+SU+<GLN>::9  when partner.buyer_gln / supplier_gln are set
//	NAD+ST+++<name>:<company>+<street>:<street 2>+<city>+<region>+<postcode>+<country>
//	CTA+IC+:<name>  COM+<phone>:TE  COM+<e-mail>:EM     ship to the customer
//	CUX+2:<currency>:9                6347 2 reference currency, 6343 9 order currency
//	LIN+<n>++<GTIN>:EN                per line; 7143 EN, when the line has a GTIN
//	PIA+5+<supplier SKU>:SA           4347 5 product identification, 7143 SA supplier's article number
//	PIA+1+<our SKU>:IN                4347 1 additional identification, 7143 IN buyer's item number
//	IMD+F++:::<description>           7077 F free-form
//	QTY+21:<quantity>                 6063 21 ordered quantity
//	PRI+AAA:<unit cost>               5125 AAA calculation net
//	UNS+S  CNT+2:<lines>              0081 S summary; 6069 2 number of line items
//
// Values are escaped with the release character by the writer and encoded
// in the profile's syntax; names and addresses are cut to their element's
// length, identifiers that do not fit are an error.
func (c *Connector) RenderOrders(po *model.PurchaseOrder, order *model.Order, ctrl string, now time.Time, function string) ([]byte, error) {
	p := &c.cfg.Partner
	var buf bytes.Buffer
	w := edifact.NewWriter(&buf, edifact.WriterOptions{Delimiters: p.Delimiters.edifact(), UNA: p.UNA, LineEnding: p.lineEnding(), Policy: p.policy()})
	b := &ordersWriter{w: w, mark: p.Delimiters.edifact().Decimal}
	h := edifact.InterchangeHeader{
		Syntax: p.syntax(), SyntaxVersion: p.syntaxVersion(),
		Sender:     edifact.Party{ID: p.Sender.ID, Qualifier: p.Sender.Qualifier},
		Recipient:  edifact.Party{ID: p.Recipient.ID, Qualifier: p.Recipient.Qualifier},
		ControlRef: ctrl,
	}
	if expect, _ := c.ExpectFunctionalAck(); expect {
		h.AckRequest = "1" // 0031 1: acknowledgement (CONTRL) requested
	}
	if p.isTest() {
		h.Test = "1" // 0035 1: test interchange
	}
	h.SetPrepared(now.In(c.loc))
	b.check(w.BeginInterchange(h))
	v := p.version()
	b.check(w.BeginMessage(edifact.MessageHeader{Ref: "1", Type: "ORDERS", Version: v[:1], Release: v[1:], Agency: "UN", Association: p.Association}))

	b.seg("BGM", el("220"), el(b.id("BGM02 (purchase order number)", po.Number)), el(function))
	b.seg("DTM", el("137", po.Created.In(c.loc).Format("20060102"), "102"))
	if po.ShippingMethod != "" {
		b.seg("FTX", el("DEL"), nil, nil, el(cut(po.ShippingMethod, maxText)))
	}
	if n := orderNumber(po, order); n != "" {
		b.seg("RFF", el("CO", b.id("RFF01-2 (customer order number)", n)))
	}
	if p.BuyerGLN != "" {
		b.seg("NAD", el("BY"), el(p.BuyerGLN, "", "9")) // 3055 9: GS1
	}
	if p.SupplierGLN != "" {
		b.seg("NAD", el("SU"), el(p.SupplierGLN, "", "9"))
	}
	b.shipTo(&po.ShipTo)
	if po.Currency != "" {
		b.seg("CUX", el("2", po.Currency, "9"))
	}
	for _, l := range po.Lines {
		b.line(l)
	}
	b.seg("UNS", el("S"))
	b.seg("CNT", el("2", strconv.Itoa(len(po.Lines))))
	b.check(w.EndMessage())
	b.check(w.EndInterchange())
	if b.err != nil {
		// The writer's errors are sticky: this is the first one, naming
		// the segment and element the profile refused.
		return nil, fault.Permanent(fmt.Errorf("ORDERS %s: %w", po.Number, b.err))
	}
	return buf.Bytes(), nil
}

// orderNumber is what RFF+CO carries: the channel's order number, the one
// the customer sees.
func orderNumber(po *model.PurchaseOrder, order *model.Order) string {
	if order != nil && order.ChannelOrderNumber != "" {
		return order.ChannelOrderNumber
	}
	return po.OrderNumber
}

// ordersWriter writes body segments, keeping the first error.
type ordersWriter struct {
	w    *edifact.Writer
	mark byte // decimal mark
	err  error
}

func (b *ordersWriter) check(err error) {
	if b.err == nil && err != nil {
		b.err = err
	}
}

func (b *ordersWriter) seg(tag string, elements ...edifact.Element) {
	b.check(b.w.WriteSegment(tag, elements...))
}

// id checks an identifier against its element's length: cutting a PO
// number or a SKU would order something else, so it is an error.
func (b *ordersWriter) id(what, v string) string {
	if n := len([]rune(v)); n > maxID {
		b.check(fmt.Errorf("%s %q is %d characters, more than the %d the element holds", what, v, n, maxID))
	}
	return v
}

// shipTo writes the customer's address (NAD+ST, 3035 ST ship to) and,
// when there is a phone or e-mail, a contact (CTA 3139 IC information
// contact) with its numbers (COM 3155 TE telephone, EM electronic mail),
// which carriers need for a delivery to a home.
func (b *ordersWriter) shipTo(a *model.Address) {
	b.seg("NAD", el("ST"), nil, nil,
		el(cut(a.Name, maxName), cut(a.Company, maxName)),            // C080 party name: 3036 ×2
		el(cut(a.Line1, maxName), cut(a.Line2, maxName)),             // C059 street: 3042 ×2
		el(cut(a.City, maxName)),                                     // 3164 city name
		el(cut(a.Region, maxRegion)), el(cut(a.PostalCode, maxPost)), // 3229, 3251
		el(a.Country)) // 3207 country, ISO 3166-1 alpha-2
	if a.Phone == "" && a.Email == "" {
		return
	}
	b.seg("CTA", el("IC"), el("", cut(a.Name, maxName))) // C056: 3413 department, 3412 name
	if a.Phone != "" {
		b.seg("COM", el(cut(a.Phone, maxPhone), "TE"))
	}
	if a.Email != "" {
		b.seg("COM", el(cut(a.Email, maxPhone), "EM"))
	}
}

// line writes one LIN group.
func (b *ordersWriter) line(l model.POLine) {
	lin := []edifact.Element{el(strconv.Itoa(l.LineNo))}
	if l.GTIN != "" {
		lin = append(lin, nil, el(b.id("LIN03-1 (GTIN)", l.GTIN), "EN"))
	}
	b.seg("LIN", lin...)
	if l.SupplierSKU != "" {
		b.seg("PIA", el("5"), el(b.id("PIA02-1 (supplier's article number)", l.SupplierSKU), "SA"))
	}
	if l.SKU != "" {
		b.seg("PIA", el("1"), el(b.id("PIA02-1 (buyer's item number)", l.SKU), "IN"))
	}
	if l.Description != "" {
		// C273 holds two 7008 of an..35: a longer description is split
		// at a space and what does not fit is cut.
		first, rest := splitText(l.Description, maxIMD)
		b.seg("IMD", el("F"), nil, el("", "", "", first, cut(rest, maxIMD)))
	}
	b.seg("QTY", el("21", strconv.FormatInt(l.Quantity, 10)))
	if l.UnitCost.Currency != "" {
		b.seg("PRI", el("AAA", edifact.FormatDecimal(l.UnitCost.Decimal(), b.mark)))
	}
}

// splitText splits s after at most max characters, at the last space
// that allows it (the space is dropped: a reader joins the parts with
// one), or exactly at max when there is none.
func splitText(s string, max int) (string, string) {
	r := []rune(s)
	if len(r) <= max {
		return s, ""
	}
	for k := max; k > 0; k-- {
		if r[k] == ' ' {
			return string(r[:k]), string(r[k+1:])
		}
	}
	return string(r[:max]), string(r[max:])
}

// el builds an element from its components.
func el(components ...string) edifact.Element { return edifact.Element(components) }

// cut shortens s to max characters (runes, not bytes: an element's length
// counts characters) so that a long street name does not get the whole
// order rejected by the partner's translator.
func cut(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max])
}
