package http_api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/tracking"
)

// PollStatus asks the status endpoint about each open PO this supplier
// has an order id for, and returns what changed as documents whose ids
// are stable: the same answer polled twice yields the same ids, which
// the engine deduplicates.
//
//   - pending: nothing;
//   - accepted or rejected: a POAck, while the PO awaits one;
//   - cancelled: the answer to our cancellation request, or, unasked, a
//     rejection ("cancelled by the supplier") so the lines are rerouted;
//   - shipped, partially_shipped: one ShipNotice per shipment.
//
// Polls come in rounds, one every status.every, however often the
// engine calls: a call before the next round is due returns nothing and
// sends nothing. A PO whose status cannot be read (a 404, an unmapped
// value) is logged and skipped: one bad order must not stop tracking of
// the others. A retryable failure (429, 5xx, throttled) ends the call:
// the documents returned with it are valid, and the next call resumes the
// round after the last PO polled, so under a tight rate limit every PO
// still gets its turn.
func (c *Connector) PollStatus(ctx context.Context, open []*model.PurchaseOrder) ([]connector.InboundDoc, error) {
	if c.c.status == nil {
		return nil, nil
	}
	st, err := c.loadRound(ctx)
	if err != nil {
		return nil, err
	}
	if !st.Open && st.After == "" {
		if !st.Began.IsZero() && c.now().Sub(st.Began) < c.c.every {
			return nil, nil // not due
		}
		st.Began = c.now()
	}
	st.Open = true
	var pos []*model.PurchaseOrder
	for _, po := range open {
		if po == nil || po.Status.Final() || (po.Supplier != "" && po.Supplier != c.env.Name) || po.RefValue(c.refSystem()) == "" {
			continue // not ours, done, or never reached the supplier
		}
		if st.After == "" || po.Number > st.After {
			pos = append(pos, po)
		}
	}
	sort.Slice(pos, func(i, j int) bool { return pos[i].Number < pos[j].Number })
	var docs []connector.InboundDoc
	for _, po := range pos {
		got, err := c.pollOne(ctx, po, po.RefValue(c.refSystem()))
		if err != nil {
			if class, _ := fault.Classify(err); class != fault.ClassPermanent {
				c.saveRound(ctx, st)
				return docs, err
			}
			c.env.Logger.Warn("http_api: cannot read a PO's status", "connector", c.env.Name, "po", po.Number, "err", err)
		}
		docs = append(docs, got...)
		st.After = po.Number
	}
	st.After, st.Open = "", false
	c.saveRound(ctx, st)
	return docs, nil
}

// round is where polling stands, kept in the store so every replica
// shares it: when the current round began and, while it is unfinished,
// the last PO it polled (POs go in number order).
type round struct {
	Began time.Time `json:"began"`
	After string    `json:"after,omitempty"`
	// Open is a round cut short (a 429, a 5xx, no budget): the next call
	// resumes it, after After, whenever that is.
	Open bool `json:"open,omitempty"`

	version int64
}

// roundKind is the store record kind of a supplier's round.
const roundKind = "poll_round"

// loadRound reads the round; without a store every call is a round.
func (c *Connector) loadRound(ctx context.Context) (round, error) {
	if c.env.State == nil {
		return round{}, nil
	}
	rec, err := c.env.State.GetRecord(ctx, roundKind, c.env.Name)
	if errors.Is(err, store.ErrNotFound) {
		return round{}, nil
	}
	if err != nil {
		return round{}, fmt.Errorf("http_api %s: poll round: %w", c.env.Name, err)
	}
	var st round
	if err := json.Unmarshal(rec.Data, &st); err != nil {
		c.env.Logger.Warn("http_api: unreadable poll round; starting a new one", "connector", c.env.Name, "err", err)
		st = round{}
	}
	st.version = rec.Version
	return st, nil
}

// saveRound records the round. A failure costs at most an early or a
// repeated poll, never a document, so it is logged, not returned.
func (c *Connector) saveRound(ctx context.Context, st round) {
	if c.env.State == nil {
		return
	}
	data, _ := json.Marshal(st)
	if _, err := c.env.State.PutRecord(ctx, store.Record{Kind: roundKind, ID: c.env.Name, Data: data, Version: st.version}); err != nil {
		c.env.Logger.Warn("http_api: cannot record the poll round", "connector", c.env.Name, "err", err)
	}
}

// pollOne polls one order.
func (c *Connector) pollOne(ctx context.Context, po *model.PurchaseOrder, id string) ([]connector.InboundDoc, error) {
	op := fmt.Sprintf("http_api %s: status of order %s (%s)", c.env.Name, id, po.Number)
	rep, err := c.call(ctx, op, c.c.status, c.data(po, nil, id, ""), "")
	if err != nil {
		return nil, err
	}
	if rep.status < 200 || rep.status > 299 {
		return nil, c.statusError(op, rep)
	}
	doc, err := decodeJSON(rep.body)
	if err != nil {
		return nil, c.permanentf("%s: %v", op, err)
	}
	m := c.c.statusMap
	status, reason, err := c.readStatus(doc, m.respMap)
	if err != nil {
		return nil, c.permanentf("%s: %v", op, err)
	}
	awaitingAck := po.Status == model.POSent || po.Status == model.POAckOverdue
	switch status {
	case statusAccepted, statusRejected:
		if !awaitingAck {
			return nil, nil
		}
		ack, err := c.ack(doc, m.respMap, po, id)
		if err != nil {
			return nil, c.permanentf("%s: %v", op, err)
		}
		if ack == nil {
			return nil, nil
		}
		return []connector.InboundDoc{c.ackDoc(po, id, ack)}, nil
	case statusCancelled:
		ack := &model.POAck{PONumber: po.Number, Supplier: po.Supplier, SupplierID: id}
		if po.Status == model.POCancelRequested {
			ack.CancelResponse, ack.Reason = "accepted", reason
		} else {
			ack.Status, ack.Reason = "rejected", firstNonEmpty(reason, "cancelled by the supplier")
		}
		return []connector.InboundDoc{c.ackDoc(po, id, ack)}, nil
	case statusShipped, statusPartiallyShipped:
		docs, err := c.shipNotices(doc, po, id, status == statusShipped)
		if err != nil {
			return nil, c.permanentf("%s: %v", op, err)
		}
		return docs, nil
	}
	return nil, nil
}

// docID is a stable document id: connector, supplier order, kind, and a
// digest of what the supplier said (never of when we asked).
func (c *Connector) docID(supplierID, kind string, content ...string) string {
	return "http_api:" + c.env.Name + ":" + supplierID + ":" + kind + ":" + ids.Derive(16, content...)
}

// ackDoc wraps an acknowledgement; its id digests the verdict, so a
// revised verdict is a new document and a repeated one is not.
func (c *Connector) ackDoc(po *model.PurchaseOrder, id string, ack *model.POAck) connector.InboundDoc {
	digest, _ := json.Marshal(ack) // plain data: cannot fail
	ack.Date = c.now()
	return connector.InboundDoc{ID: c.docID(id, "ack", string(digest)), PONumber: po.Number, POAck: ack}
}

// shipNotices reads one ship notice per shipment. A shipment the API
// has not given tracking numbers yet (when the mapping reads them) is
// left for a later poll. When no shipment says what it holds, a complete
// shipment holds whatever of the PO is not shipped yet; a partial one
// without line detail cannot be told apart and waits.
func (c *Connector) shipNotices(doc any, po *model.PurchaseOrder, id string, complete bool) ([]connector.InboundDoc, error) {
	sm := c.c.statusMap.shipments
	if sm == nil {
		sm = &shipMap{path: &Path{}}
	}
	var docs []connector.InboundDoc
	withLines := false
	for _, el := range sm.path.Eval(doc, "$") {
		sn, digest, err := c.readShipment(el, sm)
		if err != nil {
			return nil, err
		}
		if sn == nil {
			continue
		}
		sn.PONumber, sn.Supplier = po.Number, po.Supplier
		for _, p := range sn.Packages {
			withLines = withLines || len(p.Lines) > 0
		}
		kindID := sn.ShipmentID
		if kindID == "" {
			kindID = digest
		}
		docs = append(docs, connector.InboundDoc{ID: c.docID(id, "ship", kindID), PONumber: po.Number, ShipNotice: sn})
	}
	if len(docs) == 0 || withLines {
		return docs, nil
	}
	if !complete {
		c.env.Logger.Warn("http_api: partially shipped, but the mapping reads no shipment lines; waiting until it is shipped",
			"connector", c.env.Name, "po", po.Number, "supplier_order", id)
		return nil, nil
	}
	docs[0].ShipNotice.Packages[0].Lines = remaining(po)
	return docs, nil
}

// readShipment reads one shipment and a digest of what identifies it
// (tracking numbers and contents). It returns nil while tracking numbers
// the mapping expects are not there yet.
func (c *Connector) readShipment(el Match, sm *shipMap) (*model.ShipNotice, string, error) {
	sn := &model.ShipNotice{}
	var err error
	if sn.ShipmentID, err = optionalText(sm.id, el.Value, el.Path); err != nil {
		return nil, "", err
	}
	if sm.shippedAt != nil {
		if m, ok := sm.shippedAt.First(el.Value, el.Path); ok {
			if sn.ShippedAt, err = timestamp(m); err != nil {
				return nil, "", err
			}
		}
	}
	carrier, err := optionalText(sm.carrier, el.Value, el.Path)
	if err != nil {
		return nil, "", err
	}
	sn.Carrier = c.carrier(carrier)
	if sn.Service, err = optionalText(sm.service, el.Value, el.Path); err != nil {
		return nil, "", err
	}
	switch {
	case sm.packages != nil:
		for _, pe := range sm.packages.path.Eval(el.Value, el.Path) {
			p, err := c.readPackage(pe, sm.packages, sn.Carrier)
			if err != nil {
				return nil, "", err
			}
			sn.Packages = append(sn.Packages, p)
		}
	case sm.tracking != nil:
		numbers, err := scalars(sm.tracking.Eval(el.Value, el.Path))
		if err != nil {
			return nil, "", err
		}
		for _, n := range numbers {
			sn.Packages = append(sn.Packages, model.Package{TrackingNumber: n, Lines: []model.ShipmentLine{}})
		}
	default:
		// Tracking is not mapped: one untracked package.
		sn.Packages = []model.Package{{Lines: []model.ShipmentLine{}}}
	}
	var numbers []string
	for _, p := range sn.Packages {
		if p.TrackingNumber != "" {
			numbers = append(numbers, p.TrackingNumber)
		}
	}
	if len(numbers) == 0 && (sm.packages != nil || sm.tracking != nil) {
		return nil, "", nil
	}
	if sm.lines != nil {
		lines, err := shipLines(sm.lines, el)
		if err != nil {
			return nil, "", err
		}
		sn.Packages[0].Lines = append(sn.Packages[0].Lines, lines...)
	}
	// The digest: sorted tracking numbers and the contents as read; an
	// untracked shipment is told apart by its place in the answer.
	sort.Strings(numbers)
	parts := append([]string{}, numbers...)
	for _, p := range sn.Packages {
		for _, l := range p.Lines {
			parts = append(parts, fmt.Sprintf("%d|%s|%s|%d", l.POLineNo, l.SKU, l.SupplierSKU, l.Quantity))
		}
	}
	if len(numbers) == 0 {
		parts = append(parts, el.Path)
	}
	return sn, strings.Join(parts, ","), nil
}

func (c *Connector) readPackage(pe Match, pm *pkgMap, shipmentCarrier string) (model.Package, error) {
	p := model.Package{Lines: []model.ShipmentLine{}}
	var err error
	if p.TrackingNumber, err = optionalText(pm.tracking, pe.Value, pe.Path); err != nil {
		return p, err
	}
	if p.TrackingURL, err = optionalText(pm.trackingURL, pe.Value, pe.Path); err != nil {
		return p, err
	}
	carrier, err := optionalText(pm.carrier, pe.Value, pe.Path)
	if err != nil {
		return p, err
	}
	if code := c.carrier(carrier); code != shipmentCarrier {
		p.Carrier = code
	}
	if pm.lines != nil {
		if p.Lines, err = shipLines(pm.lines, pe); err != nil {
			return p, err
		}
	}
	return p, nil
}

// scalars reads tracking numbers: strings, or lists of them.
func scalars(ms []Match) ([]string, error) {
	var out []string
	for _, m := range ms {
		if list, ok := m.Value.([]any); ok {
			var sub []Match
			for i, v := range list {
				sub = append(sub, Match{Path: fmt.Sprintf("%s[%d]", m.Path, i), Value: v})
			}
			more, err := scalars(sub)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
			continue
		}
		s, err := text(m)
		if err != nil {
			return nil, err
		}
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out, nil
}

// shipLines reads what a shipment or package holds.
func shipLines(lm *shipLineMap, el Match) ([]model.ShipmentLine, error) {
	out := []model.ShipmentLine{}
	for _, le := range lm.path.Eval(el.Value, el.Path) {
		var sl model.ShipmentLine
		if err := lineRef(&sl.POLineNo, &sl.SKU, &sl.SupplierSKU, lm.ref, lm.match, le); err != nil {
			return nil, err
		}
		m, ok := lm.quantity.First(le.Value, le.Path)
		if !ok {
			return nil, fmt.Errorf("the answer has no shipped quantity at %s", lm.quantity.Join(le.Path))
		}
		q, err := quantity(m)
		if err != nil {
			return nil, err
		}
		sl.Quantity = q
		out = append(out, sl)
	}
	return out, nil
}

// remaining is what of po is not shipped yet, line by line.
func remaining(po *model.PurchaseOrder) []model.ShipmentLine {
	out := []model.ShipmentLine{}
	for _, l := range po.Lines {
		if n := l.Live() - l.Shipped; n > 0 {
			out = append(out, model.ShipmentLine{POLineNo: l.LineNo, OrderLineID: l.OrderLineID, SKU: l.SKU, Quantity: n})
		}
	}
	return out
}

// carrier maps a supplier's carrier name to a canonical code: the
// carriers table first, then the names dropgate recognises ("UPS
// Ground" is ups), else the name as sent.
func (c *Connector) carrier(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	if code, ok := c.c.carriers[strings.ToLower(name)]; ok {
		return code
	}
	if code, ok := tracking.CarrierFromName(name); ok {
		return code
	}
	return name
}
