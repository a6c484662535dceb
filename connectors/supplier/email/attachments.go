package email

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/dropgate/dropgate/core/model"
)

// csvColumns is the header of the PO's CSV attachment: one row per line,
// the ship-to repeated on each, as suppliers' order-import screens expect.
var csvColumns = []string{
	"po_number", "line_no", "supplier_sku", "sku", "gtin", "description", "quantity", "unit_cost", "currency",
	"ship_to_name", "ship_to_company", "ship_to_line1", "ship_to_line2", "ship_to_city", "ship_to_region",
	"ship_to_postal_code", "ship_to_country", "ship_to_phone", "order_number", "shipping_method",
}

// renderCSV writes the PO's lines as CSV (RFC 4180, CRLF line ends).
func renderCSV(po *model.PurchaseOrder) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	if err := w.Write(csvColumns); err != nil {
		return nil, err
	}
	st := po.ShipTo
	for _, l := range po.Lines {
		row := []string{
			po.Number, strconv.Itoa(l.LineNo), l.SupplierSKU, l.SKU, l.GTIN, l.Description,
			strconv.FormatInt(l.Quantity, 10), l.UnitCost.Decimal().String(), l.UnitCost.Currency,
			st.Name, st.Company, st.Line1, st.Line2, st.City, st.Region, st.PostalCode, st.Country, st.Phone,
			po.OrderNumber, po.ShippingMethod,
		}
		for i := range row {
			row[i] = defuseFormula(row[i])
		}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// defuseFormula keeps a cell a spreadsheet would run as a formula from
// being one. Names and addresses come from the customer, and the supplier
// opens the file in a spreadsheet: "=HYPERLINK(…)" in a name field must
// stay text (OWASP "CSV injection"). A leading apostrophe is the
// spreadsheet's own "this is text" mark. Phone numbers such as
// "+1 555 0100" and negative numbers are left alone.
func defuseFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return "'" + s
	case '+', '-':
		if strings.TrimLeft(s[1:], "0123456789 .()-/") != "" {
			return "'" + s
		}
	}
	return s
}

// renderPDF lays the PO out on one or more A4 pages: header, ship-to,
// lines and total. It uses the PDF core font Helvetica, whose encoding is
// Windows-1252: characters outside it print as "?". Dates inside the file
// are the PO's creation time, so the same PO renders the same bytes.
func renderPDF(d TemplateData, from string) ([]byte, error) {
	po := d.PO
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(po.Created)
	pdf.SetModificationDate(po.Created)
	pdf.SetCatalogSort(true)
	tr := pdf.UnicodeTranslatorFromDescriptor("") // UTF-8 → cp1252
	pdf.SetTitle("Purchase order "+po.Number, true)
	pdf.SetCreator("dropgate", true)
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 15)
	pdf.AddPage()

	title := "Purchase order " + po.Number
	if d.Cancel {
		title = "CANCELLATION of purchase order " + po.Number
	}
	pdf.SetFont("Helvetica", "B", 16)
	pdf.CellFormat(0, 9, tr(title), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	meta := [][2]string{{"From", from}, {"Date", po.Created.Format("2006-01-02")}}
	if po.OrderNumber != "" {
		meta = append(meta, [2]string{"Order reference", po.OrderNumber})
	}
	if po.ShippingMethod != "" {
		meta = append(meta, [2]string{"Shipping method", po.ShippingMethod})
	}
	for _, m := range meta {
		pdf.CellFormat(35, 5, tr(m[0]+":"), "", 0, "L", false, 0, "")
		pdf.CellFormat(0, 5, tr(m[1]), "", 1, "L", false, 0, "")
	}
	pdf.Ln(4)
	pdf.SetFont("Helvetica", "B", 11)
	pdf.CellFormat(0, 6, "Ship to (drop-ship to our customer)", "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	for _, l := range addressParts(po.ShipTo) {
		pdf.CellFormat(0, 5, tr(l), "", 1, "L", false, 0, "")
	}
	pdf.Ln(4)
	pdfLines(pdf, tr, d)
	if pdf.Err() {
		return nil, fmt.Errorf("pdf of %s: %w", po.Number, pdf.Error())
	}
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, fmt.Errorf("pdf of %s: %w", po.Number, err)
	}
	return b.Bytes(), nil
}

// pdfLines draws the table of lines and the total.
func pdfLines(pdf *fpdf.Fpdf, tr func(string) string, d TemplateData) {
	widths := []float64{32, 28, 62, 14, 22, 22} // 180 mm: A4 less the margins
	heads := []string{"Supplier SKU", "Our SKU", "Description", "Qty", "Unit cost", "Amount"}
	aligns := []string{"L", "L", "L", "R", "R", "R"}
	pdf.SetFont("Helvetica", "B", 9)
	pdf.SetFillColor(230, 230, 230)
	for i, h := range heads {
		pdf.CellFormat(widths[i], 7, h, "1", 0, aligns[i], true, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 9)
	for _, l := range d.PO.Lines {
		amount := "-"
		if ext, err := l.UnitCost.Mul(l.Quantity); err == nil {
			amount = ext.Decimal().String()
		}
		cells := []string{l.SupplierSKU, l.SKU, l.Description, strconv.FormatInt(l.Quantity, 10), l.UnitCost.Decimal().String(), amount}
		for i, c := range cells {
			pdf.CellFormat(widths[i], 6, fit(pdf, tr(c), widths[i]-2), "1", 0, aligns[i], false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.SetFont("Helvetica", "B", 9)
	var before float64
	for _, w := range widths[:4] {
		before += w
	}
	pdf.CellFormat(before+widths[4], 7, tr("Total ("+d.Total.Currency+")"), "1", 0, "R", false, 0, "")
	pdf.CellFormat(widths[5], 7, d.Total.Decimal().String(), "1", 1, "R", false, 0, "")
}

// fit shortens s with an ellipsis until it is at most w wide.
func fit(pdf *fpdf.Fpdf, s string, w float64) string {
	if pdf.GetStringWidth(s) <= w {
		return s
	}
	const ell = "..."
	for len(s) > 0 && pdf.GetStringWidth(s+ell) > w {
		s = s[:len(s)-1]
	}
	return s + ell
}
