package feed

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// xmlReader streams the record elements of an XML feed with encoding/xml's
// tokenizer: the document is never held whole. A field path is relative
// to the record element: "sku" (a child's text), "price/cost" (a
// grandchild's), "@id" (the record's attribute), "price/@currency" (a
// child's attribute) or "." (the record's own text).
type xmlReader struct {
	dec    *xml.Decoder
	name   string
	record string
	paths  map[string][]int // relative path → fields it feeds

	row      Row
	inRecord bool
	stack    []string // element paths inside the record, innermost last
}

func newXMLReader(r io.Reader, name string, opts XMLOptions, columns Columns) *xmlReader {
	dec := xml.NewDecoder(r)
	dec.Entity = xml.HTMLEntity // &nbsp; and friends appear in exported titles
	preDecoded := opts.Encoding != ""
	dec.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		if preDecoded {
			return input, nil // xml.encoding was applied before the parser
		}
		e, err := encodingOf(label)
		if err != nil {
			return nil, err
		}
		if e == nil {
			return input, nil
		}
		return e.NewDecoder().Reader(input), nil
	}
	x := &xmlReader{dec: dec, name: name, record: opts.Record, paths: map[string][]int{}}
	for f, p := range columns.list() {
		if p == "" {
			continue
		}
		p = strings.Trim(strings.TrimSpace(p), "/")
		if p == "." {
			p = ""
		}
		x.paths[p] = append(x.paths[p], f)
	}
	return x
}

// Next returns the next record element's fields.
func (x *xmlReader) Next() (*Row, error) {
	for {
		tok, err := x.dec.Token()
		if err == io.EOF {
			if x.inRecord {
				return nil, fmt.Errorf("%s: the document ends inside a <%s> record", x.name, x.record)
			}
			return nil, io.EOF
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return nil, userErrorf("%s:%d: XML: %s", x.name, se.Line, se.Msg)
			}
			return nil, fmt.Errorf("%s: XML: %w", x.name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if !x.inRecord {
				if t.Name.Local != x.record {
					continue
				}
				line, _ := x.dec.InputPos()
				x.inRecord = true
				x.stack = x.stack[:0]
				x.row.reset(line)
				x.element("", t.Attr)
				continue
			}
			p := t.Name.Local
			if n := len(x.stack); n > 0 {
				p = x.stack[n-1] + "/" + p
			}
			x.stack = append(x.stack, p)
			x.element(p, t.Attr)
		case xml.CharData:
			if x.inRecord {
				x.text(t)
			}
		case xml.EndElement:
			if !x.inRecord {
				continue
			}
			if len(x.stack) == 0 {
				x.inRecord = false
				for f := range x.row.Fields {
					x.row.Fields[f] = trimSpace(x.row.Fields[f])
				}
				return &x.row, nil
			}
			x.stack = x.stack[:len(x.stack)-1]
		}
	}
}

// element marks the fields fed by the element at path p and its
// attributes as present.
func (x *xmlReader) element(p string, attrs []xml.Attr) {
	for _, f := range x.paths[p] {
		x.row.Has[f] = true
	}
	for _, a := range attrs {
		ap := "@" + a.Name.Local
		if p != "" {
			ap = p + "/" + ap
		}
		for _, f := range x.paths[ap] {
			x.row.Has[f] = true
			x.row.Fields[f] = append(x.row.Fields[f][:0], a.Value...)
		}
	}
}

// text appends character data to the fields fed by the current element.
func (x *xmlReader) text(data []byte) {
	p := ""
	if n := len(x.stack); n > 0 {
		p = x.stack[n-1]
	}
	for _, f := range x.paths[p] {
		x.row.Fields[f] = append(x.row.Fields[f], data...)
	}
}

// Where formats a line number.
func (x *xmlReader) Where(line int) string { return fmt.Sprint(line) }
