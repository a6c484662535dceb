package email

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
)

// docType is RejectedDoc.Type of a reply.
const docType = "e-mail reply"

// ParseDocuments reads one reply (a raw RFC 822 message) and returns what
// it says about which purchase order:
//
//   - tracking numbers (in a CSV attachment, else in the text): a
//     ShipNotice, with the items when the reply lists them and otherwise
//     WholePO (every unit not yet shipped);
//   - items refused next to tracking numbers: a POAck for those items,
//     before the ShipNotice;
//   - no tracking number: a POAck when the reply confirms, refuses, or
//     answers our cancellation;
//   - anything else (no PO number, nothing recognised, a bounce, an
//     out-of-office, a number with a wrong check digit): a RejectedDoc
//     with the reason, which the engine raises as an exception while
//     the raw message stays in the store.
//
// It never returns an error: a reply is always accounted for. Document
// ids are "email:<Message-ID>" (plus ":<PO>" when one reply covers
// several POs, ":ack" for an acknowledgement beside a ship notice), so a
// message read twice is applied once.
func (c *Connector) ParseDocuments(_ context.Context, name string, data []byte) (*connector.Parsed, error) {
	p := c.replies.parse(c.env.Name, name, data)
	if p.ignored != "" && c.env.Logger != nil {
		c.env.Logger.Info("email: message ignored", "file", name, "reason", p.ignored)
	}
	return &p.Parsed, nil
}

// parseResult is Parsed plus why a message produced nothing at all.
type parseResult struct {
	connector.Parsed
	ignored string
}

// parse is ParseDocuments without the connector: the supplier's name and
// the rules are all it needs.
func (r *replyRules) parse(supplier, name string, data []byte) parseResult {
	var res parseResult
	in, err := readInbound(data)
	if err != nil {
		sum := sha256.Sum256(data)
		res.reject("email:sha256-"+hex.EncodeToString(sum[:16]), fmt.Sprintf("%s: %v", name, err))
		return res
	}
	if ourMsgID.MatchString(in.MessageID) && in.DropgatePO != "" {
		// Our own PO, copied into the folder we read (a Bcc to ourselves,
		// a supplier address that is a list we are on).
		res.ignored = "our own message " + in.MessageID
		return res
	}
	m := &replyMsg{in: in, id: "email:" + in.MessageID, about: describe(in), supplier: supplier, text: in.text(false)}
	m.ref, m.poErr = findPO(in)
	if m.ref.Number != "" {
		m.about += " about " + m.ref.Number
	}
	if why := automatic(in); why != "" {
		res.reject(m.id, fmt.Sprintf("%s: %s", m.about, why))
		return res
	}
	if ret := rmaThread(in); ret != "" {
		r.fromRMAReply(m, ret, &res)
		return res
	}
	m.hint = r.namedCarrier(m.text)
	if r.fromCSV(m, &res) {
		return res
	}
	if m.poErr != nil {
		res.rejectAll(m.id, m.about, append([]string{m.poErr.Error()}, m.problems...))
		return res
	}
	r.fromText(m, &res)
	return res
}

// replyMsg is one reply on its way through parse.
type replyMsg struct {
	in       *inbound
	id       string // the document id: email:<Message-ID>
	about    string // sender, subject and PO, for reasons
	supplier string
	text     string // the reply's own text, quotes cut
	ref      poRef
	poErr    error
	hint     namedCarrier
	problems []string // found on the way, reported with the outcome
}

// fromCSV turns the first CSV attachment that lists shipments into ship
// notices; it reports whether one did.
func (r *replyRules) fromCSV(m *replyMsg, res *parseResult) bool {
	for _, f := range m.in.CSV {
		sh, ok, errs := r.readShippingCSV(f, m.ref.Number, m.hint)
		m.problems = append(m.problems, errs...)
		if ok && len(sh.POs) > 0 {
			res.shipFromCSV(m.id, m.supplier, m.in, sh)
			res.rejectAll(m.id, m.about, m.problems)
			return true
		}
	}
	return false
}

// fromText reads the reply's own text: tracking numbers (and refused
// items beside them), else an acknowledgement, else a rejection.
func (r *replyRules) fromText(m *replyMsg, res *parseResult) {
	po := m.ref.Number
	parcels, errs := r.findTracking(m.text, m.hint)
	m.problems = append(m.problems, errs...)
	switch {
	case len(parcels) > 0:
		if rj := r.findRejections(m.text); len(rj.Lines) > 0 && !rj.Whole {
			ack := &model.POAck{PONumber: po, Supplier: m.supplier, Date: m.in.Date, Status: ackWithChanges, Reason: rj.Reason, Lines: rj.Lines}
			res.Docs = append(res.Docs, connector.InboundDoc{ID: m.id + ":ack", PONumber: po, POAck: ack})
		}
		exclude := map[string]bool{po: true}
		for _, p := range parcels {
			exclude[p.Number] = true
		}
		res.ship(m.id, m.supplier, po, m.in.Date, parcels, r.findLines(m.text, exclude))
		res.rejectAll(m.id, m.about, m.problems)
	case len(m.problems) > 0:
		res.rejectAll(m.id, m.about, m.problems)
	default:
		if ack := r.ackFor(m.text, m.ref, m.supplier, m.in.Date); ack != nil {
			res.Docs = append(res.Docs, connector.InboundDoc{ID: m.id, PONumber: po, POAck: ack})
			return
		}
		res.reject(m.id, fmt.Sprintf("%s: found no tracking number, confirmation, refusal or cancellation answer dropgate recognises (see replies: in the supplier's config)", m.about))
	}
}

// ship adds a ShipNotice for one PO. Without items, the notice is
// WholePO: the supplier said "shipped" about the order as a whole. With
// items and several parcels, the items go with the first parcel and the
// others carry their tracking numbers only (e-mails rarely say which box
// holds what).
func (res *parseResult) ship(id, supplier, po string, at time.Time, parcels []parcel, lines []model.ShipmentLine) {
	sn := &model.ShipNotice{PONumber: po, Supplier: supplier, ShippedAt: at, WholePO: len(lines) == 0}
	for i, p := range parcels {
		pkg := model.Package{TrackingNumber: p.Number, Carrier: p.Carrier, Lines: []model.ShipmentLine{}}
		if i == 0 {
			pkg.Lines = append(pkg.Lines, lines...)
		}
		sn.Packages = append(sn.Packages, pkg)
	}
	sn.Carrier = commonCarrier(parcels)
	res.Docs = append(res.Docs, connector.InboundDoc{ID: id, PONumber: po, ShipNotice: sn})
}

// shipFromCSV adds one ShipNotice per PO of a CSV attachment.
func (res *parseResult) shipFromCSV(id, supplier string, in *inbound, sh *csvShipment) {
	for _, po := range sh.POs {
		docID := id
		if len(sh.POs) > 1 {
			docID = id + ":" + po
		}
		parcels := sh.Parcels[po]
		sn := &model.ShipNotice{PONumber: po, Supplier: supplier, ShippedAt: in.Date, Carrier: commonCarrier(parcels)}
		hasLines := false
		for _, p := range parcels {
			lines := append([]model.ShipmentLine{}, p.Lines...)
			hasLines = hasLines || len(lines) > 0
			sn.Packages = append(sn.Packages, model.Package{TrackingNumber: p.Number, Carrier: p.Carrier, Lines: lines})
		}
		sn.WholePO = !hasLines
		res.Docs = append(res.Docs, connector.InboundDoc{ID: docID, PONumber: po, ShipNotice: sn})
	}
}

// commonCarrier is the carrier of every parcel, or "" when they differ.
func commonCarrier(ps []parcel) string {
	if len(ps) == 0 {
		return ""
	}
	c := ps[0].Carrier
	for _, p := range ps[1:] {
		if p.Carrier != c {
			return ""
		}
	}
	return c
}

func (res *parseResult) reject(id, reason string) {
	res.Rejected = append(res.Rejected, connector.RejectedDoc{ID: id, Type: docType, Errors: []string{reason}})
}

// rejectAll records the problems of a reply that also produced documents
// (or of one that produced none), under an id of their own.
func (res *parseResult) rejectAll(id, about string, problems []string) {
	if len(problems) == 0 {
		return
	}
	if len(res.Docs) > 0 {
		id += ":rejected"
	}
	errs := make([]string, len(problems))
	for i, p := range problems {
		errs[i] = about + ": " + p
	}
	res.Rejected = append(res.Rejected, connector.RejectedDoc{ID: id, Type: docType, Errors: errs})
}

// describe names a reply for a person: sender and subject.
func describe(in *inbound) string {
	subj := in.Subject
	if len(subj) > 120 {
		subj = strings.ToValidUTF8(subj[:120], "") + "…"
	}
	return fmt.Sprintf("reply from %s (subject %q)", orUnknown(in.From), subj)
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown sender"
	}
	return s
}

// automatic reports why a message is not the supplier's answer: a bounce
// (our e-mail did not arrive: the PO was not received) or an automatic
// reply (out of office: nobody read it).
func automatic(in *inbound) string {
	if in.Report {
		return "a delivery failure notice: our e-mail did not reach the supplier, so it has not received the purchase order"
	}
	subj := strings.ToLower(in.Subject)
	if strings.HasPrefix(in.AutoSubmitted, "auto-replied") ||
		strings.Contains(subj, "out of office") || strings.HasPrefix(subj, "automatic reply") ||
		strings.HasPrefix(subj, "auto-reply") || strings.HasPrefix(subj, "autoreply") || strings.HasPrefix(subj, "auto:") {
		return "an automatic reply (out of office?): nobody has answered the purchase order yet"
	}
	return ""
}
