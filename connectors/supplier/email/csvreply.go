package email

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/core/decimal"
	"github.com/dropgate/dropgate/core/model"
)

// csvSpec lists, per role, the header names a CSV column may have,
// normalised (lower case, letters and digits only), in order of
// preference: a file with both "supplier_sku" and "sku" (our own CSV sent
// back with tracking added) uses the supplier's.
type csvSpec struct {
	po, sku, qty, tracking, carrier []string
}

var defaultCSVSpec = csvSpec{
	po:       []string{"ponumber", "po", "pono", "purchaseorder", "purchaseordernumber", "customerpo", "yourpo", "poreference", "poref"},
	sku:      []string{"suppliersku", "vendorsku", "sku", "itemnumber", "itemno", "item", "partnumber", "partno", "productcode", "articlenumber"},
	qty:      []string{"qtyshipped", "quantityshipped", "shippedqty", "shipped", "qty", "quantity", "units"},
	tracking: []string{"trackingnumber", "tracking", "trackingno", "trackingid", "trackingcode", "awb", "waybill", "consignmentnumber"},
	carrier:  []string{"carrier", "carriername", "shippingcarrier", "shipvia", "courier"},
}

// newCSVSpec puts a configured column name in front of the usual ones.
func newCSVSpec(c CSVColumns) csvSpec {
	s := defaultCSVSpec
	pick := func(conf string, def []string) []string {
		if conf == "" {
			return def
		}
		return []string{normalizeHeader(conf)}
	}
	s.po, s.sku, s.qty = pick(c.PO, s.po), pick(c.SKU, s.sku), pick(c.Qty, s.qty)
	s.tracking, s.carrier = pick(c.Tracking, s.tracking), pick(c.Carrier, s.carrier)
	return s
}

func normalizeHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// maxCSVRows bounds the rows read of one attachment: a day's shipments
// of one supplier, with room to spare.
const maxCSVRows = 10000

// csvShipment is what a CSV attachment says was shipped, per PO, one
// parcel per tracking number in order of appearance.
type csvShipment struct {
	POs     []string // in order of appearance
	Parcels map[string][]parcel
	HasSKUs bool // the file has item columns: parcels list their lines
}

// readShippingCSV reads a CSV attachment with a tracking column. A file
// without one (a price list, our own PO sent back) is not a shipment:
// ok is false. Rows whose cells cannot be used are returned as problems,
// each naming the file and row; the other rows are kept.
func (r *replyRules) readShippingCSV(f csvFile, defaultPO string, hint namedCarrier) (sh *csvShipment, ok bool, errs []string) {
	data := bytes.TrimPrefix(f.Data, []byte("\xef\xbb\xbf")) // Excel's UTF-8 byte order mark
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffDelimiter(data)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, false, nil
	}
	col := r.csv.columns(header)
	if col.tracking < 0 {
		return nil, false, nil
	}
	sh = &csvShipment{Parcels: map[string][]parcel{}, HasSKUs: col.sku >= 0}
	prev := map[string]int{} // PO → index of the parcel a row without tracking continues
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if row > maxCSVRows+1 {
			errs = append(errs, fmt.Sprintf("%s: more than %d rows; the rest is not read", f.Name, maxCSVRows))
			break
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: row %d: %v", f.Name, row, err))
			break
		}
		if blankRecord(rec) {
			continue
		}
		if e := sh.addRow(r, rec, col, defaultPO, hint, prev); e != "" {
			errs = append(errs, fmt.Sprintf("%s: row %d: %s", f.Name, row, e))
		}
	}
	return sh, true, errs
}

// addRow adds one row to its PO's parcels; it returns a problem or "".
func (sh *csvShipment) addRow(r *replyRules, rec []string, col csvCols, defaultPO string, hint namedCarrier, prev map[string]int) string {
	po := defaultPO
	if cell := col.get(rec, col.po); cell != "" {
		found := unique(poNumbersIn(cell))
		if len(found) != 1 {
			return fmt.Sprintf("PO %q is not one of our purchase order numbers", cell)
		}
		po = found[0]
	}
	if po == "" {
		return "no PO number in the row, and none in the e-mail"
	}
	var line *model.ShipmentLine
	if col.sku >= 0 || col.qty >= 0 {
		sku, qtyCell := col.get(rec, col.sku), col.get(rec, col.qty)
		qty, err := wholeQuantity(qtyCell)
		switch {
		case err != nil:
			return err.Error()
		case qty == 0 && qtyCell != "":
			return "" // an item not shipped (yet)
		case sku != "" && qty > 0:
			line = &model.ShipmentLine{SupplierSKU: sku, Quantity: qty}
		case sku != "":
			return fmt.Sprintf("item %q has no quantity", sku)
		}
	}
	numbers := splitTrackingCell(col.get(rec, col.tracking))
	if len(numbers) == 0 {
		// A row continuing the parcel above it (spreadsheets write the
		// tracking number once per parcel).
		i, ok := prev[po]
		if !ok || line == nil {
			return "no tracking number"
		}
		ps := sh.Parcels[po]
		ps[i].Lines = append(ps[i].Lines, *line)
		return ""
	}
	var problems []string
	for k, raw := range numbers {
		p, err := r.resolve(raw, col.get(rec, col.carrier), hint)
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		i := sh.parcel(po, p)
		if line != nil && k == 0 {
			// One item row with several numbers: the item is in the first
			// parcel; the others are parcels of the same shipment.
			sh.Parcels[po][i].Lines = append(sh.Parcels[po][i].Lines, *line)
		}
		prev[po] = i
	}
	return strings.Join(problems, "; ")
}

// parcel returns the index of p's parcel in po, adding it when new.
func (sh *csvShipment) parcel(po string, p parcel) int {
	for i, x := range sh.Parcels[po] {
		if x.Number == p.Number {
			return i
		}
	}
	if _, ok := sh.Parcels[po]; !ok {
		sh.POs = append(sh.POs, po)
	}
	sh.Parcels[po] = append(sh.Parcels[po], p)
	return len(sh.Parcels[po]) - 1
}

// csvCols are the indexes of the columns found (-1: absent).
type csvCols struct{ po, sku, qty, tracking, carrier int }

func (s csvSpec) columns(header []string) csvCols {
	norm := make([]string, len(header))
	for i, h := range header {
		norm[i] = normalizeHeader(h)
	}
	find := func(names []string) int {
		for _, n := range names {
			for i, h := range norm {
				if h == n {
					return i
				}
			}
		}
		return -1
	}
	return csvCols{po: find(s.po), sku: find(s.sku), qty: find(s.qty), tracking: find(s.tracking), carrier: find(s.carrier)}
}

func (csvCols) get(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// sniffDelimiter picks the separator of the header line: comma, or the
// semicolon of spreadsheets in locales with a decimal comma, or tab.
func sniffDelimiter(data []byte) rune {
	line := data
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		line = data[:i]
	}
	best, n := ',', bytes.Count(line, []byte{','})
	for _, d := range []rune{';', '\t'} {
		if c := bytes.Count(line, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

// splitTrackingCell splits a cell holding several numbers ("1Z…, 1Z…").
// Spaces do not separate: carriers print numbers in spaced groups. Words
// ("pending", "N/A") are no number.
func splitTrackingCell(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '|' || r == '\n' }) {
		if f = strings.TrimSpace(f); candidate(f) {
			out = append(out, f)
		}
	}
	return out
}

// wholeQuantity reads a quantity cell: a whole number ("2", "2.0"); empty
// is 0.
func wholeQuantity(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return n, nil
	}
	d, err := decimal.Parse(s)
	if err != nil || d.Sign() < 0 {
		return 0, fmt.Errorf("quantity %q is not a number of units", s)
	}
	n, whole := d.IntPart()
	if !whole {
		return 0, fmt.Errorf("quantity %q is not a whole number of units", s)
	}
	return n, nil
}

func blankRecord(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
