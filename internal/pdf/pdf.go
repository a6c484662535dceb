// Package pdf writes simple text documents as PDF 1.4: pages of lines in
// Helvetica, nothing else. It is enough for a purchase order a supplier
// prints or files, with no dependency and no font embedding (Helvetica is
// one of the standard 14 fonts every reader has).
package pdf

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// Page geometry: US Letter in points, 10 pt text on 13 pt lines.
const (
	pageW, pageH  = 612, 792
	margin        = 54
	fontSize      = 10
	leading       = 13
	linesPerPage  = (pageH - 2*margin) / leading
	titleFontSize = 14
)

// Write renders title and lines as a PDF on w. Lines longer than a page
// is wide are cut with "…"; characters outside Latin-1 print as "?"
// (the standard fonts have no others).
func Write(w io.Writer, title string, lines []string) error {
	var pages [][]string
	body := append([]string{}, lines...)
	for len(body) > 0 || len(pages) == 0 {
		n := min(len(body), linesPerPage-2) // the title takes two lines
		pages = append(pages, body[:n])
		body = body[n:]
	}
	var b bytes.Buffer
	var offsets []int
	obj := func(s string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), s)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	// 1 catalog, 2 pages, 3 font, then a page and its content per page.
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 4+2*i)
	}
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	for i, pl := range pages {
		var c strings.Builder
		fmt.Fprintf(&c, "BT /F1 %d Tf %d %d Td (%s) Tj ET\n", titleFontSize, margin, pageH-margin, text(title))
		if len(pages) > 1 {
			fmt.Fprintf(&c, "BT /F1 8 Tf %d %d Td (page %d of %d) Tj ET\n", pageW-margin-60, margin/2, i+1, len(pages))
		}
		fmt.Fprintf(&c, "BT /F1 %d Tf %d TL %d %d Td\n", fontSize, leading, margin, pageH-margin-2*leading)
		for _, l := range pl {
			fmt.Fprintf(&c, "(%s) Tj T*\n", text(l))
		}
		c.WriteString("ET")
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", pageW, pageH, 5+2*i))
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", c.Len(), c.String()))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	_, err := w.Write(b.Bytes())
	return err
}

// maxChars is about what fits a line at 10 pt Helvetica.
const maxChars = 100

// text escapes a string for a PDF literal in WinAnsi: ( ) \ escaped,
// Latin-1 kept as octal escapes, anything else "?".
func text(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == maxChars {
			b.WriteString("\\205") // WinAnsi ellipsis
			break
		}
		n++
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r >= 0xa0 && r <= 0xff:
			fmt.Fprintf(&b, "\\%03o", r)
		case r == '\t':
			b.WriteByte(' ')
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}
