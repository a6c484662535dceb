package edi_x12

import (
	"bytes"
	"fmt"
	"strconv"
	"time"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/edipartner"
	"github.com/dropgate/dropgate/internal/x12"
)

// BEG01 transaction set purpose codes.
const (
	purposeOriginal = "00"
	purposeCancel   = "01"
)

// Render850 writes one interchange holding one 850 for po. ISA13 and GS06
// carry ctrl; ST02 is 0001 (one set per interchange). The layout follows
// the 004010 850 as drop-ship partners commonly implement it:
//
//	BEG*00*DS*<PO>**<date>      BEG02 DS: drop-ship order
//	CUR*BY*<currency>
//	REF*CO*<channel order no.>  the customer's order number, for the packing slip
//	DTM*004*<date>              purchase order date
//	TD5*Z****<method>           requested service, when the channel had one
//	N1*ST*<name> N2 N3 N4 PER   ship to the customer
//	PO1*<n>*<qty>*EA*<cost>**VP*<supplier SKU>*BP*<our SKU>[*UP|EN*<GTIN>]
//	PID*F****<description>
//	CTT*<lines>*<Σ quantity>
func (c *Connector) Render850(po *model.PurchaseOrder, order *model.Order, ctrl int64, now time.Time, purpose string) ([]byte, error) {
	e, err := c.newEnvelope(now)
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("850 %s: %w", po.Number, err))
	}
	_ = e.Begin(ctrl)
	c.writePOSet(e.w, po, order, "0001", purpose)
	data, err := e.End()
	if err != nil {
		return nil, fault.Permanent(fmt.Errorf("850 %s: %w", po.Number, err))
	}
	return data, nil
}

// envelope is one interchange of 850s being written: ISA/GS, the sets,
// GE/IEA (edipartner.Envelope, for batches).
type envelope struct {
	c   *Connector
	buf bytes.Buffer
	w   *x12.Writer
	now time.Time
	fid string // GS01: PO (default), AN for a 180
}

func (c *Connector) newEnvelope(now time.Time) (*envelope, error) {
	p := &c.cfg.Partner
	opts := []x12.WriterOption{x12.WithCharset(charset(p.Charset))}
	if p.InvalidChars == "reject" {
		opts = append(opts, x12.WithDataPolicy(x12.RejectInvalid))
	}
	if p.Replacement != "" {
		opts = append(opts, x12.WithReplacement(p.Replacement[0]))
	}
	if nl := c.lineEnding(); nl != "" {
		opts = append(opts, x12.WithNewline(nl))
	}
	e := &envelope{c: c, now: now.In(c.loc)}
	w, err := x12.NewWriter(&e.buf, c.delims, opts...)
	if err != nil {
		return nil, err
	}
	e.w = w
	return e, nil
}

// Begin opens the interchange and its PO group, both numbered ctrl
// (ISA13 = GS06).
func (e *envelope) Begin(ctrl int64) error {
	p := &e.c.cfg.Partner
	control := strconv.FormatInt(ctrl, 10)
	gsSender, gsReceiver := p.GSSender, p.GSReceiver
	if gsSender == "" {
		gsSender = p.SenderID
	}
	if gsReceiver == "" {
		gsReceiver = p.ReceiverID
	}
	_ = e.w.BeginInterchange(x12.InterchangeHeader{
		SenderQualifier: p.SenderQualifier, SenderID: p.SenderID,
		ReceiverQualifier: p.ReceiverQualifier, ReceiverID: p.ReceiverID,
		Date: e.now, Version: isaVersion(p.Version), Control: control,
		AckRequested: p.TA1Requested, Usage: p.Usage,
	})
	fid := e.fid
	if fid == "" {
		fid = "PO"
	}
	_ = e.w.BeginGroup(x12.GroupHeader{FunctionalID: fid, Sender: gsSender, Receiver: gsReceiver, Date: e.now, Control: control, Version: p.Version})
	return nil
}

// End closes group and interchange. The writer's errors are sticky: the
// first one, naming the segment and element the partner profile refused,
// comes out here.
func (e *envelope) End() ([]byte, error) {
	_ = e.w.EndGroup()
	_ = e.w.EndInterchange()
	if err := e.w.Close(); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

// writePOSet writes one 850 transaction set, ST to SE, numbered set.
func (c *Connector) writePOSet(w *x12.Writer, po *model.PurchaseOrder, order *model.Order, set, purpose string) {
	_ = w.BeginSet(x12.SetHeader{ID: "850", Control: set})

	poDate := po.Created.In(c.loc).Format("20060102")
	_ = w.WriteSegment("BEG", purpose, "DS", po.Number, "", poDate)
	if po.Currency != "" {
		_ = w.WriteSegment("CUR", "BY", po.Currency)
	}
	if order != nil && order.ChannelOrderNumber != "" {
		_ = w.WriteSegment("REF", "CO", order.ChannelOrderNumber)
	}
	_ = w.WriteSegment("DTM", "004", poDate)
	if po.ShippingMethod != "" {
		_ = w.WriteSegment("TD5", "Z", "", "", "", po.ShippingMethod)
	}
	writeShipTo(w, &po.ShipTo)

	var qtySum int64
	for _, l := range po.Lines {
		qtySum += l.Quantity
		el := []string{strconv.Itoa(l.LineNo), strconv.FormatInt(l.Quantity, 10), "EA", l.UnitCost.Decimal().String(), "",
			"VP", l.SupplierSKU, "BP", l.SKU}
		if q := gtinQualifier(l.GTIN); q != "" {
			el = append(el, q, l.GTIN)
		}
		_ = w.WriteSegment("PO1", el...)
		if l.Description != "" {
			_ = w.WriteSegment("PID", "F", "", "", "", truncate(l.Description, 80))
		}
	}
	_ = w.WriteSegment("CTT", strconv.Itoa(len(po.Lines)), strconv.FormatInt(qtySum, 10))
	_ = w.EndSet()
}

// lineEnding follows each segment terminator of our 850s and 997s
// (partner.newline).
func (c *Connector) lineEnding() string {
	d := c.delims
	return edipartner.LineEnding(c.cfg.Partner.Newline, d.Element, d.Component, d.Repetition, d.Segment)
}

func writeShipTo(w *x12.Writer, a *model.Address) {
	_ = w.WriteSegment("N1", "ST", truncate(a.Name, 60))
	if a.Company != "" {
		_ = w.WriteSegment("N2", truncate(a.Company, 60))
	}
	_ = w.WriteSegment("N3", truncate(a.Line1, 55), truncate(a.Line2, 55))
	_ = w.WriteSegment("N4", truncate(a.City, 30), a.Region, a.PostalCode, a.Country)
	var per []string
	if a.Phone != "" {
		per = append(per, "TE", a.Phone)
	}
	if a.Email != "" {
		per = append(per, "EM", a.Email)
	}
	if len(per) > 0 {
		_ = w.WriteSegment("PER", append([]string{"IC", truncate(a.Name, 60)}, per...)...)
	}
}

// gtinQualifier picks the product id qualifier of a GTIN by length: UPC-A
// (12) is UP, EAN-13 is EN, GTIN-14 is UK.
func gtinQualifier(g string) string {
	switch len(g) {
	case 12:
		return "UP"
	case 13:
		return "EN"
	case 14:
		return "UK"
	}
	return ""
}

// truncate cuts s to max runes: X12 elements have maximum lengths, and a
// partner's translator rejects a whole set over one long street name.
func truncate(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max])
}

func charset(name string) x12.Charset {
	switch name {
	case "basic":
		return x12.CharsetBasic
	case "extended":
		return x12.CharsetExtended
	}
	return x12.CharsetUTF8
}
