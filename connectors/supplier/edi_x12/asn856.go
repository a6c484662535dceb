package edi_x12

import (
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/tracking"
	"github.com/dropgate/dropgate/internal/x12"
)

// HL03 hierarchical level codes (element 735) of a drop-ship 856.
const (
	levelShipment = "S"
	levelOrder    = "O"
	levelTare     = "T" // a pallet holding packs (or items)
	levelPack     = "P"
	levelItem     = "I"
)

// hlNode is one HL loop and what was read in it.
type hlNode struct {
	seg      *x12.Segment
	id       string
	level    string
	parent   *hlNode
	po       string
	refs     []trackingHit
	sscc     string // MAN*GM: the carton's GS1-128 label
	scac     string
	service  string
	shipped  time.Time
	timed    bool // shipped has a time of day (DTM03)
	ids      itemIDs
	lin, sn1 *x12.Segment
	qty      int64
	snLine   int
	hasItems bool // an item hangs (directly or below) from this node
	orphan   bool // HL02 names no earlier HL (an error already recorded)
}

// trackingHit is a tracking number found in a REF or MAN, with the rank of
// its kind in partner.tracking_ref (0 is preferred).
type trackingHit struct {
	rank  int
	value string
}

// tracking returns the node's numbers of the best-ranked kind it has.
func (n *hlNode) tracking() []string {
	best := -1
	for _, h := range n.refs {
		if best < 0 || h.rank < best {
			best = h.rank
		}
	}
	var out []string
	for _, h := range n.refs {
		if h.rank == best && !contains(out, h.value) {
			out = append(out, h.value)
		}
	}
	return out
}

// ancestor returns the nearest node above n (n excluded) at level.
func (n *hlNode) ancestor(level string) *hlNode {
	for p := n.parent; p != nil; p = p.parent {
		if p.level == level {
			return p
		}
	}
	return nil
}

// inheritedTracking is n's tracking numbers, or the nearest ancestor's:
// a carton without its own number ships under its pallet's, its order's
// or the shipment's (an LTL PRO number covers everything on the truck).
func (n *hlNode) inheritedTracking() []string {
	for p := n; p != nil; p = p.parent {
		if t := p.tracking(); len(t) > 0 {
			return t
		}
	}
	return nil
}

// asnOptions are the partner settings the 856 mapping needs.
type asnOptions struct {
	refs     []trackingRef
	carriers map[string]string // SCAC → canonical, partner overrides
}

// map856 reads an 856 into one ShipNotice per purchase order:
//
//	BSN*<purpose>*<shipment id>*<date>*<time>
//	HL*<id>*<parent>*S   TD1  TD5*…*2*<SCAC>**<service>  REF/MAN tracking  DTM*011*<shipped>
//	HL*…*O   PRF*<PO number>
//	HL*…*T   (pallet)   HL*…*P   MAN*CP*<tracking> …     (pack levels optional)
//	HL*…*I   LIN*<line>*VP*<supplier SKU>*UP*<GTIN>…  SN1*<line>*<qty>*<unit>
//	CTT*<number of HL>
//
// Items are attached to their nearest order (O) and pack (P, else T)
// ancestors, so S/O/P/I, S/O/I, S/O/T/P/I and pick-and-pack S/T/P/O/I
// all read the same way.
func (m *mapper) map856(o asnOptions) []*model.ShipNotice {
	var (
		bsn   *x12.Segment
		nodes []*hlNode
		byID  = map[string]*hlNode{}
		cur   *hlNode
		ctt   *x12.Segment
	)
	for _, seg := range m.set.Segments {
		switch seg.ID {
		case "BSN":
			bsn = seg
		case "HL":
			cur = m.readHL(seg, byID)
			if cur != nil {
				nodes = append(nodes, cur)
			}
		case "CTT":
			ctt = seg
		default:
			if cur != nil {
				m.readInHL(seg, cur, o)
			}
		}
	}
	if bsn == nil {
		m.missingSegment("BSN", "an 856 starts with BSN")
		return nil
	}
	items := 0
	for _, n := range nodes {
		if n.level == levelItem {
			items++
		}
	}
	// CTT01 counts HL segments; some partners count item levels instead.
	m.checkCount(ctt, "hierarchical levels", len(nodes), items)
	var ship *hlNode
	for _, n := range nodes {
		if n.level == levelShipment {
			ship = n
			break
		}
	}
	if ship == nil {
		m.missingSegment("HL", "an 856 needs a shipment level (HL03 S)")
		return nil
	}
	base := model.ShipNotice{Supplier: m.supplier, ShipmentID: m.required(bsn, 2, "shipment identification")}
	m.required(bsn, 3, "date")
	base.ShippedAt, _ = m.date(bsn, 3, 4)
	// DTM*011 is when it left, BSN03/04 when the ASN was made; a DTM*011
	// without a time on the day of the BSN keeps the BSN's time.
	if s := ship.shipped; !s.IsZero() && (ship.timed || !sameDay(s, base.ShippedAt)) {
		base.ShippedAt = s
	}
	base.SCAC, base.Service = ship.scac, ship.service
	base.Carrier = carrierCode(ship.scac, ship.service, o.carriers)
	return m.buildNotices(base, ship, nodes, o)
}

// readHL starts an HL loop: HL01 its id, HL02 its parent's, HL03 its level.
func (m *mapper) readHL(seg *x12.Segment, byID map[string]*hlNode) *hlNode {
	n := &hlNode{seg: seg, id: m.required(seg, 1, "hierarchical id number"), level: m.required(seg, 3, "hierarchical level code")}
	switch n.level {
	case levelShipment, levelOrder, levelTare, levelPack, levelItem, "":
	default:
		m.elementError(seg, 3, x12.CodeElementInvalidCode, "HL03 %q is not a level this connector reads (S, O, T, P, I)", n.level)
	}
	if p := seg.Element(2); p != "" {
		if n.parent = byID[p]; n.parent == nil {
			n.orphan = true
			m.elementError(seg, 2, x12.CodeElementInvalidCode, "HL02 %q names no earlier HL", p)
		}
	}
	if _, dup := byID[n.id]; dup && n.id != "" {
		m.elementError(seg, 1, x12.CodeElementInvalidCode, "HL01 %q is used twice", n.id)
	}
	byID[n.id] = n
	return n
}

// readInHL reads a segment of the current HL loop.
func (m *mapper) readInHL(seg *x12.Segment, n *hlNode, o asnOptions) {
	switch seg.ID {
	case "TD5":
		// TD502 2: TD503 is a SCAC. TD505 is the routing (service) as
		// text; TD512 a service level code (ND next day, SE second day…).
		if q := seg.Element(2); (q == "2" || q == "") && n.scac == "" {
			n.scac = strings.ToUpper(seg.Element(3))
		}
		if n.service == "" {
			n.service = firstNonEmpty(seg.Element(5), seg.Element(12))
		}
	case "REF":
		for i, r := range o.refs {
			if r.Segment == "REF" && seg.Element(1) == r.Qualifier {
				// REF02; a long number may come in REF03 (description).
				if v := firstNonEmpty(seg.Element(2), seg.Element(3)); v != "" {
					n.refs = append(n.refs, trackingHit{i, v})
				}
			}
		}
	case "MAN":
		// Two qualifier/number pairs: MAN01/MAN02 and MAN04/MAN05
		// (MAN*GM*<SSCC>**CP*<tracking>).
		for i, r := range o.refs {
			if r.Segment != "MAN" {
				continue
			}
			for _, k := range []int{1, 4} {
				if seg.Element(k) == r.Qualifier && seg.Element(k+1) != "" {
					n.refs = append(n.refs, trackingHit{i, seg.Element(k + 1)})
				}
			}
		}
		for _, k := range []int{1, 4} {
			if seg.Element(k) == "GM" && n.sscc == "" { // GM: SSCC-18
				n.sscc = seg.Element(k + 1)
			}
		}
	case "PRF":
		n.po = m.required(seg, 1, "purchase order number")
	case "DTM":
		if seg.Element(1) == "011" { // shipped
			if d, ok := m.date(seg, 2, 3); ok {
				n.shipped, n.timed = d, seg.Element(3) != ""
			}
		}
	case "LIN":
		n.lin, n.ids = seg, readItemIDs(seg, 2)
	case "SN1":
		n.sn1 = seg
		n.snLine = lineNo(seg.Element(1))
		if q, ok := m.units(seg, 2); ok {
			n.qty = q
		} else {
			m.required(seg, 2, "number of units shipped")
		}
	}
}

// noticeBuilder groups packages per purchase order.
type noticeBuilder struct {
	base     model.ShipNotice
	carriers map[string]string
	order    []string
	notices  map[string]*model.ShipNotice
	packs    map[string]map[*hlNode]int // PO → pack node → index in Packages
}

func (b *noticeBuilder) notice(po string) *model.ShipNotice {
	if sn, ok := b.notices[po]; ok {
		return sn
	}
	sn := b.base
	sn.PONumber = po
	b.notices[po] = &sn
	b.packs[po] = map[*hlNode]int{}
	b.order = append(b.order, po)
	return &sn
}

// pack returns the package of node key (a P or T node, or the order or
// shipment node for items without a pack level) in po's notice.
func (b *noticeBuilder) pack(po string, key *hlNode) *model.Package {
	sn := b.notice(po)
	if i, ok := b.packs[po][key]; ok {
		return &sn.Packages[i]
	}
	numbers := key.inheritedTracking()
	p := model.Package{Lines: []model.ShipmentLine{}, SSCC: key.sscc}
	if len(numbers) > 0 {
		p.TrackingNumber = numbers[0]
	}
	if c := carrierOf(key, b.carriers); c != "" && c != sn.Carrier {
		p.Carrier = c
	}
	b.packs[po][key] = len(sn.Packages)
	sn.Packages = append(sn.Packages, p)
	if key.level != levelPack && key.level != levelTare {
		// No pack level: further numbers at the order or shipment level
		// are further cartons whose contents the 856 does not break down.
		for _, t := range numbers[min(1, len(numbers)):] {
			sn.Packages = append(sn.Packages, model.Package{TrackingNumber: t, Carrier: p.Carrier, Lines: []model.ShipmentLine{}})
		}
	}
	return &sn.Packages[b.packs[po][key]]
}

// buildNotices attaches every item to its order and package.
func (m *mapper) buildNotices(base model.ShipNotice, ship *hlNode, nodes []*hlNode, o asnOptions) []*model.ShipNotice {
	b := &noticeBuilder{base: base, carriers: o.carriers, notices: map[string]*model.ShipNotice{}, packs: map[string]map[*hlNode]int{}}
	for _, n := range nodes {
		if n.level != levelItem {
			continue
		}
		po, orderNode := m.itemOrder(n, ship)
		if po == "" {
			continue
		}
		if n.sn1 == nil {
			m.segmentError(n.seg, x12.CodeSegmentMandatoryMissing, "item level HL %s has no SN1 (quantity shipped)", n.id)
			continue
		}
		key := n.ancestor(levelPack)
		if key == nil {
			key = n.ancestor(levelTare)
		}
		if key == nil {
			key = orderNode
		}
		for p := n.parent; p != nil; p = p.parent {
			p.hasItems = true
		}
		pk := b.pack(po, key)
		line := firstPositive(n.ids.POLine, lineNo(n.lin.Element(1)), n.snLine)
		pk.Lines = append(pk.Lines, model.ShipmentLine{POLineNo: line, SKU: n.ids.SKU, SupplierSKU: n.ids.SupplierSKU, GTIN: n.ids.GTIN, Quantity: n.qty})
	}
	// Packs reported without items (an S/O/P 856) still carry tracking.
	for _, n := range nodes {
		if n.level == levelPack && !n.hasItems {
			if order := n.ancestor(levelOrder); order != nil && order.po != "" {
				b.pack(order.po, n)
			}
		}
	}
	out := make([]*model.ShipNotice, 0, len(b.order))
	for _, po := range b.order {
		out = append(out, b.notices[po])
	}
	return out
}

// itemOrder finds an item's purchase order: the PRF of its order level,
// else the PRF some partners put on the shipment level.
func (m *mapper) itemOrder(n, ship *hlNode) (string, *hlNode) {
	if n.lin == nil {
		m.segmentError(n.seg, x12.CodeSegmentMandatoryMissing, "item level HL %s has no LIN (item identification)", n.id)
		return "", nil
	}
	if order := n.ancestor(levelOrder); order != nil && order.po != "" {
		return order.po, order
	}
	if ship.po != "" {
		return ship.po, ship
	}
	for p := n; p != nil; p = p.parent {
		if p.orphan {
			return "", nil // the broken HL02 is the error to fix
		}
	}
	m.segmentError(n.seg, x12.CodeSegmentMandatoryMissing, "item level HL %s belongs to no purchase order (no PRF on its order or shipment level)", n.id)
	return "", nil
}

// carrierOf is the canonical carrier of a pack's own TD5, if it has one.
func carrierOf(n *hlNode, overrides map[string]string) string {
	if n.scac == "" && n.service == "" {
		return ""
	}
	return carrierCode(n.scac, n.service, overrides)
}

// scacCarriers maps Standard Carrier Alpha Codes to canonical carrier
// codes. A SCAC names a company's operating unit, hence several per
// carrier (FedEx Ground FDEG, Express FDEN, Freight FXFE …).
var scacCarriers = map[string]string{
	"UPSN": "ups", "UPGF": "ups", "UPSS": "ups",
	"FDEG": "fedex", "FDEN": "fedex", "FDE": "fedex", "FDEX": "fedex", "FXFE": "fedex", "FXNL": "fedex", "FXSP": "fedex",
	"USPS": "usps",
	"DHL":  "dhl", "DHLC": "dhl", "DHLG": "dhl",
	"AMZL": "amazon",
	"ODFL": "olddominion",
}

// carrierCode maps a SCAC (partner overrides first), else the carrier
// named in the TD505 routing text ("UPS GROUND"), else keeps the SCAC as
// sent so that nothing the partner said is lost.
func carrierCode(scac, service string, overrides map[string]string) string {
	if c, ok := overrides[scac]; ok {
		return c
	}
	if c, ok := scacCarriers[scac]; ok {
		return c
	}
	if c, ok := tracking.CarrierFromName(service); ok && service != "" {
		return c
	}
	return scac
}

func firstPositive(vs ...int) int {
	for _, v := range vs {
		if v > 0 {
			return v
		}
	}
	return 0
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}
