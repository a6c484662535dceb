package feed

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Fields of an offer, in the order of Columns.
const (
	fSupplierSKU = iota
	fSKU
	fQuantity
	fCost
	fMAP
	fMSRP
	fGTIN
	fTitle
	fShipFrom
	numFields
)

// fieldNames are the YAML keys of the fields, for messages.
var fieldNames = [numFields]string{"supplier_sku", "sku", "quantity", "cost", "map", "msrp", "gtin", "title", "ship_from"}

// Row is one record as a reader found it: the raw text of each mapped
// field. The slices are only valid until the reader's next call.
type Row struct {
	// Line is the line the record starts on (CSV, XML), or its index in
	// the records array (JSON).
	Line int
	// Fields holds each field's text; Has tells a field the record
	// carries (possibly empty) from one it lacks.
	Fields [numFields][]byte
	Has    [numFields]bool
}

func (r *Row) reset(line int) {
	r.Line = line
	for i := range r.Fields {
		r.Fields[i] = r.Fields[i][:0]
		r.Has[i] = false
	}
}

// RowReader yields a feed's records one at a time.
type RowReader interface {
	// Next returns the next record, or io.EOF after the last. A *Error
	// is a problem with one record (count it and go on); any other error
	// ends the read.
	Next() (*Row, error)
	// Where formats a record's position for messages: "12" (a line) or
	// "$.items[3]" (JSON).
	Where(line int) string
}

// Error is a problem with one record of a feed, pinned to the file, the
// record's line (CSV, XML) or JSON path, and the column.
type Error struct {
	File   string // the feed's name (file, URL or SFTP path)
	Where  string // "12" or "$.items[3]"
	Field  string // the offer field ("quantity"), empty for the whole row
	Column string // the feed's column for it ("Bestand", "stock/qty")
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if strings.HasPrefix(e.Where, "$") {
		b.WriteString(": ")
	} else {
		b.WriteString(":")
	}
	b.WriteString(e.Where)
	b.WriteString(": ")
	if e.Column != "" {
		fmt.Fprintf(&b, "column %q", e.Column)
		if e.Field != "" && e.Field != e.Column {
			fmt.Fprintf(&b, " (%s)", e.Field)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrUser marks an import that failed on its input or configuration (a
// missing column, too many bad rows), as opposed to the world failing.
var ErrUser = errors.New("feed")

// userErrorf returns an error matching ErrUser.
func userErrorf(format string, args ...any) error {
	return &userError{msg: fmt.Sprintf(format, args...)}
}

type userError struct{ msg string }

func (e *userError) Error() string        { return e.msg }
func (e *userError) Is(target error) bool { return target == ErrUser }

// columnNumber parses a 1-based column number.
func columnNumber(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil
}
