package portal

import (
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
)

// invoice records a supplier invoice, from the form (invoice_number,
// qty_<n>, price_<n>) or from an uploaded CSV file (`file`, with a header
// line_no,quantity,unit_price and optionally supplier_sku). It becomes the
// canonical invoice an 810 would, matched to the PO by the same service.
func (p *Portal) invoice(w http.ResponseWriter, r *http.Request) {
	a, po, ok := p.loadPO(w, r)
	if !ok {
		return
	}
	number := strings.TrimSpace(r.FormValue("invoice_number"))
	if number == "" {
		p.refuse(w, r, a, po, "Enter the invoice number.")
		return
	}
	var lines []model.InvoiceLine
	var err error
	var digest string
	if f, hdr, ferr := r.FormFile("file"); ferr == nil {
		defer f.Close()
		if hdr.Size > p.MaxUpload {
			p.refuse(w, r, a, po, fmt.Sprintf("The file is larger than %d KiB.", p.MaxUpload>>10))
			return
		}
		var raw strings.Builder
		if _, err := io.Copy(&raw, io.LimitReader(f, p.MaxUpload+1)); err != nil || int64(raw.Len()) > p.MaxUpload {
			p.refuse(w, r, a, po, fmt.Sprintf("The file could not be read or is larger than %d KiB.", p.MaxUpload>>10))
			return
		}
		digest = raw.String()
		lines, err = invoiceCSV(po, digest)
	} else {
		lines, err = invoiceForm(po, r)
	}
	if err != nil {
		p.refuse(w, r, a, po, err.Error())
		return
	}
	total := money.Money{Currency: po.Currency}
	for _, l := range lines {
		ext, err := l.UnitPrice.Mul(l.Quantity)
		if err == nil {
			total, err = total.Add(ext)
		}
		if err != nil {
			p.refuse(w, r, a, po, "The invoice total is out of range.")
			return
		}
	}
	form := r.PostForm
	if r.MultipartForm != nil {
		form = r.MultipartForm.Value
	}
	inv := &model.Invoice{Number: number, PONumber: po.Number, Supplier: sessionOf(r).V.supplier, Date: p.now(),
		Currency: po.Currency, Lines: lines, Total: total}
	d := connector.InboundDoc{ID: docID("invoice", po.Number, form, digest), PONumber: po.Number, Invoice: inv}
	p.submit(w, r, a, po, d, "invoice "+number)
}

func invoiceForm(po *model.PurchaseOrder, r *http.Request) ([]model.InvoiceLine, error) {
	var out []model.InvoiceLine
	for _, l := range po.Lines {
		n := strconv.Itoa(l.LineNo)
		q := strings.TrimSpace(r.FormValue("qty_" + n))
		if q == "" || q == "0" {
			continue
		}
		il, err := invoiceLine(po, l.LineNo, q, r.FormValue("price_"+n))
		if err != nil {
			return nil, err
		}
		out = append(out, il)
	}
	if len(out) == 0 {
		return nil, problemf("Enter the quantity invoiced on at least one line.")
	}
	return out, nil
}

// invoiceCSV reads line_no,quantity,unit_price rows (any column order,
// named by the header).
func invoiceCSV(po *model.PurchaseOrder, data string) ([]model.InvoiceLine, error) {
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(data, "\ufeff")))
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, problemf("The file is empty or not CSV.")
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"line_no", "quantity", "unit_price"} {
		if _, ok := col[need]; !ok {
			return nil, problemf("The file's header needs the columns line_no, quantity and unit_price (%s is missing).", need)
		}
	}
	var out []model.InvoiceLine
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, problemf("Row %d of the file is not valid CSV.", row)
		}
		cell := func(name string) string {
			if i := col[name]; i < len(rec) {
				return rec[i]
			}
			return ""
		}
		n, err := strconv.Atoi(strings.TrimSpace(cell("line_no")))
		if err != nil {
			return nil, problemf("Row %d: line_no %q is not a number.", row, cell("line_no"))
		}
		il, err := invoiceLine(po, n, cell("quantity"), cell("unit_price"))
		if err != nil {
			return nil, problemf("Row %d: %s", row, err)
		}
		out = append(out, il)
	}
	if len(out) == 0 {
		return nil, problemf("The file has no invoice lines.")
	}
	return out, nil
}

func invoiceLine(po *model.PurchaseOrder, lineNo int, qty, price string) (model.InvoiceLine, error) {
	var pl *model.POLine
	for i := range po.Lines {
		if po.Lines[i].LineNo == lineNo {
			pl = &po.Lines[i]
		}
	}
	if pl == nil {
		return model.InvoiceLine{}, problemf("Line %d is not a line of %s.", lineNo, po.Number)
	}
	q, err := strconv.ParseInt(strings.TrimSpace(qty), 10, 64)
	if err != nil || q <= 0 {
		return model.InvoiceLine{}, problemf("Line %d: quantity %q is not a positive whole number.", lineNo, qty)
	}
	up := pl.UnitCost
	if strings.TrimSpace(price) != "" {
		if up, err = money.Parse(price, po.Currency); err != nil || up.Amount < 0 {
			return model.InvoiceLine{}, problemf("Line %d: unit price %q is not an amount in %s.", lineNo, price, po.Currency)
		}
	}
	return model.InvoiceLine{LineNo: lineNo, SupplierSKU: pl.SupplierSKU, SKU: pl.SKU, Quantity: q, Unit: "EA", UnitPrice: up}, nil
}

// problem is a message for the supplier, written as a sentence.
type problem string

func (p problem) Error() string { return string(p) }

func problemf(format string, args ...any) error { return problem(fmt.Sprintf(format, args...)) }
