package lifecycle

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/model"
)

// A supplier document's business identity is what it says, not how it
// travelled. Partners routinely re-send a ship notice in a new envelope
// (new ISA13/GS06, new UNB0020), an e-mail twice, an API the same answer
// on every poll; the envelope's control numbers then differ while the
// document is the same. Applying it twice would count a partial shipment
// twice. So every document gets a business key (what it is about) and a
// fingerprint (what it says about it):
//
//   - same key, same fingerprint: a true duplicate; recorded on the
//     timeline, nothing else changes;
//   - same key, other fingerprint: a conflict (the supplier says two
//     different things about one shipment or invoice); nothing is applied
//     and an exception asks a person;
//   - a new key: applied.
//
// Keys (the same for X12, EDIFACT, e-mail and API replies, since they are
// computed on the canonical documents):
//
//   - ship notice: PO + the supplier's shipment id (856 BSN02, DESADV BGM)
//     + the tracking numbers; fingerprint: carrier and the items per
//     package. Without a shipment id and tracking numbers there is nothing
//     to recognise it by, and the envelope id is used.
//   - acknowledgement: PO + the document's date + every line answer; a
//     revised 855 differs in its answers, so it is a new document.
//   - invoice: the supplier's invoice number (810 BIG02, INVOIC BGM) +
//     credit-memo flag; fingerprint: total, currency and lines.

// DocIdentity is a document's business key and content fingerprint.
type DocIdentity struct {
	Key         string
	Fingerprint string
}

// ShipNoticeIdentity returns the business identity of a ship notice, and
// false when it carries nothing to recognise it by.
func ShipNoticeIdentity(sn *model.ShipNotice) (DocIdentity, bool) {
	var tracking []string
	for _, p := range sn.Packages {
		if n := strings.TrimSpace(p.TrackingNumber); n != "" {
			tracking = append(tracking, strings.ToUpper(n))
		}
	}
	sort.Strings(tracking)
	tracking = slices.Compact(tracking)
	if sn.ShipmentID == "" && len(tracking) == 0 {
		return DocIdentity{}, false
	}
	key := join("asn", sn.PONumber, sn.ShipmentID, strings.Join(tracking, ","))
	var parts []string
	for _, p := range sn.Packages {
		var lines []string
		for _, l := range p.Lines {
			lines = append(lines, fmt.Sprintf("%d/%s/%s/%s=%d", l.POLineNo, l.SupplierSKU, l.SKU, l.GTIN, l.Quantity))
		}
		sort.Strings(lines)
		parts = append(parts, strings.ToUpper(strings.TrimSpace(p.TrackingNumber))+":"+strings.Join(lines, ";"))
	}
	sort.Strings(parts)
	fp := join(strings.ToLower(sn.Carrier), fmt.Sprint(sn.WholePO), strings.Join(parts, "|"))
	return DocIdentity{Key: key, Fingerprint: digest(fp)}, true
}

// POAckIdentity returns the business identity of an acknowledgement.
func POAckIdentity(ack *model.POAck) DocIdentity {
	var lines []string
	for _, l := range ack.Lines {
		lines = append(lines, ackLineText(l))
	}
	key := join("ack", ack.PONumber, ack.Status, ack.CancelResponse, dateText(ack.Date), ack.SupplierID, digest(strings.Join(lines, "|")))
	return DocIdentity{Key: key, Fingerprint: key}
}

func ackLineText(l model.AckLine) string {
	s := fmt.Sprintf("%d/%s/%s/%s/%s=%d", l.LineNo, l.SupplierSKU, l.SKU, l.GTIN, l.Status, l.Quantity)
	if l.UnitCost != nil {
		s += "@" + l.UnitCost.String()
	}
	if l.ShipDate != nil {
		s += "^" + dateText(*l.ShipDate)
	}
	for _, p := range l.SplitAnswers {
		s += "+" + ackLineText(p)
	}
	return s
}

// InvoiceIdentity returns the business identity of an invoice from
// supplier, and false when it has no number.
func InvoiceIdentity(inv *model.Invoice, supplier string) (DocIdentity, bool) {
	if strings.TrimSpace(inv.Number) == "" {
		return DocIdentity{}, false
	}
	var lines []string
	for _, l := range inv.Lines {
		lines = append(lines, fmt.Sprintf("%d/%s/%s=%d@%s", l.LineNo, l.SupplierSKU, l.SKU, l.Quantity, l.UnitPrice))
	}
	sort.Strings(lines)
	key := join("invoice", supplier, strings.TrimSpace(inv.Number), fmt.Sprint(inv.CreditMemo))
	fp := join(inv.PONumber, inv.Total.String(), strings.Join(lines, "|"))
	return DocIdentity{Key: key, Fingerprint: digest(fp)}, true
}

// seenVerdict is what an aggregate already knows of a document.
type seenVerdict int

const (
	docNew seenVerdict = iota
	docDuplicate
	docConflict
)

// checkIdentity compares a document's identity with those already applied
// to the order.
func checkIdentity(a *model.Aggregate, id DocIdentity) (seenVerdict, model.AppliedDoc) {
	for _, d := range a.Applied {
		if d.Key != id.Key {
			continue
		}
		if d.Fingerprint == id.Fingerprint {
			return docDuplicate, d
		}
		return docConflict, d
	}
	return docNew, model.AppliedDoc{}
}

// admit decides whether a document is applied. It records true duplicates
// on the timeline and raises an exception for conflicts; only a new
// document returns true (and is remembered under its identity and id).
func admit(a *model.Aggregate, po *model.PurchaseOrder, what string, id DocIdentity, known bool, docID string, s Step, out *Outcome) bool {
	if docID != "" {
		a.MarkSeen(docID)
	}
	if !known {
		return true
	}
	verdict, prior := checkIdentity(a, id)
	if verdict == docNew {
		a.Applied = append(a.Applied, model.AppliedDoc{Key: id.Key, Fingerprint: id.Fingerprint, DocID: docID, At: s.At})
		return true
	}
	out.Changed = true
	entity := "order"
	if po != nil {
		entity = "po:" + po.Number
	}
	first := orDash(prior.DocID)
	event, msg := "document.duplicate", fmt.Sprintf("%s received again (first applied from %s); nothing changed", what, first)
	if verdict == docConflict {
		event, msg = "document.conflict", fmt.Sprintf("%s received again with different content (first applied from %s); not applied", what, first)
		out.raise(model.ExDocumentConflict, a, po, fmt.Sprintf("%s was received twice with different content (first %s, then %s); the second was not applied: check with the supplier which is right",
			what, first, orDash(docID)), "resolve")
	}
	a.Log(model.TimelineEntry{At: s.At, Entity: entity, Event: event, Cause: s.Cause, Message: msg,
		Data: map[string]string{"first": prior.DocID, "again": docID}})
	return false
}

func join(parts ...string) string { return strings.Join(parts, "\x1f") }

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:12])
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
