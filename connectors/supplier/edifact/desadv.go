package edifact

import (
	"regexp"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/edifact"
	"github.com/dropgate/dropgate/internal/edipartner"
	"github.com/dropgate/dropgate/internal/tracking"
)

// trackingRef is one place a DESADV may carry a tracking number: an RFF
// (C506 1153 qualifier, number in 1154) or a GIN (7405 qualifier, numbers
// in C208/7402).
type trackingRef struct {
	Segment   string // RFF or GIN
	Qualifier string
}

func (t trackingRef) String() string { return t.Segment + "+" + t.Qualifier }

// trackingRefs: 1153 and 7405 are an..3. Empty is RFF+CN (1153 CN,
// carrier's reference number), where parcel carriers' numbers usually go;
// RFF+BM (bill of lading), RFF+AAM (waybill number) and GIN+BJ (the
// SSCC on the label, which pallet carriers track by) are the usual
// alternatives. PCI+33E, "marked with an SSCC", is not a location of its
// own: the number is in the GIN+BJ that follows it.
var trackingRefs = edipartner.RefSyntax{
	Sep:     "+",
	Valid:   regexp.MustCompile(`^(RFF|GIN)\+[0-9A-Z]{1,3}$`),
	Default: edipartner.Ref{Segment: "RFF", Qualifier: "CN"},
	Want:    "RFF+<1153 qualifier> or GIN+<7405 qualifier> (e.g. RFF+CN, RFF+BM, GIN+BJ)",
}

// parseTrackingRefs reads partner.tracking_ref.
func parseTrackingRefs(s string) ([]trackingRef, error) {
	return edipartner.ParseRefs[trackingRef](s, trackingRefs)
}

// labels are the numbers found in one scope (the header or one package):
// tracking numbers per tracking_ref entry, and SSCCs.
type labels struct {
	byRef [][]string
	sscc  []string
}

// read collects the numbers of an RFF or GIN segment.
func (lb *labels) read(seg *edifact.Segment, refs []trackingRef) {
	if lb.byRef == nil {
		lb.byRef = make([][]string, len(refs))
	}
	var q string
	var numbers []string
	switch seg.Tag {
	case "RFF":
		q = seg.Component(0, 0)
		numbers = nonEmpty(strings.TrimSpace(seg.Component(0, 1)))
	case "GIN":
		q = seg.Value(0)
		for _, e := range seg.Elements[min(1, len(seg.Elements)):] {
			numbers = append(numbers, nonEmpty(strings.TrimSpace(e.Value(0)))...) // C208/7402
		}
		if q == "BJ" || q == "AW" { // 7405 BJ, AW: serial shipping container code
			lb.sscc = append(lb.sscc, numbers...)
		}
	}
	for i, r := range refs {
		if r.Segment == seg.Tag && r.Qualifier == q {
			lb.byRef[i] = append(lb.byRef[i], numbers...)
		}
	}
}

// tracking returns the numbers of the first tracking_ref entry that gave
// any: the entries are tried in order.
func (lb *labels) tracking() []string {
	for _, n := range lb.byRef {
		if len(n) > 0 {
			return n
		}
	}
	return nil
}

// desadvPack is one CPS group: a package level, its labels and its lines.
type desadvPack struct {
	labels labels
	lines  []desadvLine
	inLine bool // a LIN has been read in this group: RFF and GIN are the line's
}

// desadvLine is one LIN group.
type desadvLine struct {
	lin  *edifact.Segment
	po   string // RFF+ON in the line, or the header's
	line model.ShipmentLine
	qty  bool // QTY+12 read
	bad  bool // and its value refused (the error is recorded)
}

// desadvReader holds the state of one DESADV mapping.
type desadvReader struct {
	*mapper
	refs     []trackingRef
	carriers map[string]string
	sn       model.ShipNotice
	headerPO string
	header   labels
	packs    []*desadvPack
	shipped  time.Time // DTM+11
	docDate  time.Time // DTM+137
}

// mapDesadv reads a DESADV into one ShipNotice per purchase order:
//
//	BGM+351+<despatch advice no.>  DTM+11 (despatch date; 137 document date without one)
//	RFF+ON:<our PO>  RFF+CN:<tracking no.> (see partner.tracking_ref)
//	TDT+20++…+<carrier id>::<agency>:<carrier name>
//	CPS+<n>[+<parent>]  PAC  PCI  GIN+BJ+<SSCC>   one package
//	LIN+<n>++<item>:<type>  PIA  QTY+12:<despatched>  RFF+ON:<PO>:<PO line>
//
// Every CPS with lines or a tracking number is a package. A CPS whose
// content is only other CPS (a pallet, the consignment) gives none. Tracking
// numbers read at the header go to the packages without one, in order;
// numbers left over are further packages without contents.
func (m *mapper) mapDesadv(refs []trackingRef, carriers map[string]string) []*model.ShipNotice {
	r := &desadvReader{mapper: m, refs: refs, carriers: carriers, sn: model.ShipNotice{Supplier: m.supplier}}
	var bgm *edifact.Segment
	for _, seg := range m.msg.Body() {
		switch seg.Tag {
		case "BGM":
			bgm = seg
			r.sn.ShipmentID = m.required(seg, 1, 0, "despatch advice number")
		case "DTM":
			r.dtm(seg)
		case "RFF", "GIN":
			r.reference(seg)
		case "TDT":
			r.tdt(seg)
		case "CPS":
			r.packs = append(r.packs, &desadvPack{})
		case "LIN":
			r.lin(seg)
		case "PIA":
			if l := r.curLine(); l != nil {
				ids := itemIDs{SupplierSKU: l.line.SupplierSKU, SKU: l.line.SKU, GTIN: l.line.GTIN}
				ids.readPIA(seg)
				l.line.SupplierSKU, l.line.SKU, l.line.GTIN = ids.SupplierSKU, ids.SKU, ids.GTIN
			}
		case "QTY":
			if l := r.curLine(); l != nil && seg.Component(0, 0) == "12" { // 6063 12: despatch quantity
				q, ok := m.units(seg, 0, 1)
				l.line.Quantity, l.qty, l.bad = q, true, !ok
			}
		}
	}
	if bgm == nil {
		m.missingSegment("BGM", "a DESADV starts with BGM")
		return nil
	}
	r.sn.ShippedAt = r.shipped
	if r.shipped.IsZero() {
		// Without a despatch date, a despatch advice is dated when the
		// goods left.
		r.sn.ShippedAt = r.docDate
	}
	return r.notices()
}

func (r *desadvReader) curPack() *desadvPack {
	if len(r.packs) == 0 {
		return nil
	}
	return r.packs[len(r.packs)-1]
}

func (r *desadvReader) curLine() *desadvLine {
	p := r.curPack()
	if p == nil || !p.inLine || len(p.lines) == 0 {
		return nil
	}
	return &p.lines[len(p.lines)-1]
}

// dtm reads the header dates: 11 despatch date/time, 137 document date.
func (r *desadvReader) dtm(seg *edifact.Segment) {
	if len(r.packs) > 0 {
		return
	}
	switch seg.Component(0, 0) {
	case "11":
		r.shipped, _ = r.date(seg, 0)
	case "137":
		r.docDate, _ = r.date(seg, 0)
	}
}

// reference reads an RFF or GIN where it stands: in a line (RFF+ON names
// the line's order, with the order's line number in C506/1156), in a
// package, or in the header.
func (r *desadvReader) reference(seg *edifact.Segment) {
	if l := r.curLine(); l != nil {
		if seg.Tag == "RFF" && seg.Component(0, 0) == "ON" {
			l.po = seg.Component(0, 1)
			if n := lineNo(seg.Component(0, 2)); n > 0 {
				l.line.POLineNo = n
			}
		}
		return
	}
	if p := r.curPack(); p != nil {
		p.labels.read(seg, r.refs)
		return
	}
	if seg.Tag == "RFF" && seg.Component(0, 0) == "ON" && r.headerPO == "" {
		r.headerPO = r.required(seg, 0, 1, "order number")
	}
	r.header.read(seg, r.refs)
}

// tdt reads the carrier of the main carriage: C040 3127 carrier
// identification and 3128 carrier name. partner.carriers maps an
// identification to a canonical code; a name is recognised by itself.
func (r *desadvReader) tdt(seg *edifact.Segment) {
	id, carrierName := strings.TrimSpace(seg.Component(4, 0)), strings.TrimSpace(seg.Component(4, 3))
	if id == "" && carrierName == "" {
		return
	}
	if code, ok := r.carriers[strings.ToUpper(id)]; ok && id != "" {
		r.sn.Carrier = code
		return
	}
	for _, n := range []string{carrierName, id} {
		if code, ok := tracking.CarrierFromName(n); ok && n != "" {
			r.sn.Carrier = code
			return
		}
	}
	r.sn.Carrier = firstNonEmpty(carrierName, id) // as sent
}

// lin starts a line in the current package (a package of its own when the
// DESADV has no CPS).
func (r *desadvReader) lin(seg *edifact.Segment) {
	p := r.curPack()
	if p == nil {
		p = &desadvPack{}
		r.packs = append(r.packs, p)
	}
	p.inLine = true
	no, ids := readLIN(seg)
	p.lines = append(p.lines, desadvLine{lin: seg, line: model.ShipmentLine{POLineNo: no, SKU: ids.SKU, SupplierSKU: ids.SupplierSKU, GTIN: ids.GTIN}})
}

// notices groups the packages by purchase order.
func (r *desadvReader) notices() []*model.ShipNotice {
	var pos []string
	byPO := map[string]*model.ShipNotice{}
	notice := func(po string) *model.ShipNotice {
		if sn, ok := byPO[po]; ok {
			return sn
		}
		sn := r.sn
		sn.PONumber, sn.Packages = po, nil
		byPO[po] = &sn
		pos = append(pos, po)
		return &sn
	}
	headerNumbers := r.header.tracking()
	for _, p := range r.packs {
		numbers := p.labels.tracking()
		if len(numbers) == 0 && len(p.lines) > 0 && len(headerNumbers) > 0 {
			numbers, headerNumbers = headerNumbers[:1], headerNumbers[1:]
		}
		if len(p.lines) == 0 && len(numbers) == 0 {
			continue // a pallet or consignment level: its cartons are packages
		}
		pkg := model.Package{Lines: []model.ShipmentLine{}}
		if len(p.labels.sscc) > 0 {
			pkg.SSCC = p.labels.sscc[0]
		}
		if len(numbers) > 0 {
			pkg.TrackingNumber = numbers[0]
		}
		// The package is split by order when its lines name several:
		// each order's notice gets the part with its lines (an index into
		// its Packages).
		byLinePO := map[string]int{}
		for _, l := range p.lines {
			if !l.qty {
				r.fail(l.lin, whole, whole, codeMissing, "line %s has no QTY+12 (despatch quantity)", l.lin.Value(0))
			}
			if !l.qty || l.bad {
				continue
			}
			po := firstNonEmpty(l.po, r.headerPO)
			if po == "" {
				r.fail(l.lin, whole, whole, codeMissing, "line %s names no purchase order (RFF+ON in the line or the header)", l.lin.Value(0))
				continue
			}
			sn := notice(po)
			i, ok := byLinePO[po]
			if !ok {
				cp := pkg
				cp.Lines = []model.ShipmentLine{}
				sn.Packages = append(sn.Packages, cp)
				i = len(sn.Packages) - 1
				byLinePO[po] = i
			}
			sn.Packages[i].Lines = append(sn.Packages[i].Lines, l.line)
		}
		if len(p.lines) == 0 {
			// Tracking only: the package belongs to the header's order.
			sn := r.orphans(notice)
			if sn != nil {
				sn.Packages = append(sn.Packages, pkg)
			}
		}
		for _, n := range numbers[min(1, len(numbers)):] {
			if sn := r.orphans(notice); sn != nil {
				sn.Packages = append(sn.Packages, model.Package{TrackingNumber: n, Lines: []model.ShipmentLine{}})
			}
		}
	}
	for _, n := range headerNumbers {
		if sn := r.orphans(notice); sn != nil {
			sn.Packages = append(sn.Packages, model.Package{TrackingNumber: n, Lines: []model.ShipmentLine{}})
		}
	}
	if r.headerPO == "" && len(pos) == 0 {
		r.missingSegment("RFF", "a DESADV names our purchase order in RFF+ON")
	}
	out := make([]*model.ShipNotice, 0, len(pos))
	for _, po := range pos {
		out = append(out, byPO[po])
	}
	return out
}

// orphans is the notice that gets packages without lines: the header's
// order's, or the only order's.
func (r *desadvReader) orphans(notice func(string) *model.ShipNotice) *model.ShipNotice {
	if r.headerPO == "" {
		return nil
	}
	return notice(r.headerPO)
}
