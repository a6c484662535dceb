package feed

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/dropgate/dropgate/core/money"
)

// Limits on one offer's text: anything longer is a broken column mapping
// rather than data, except titles, which are cut.
const (
	maxKeyBytes   = 256
	maxTitleBytes = 512
	maxPlaces     = 1 << 16
	// MaxReportedErrors bounds the row errors kept for the report; all
	// are counted.
	MaxReportedErrors = 100
)

// Builder turns rows into a Snapshot: it validates and converts each
// row's fields, keeps the good ones as compact records and reports the
// bad ones with their position. Build it with NewBuilder.
type Builder struct {
	file    string
	where   func(int) string
	columns [numFields]string
	numbers Numbers
	exp     uint8
	cur     string
	mapped  func(supplierSKU []byte) bool

	arena     arena
	pairs     [][]pair // in chunks, so growing never copies them
	places    map[string]uint64
	placeList []string
	scratch   []byte

	// Rows counts the records read, Bad those rejected, Unmapped the good
	// ones that carry no merchant SKU and have none in the catalog.
	Rows, Bad, Unmapped int
	// Errors are the first MaxReportedErrors row errors.
	Errors []*Error
}

// pair is a record reference and the position it came from.
type pair struct{ ref, line uint32 }

// pairChunk is the number of pairs allocated at a time.
const pairChunk = 1 << 16

// NewBuilder returns a builder for a feed named file whose prices are in
// currency. where formats a row position; mapped (may be nil) tells
// whether the supplier's catalog maps a supplier SKU to a merchant SKU.
func NewBuilder(file, currency string, cfg *Config, where func(int) string, mapped func([]byte) bool) (*Builder, error) {
	exp, ok := money.Exponent(currency)
	if !ok {
		return nil, fmt.Errorf("feed %s: unknown currency %q", file, currency)
	}
	return &Builder{
		file: file, where: where, columns: cfg.Columns.list(), numbers: cfg.Numbers(), exp: exp, cur: currency,
		mapped: mapped, places: map[string]uint64{},
	}, nil
}

// errArenaFull ends an import whose records exceed 4 GiB.
var errArenaFull = errors.New("the feed is larger than 4 GiB of offers")

// Add validates one row and keeps it, or counts it as bad.
func (b *Builder) Add(row *Row) error {
	b.Rows++
	var r rec
	var bad *Error
	fail := func(f int, format string, args ...any) {
		if bad == nil {
			bad = &Error{File: b.file, Where: b.where(row.Line), Field: fieldNames[f], Column: b.columns[f], Msg: fmt.Sprintf(format, args...)}
		}
	}
	text := func(f, limit int, required bool) []byte {
		if b.columns[f] == "" {
			return nil
		}
		v := trimSpace(row.Fields[f])
		switch {
		case !row.Has[f] && required:
			fail(f, "missing")
		case len(v) == 0 && required:
			fail(f, "empty")
		case !utf8.Valid(v):
			fail(f, "not valid UTF-8 (a Latin-1 file? set encoding: latin-1)")
		case len(v) > limit && f == fTitle:
			v = cutUTF8(v, limit)
		case len(v) > limit:
			fail(f, "longer than %d bytes", limit)
		}
		return v
	}
	r.ssku = text(fSupplierSKU, maxKeyBytes, true)
	r.sku = text(fSKU, maxKeyBytes, false)
	r.gtin = text(fGTIN, maxKeyBytes, false)
	r.title = text(fTitle, maxTitleBytes, false)
	if from := text(fShipFrom, maxKeyBytes, false); len(from) > 0 {
		r.place = b.place(from)
		if r.place == 0 {
			fail(fShipFrom, "more than %d different places", maxPlaces)
		}
	}
	b.numbersOf(row, &r, fail)
	if bad != nil {
		b.reject(bad)
		return nil
	}
	if len(r.sku) == 0 && (b.mapped == nil || !b.mapped(r.ssku)) {
		b.Unmapped++
	}
	b.scratch = appendRec(b.scratch[:0], &r)
	ref, ok := b.arena.add(b.scratch)
	if !ok {
		return errArenaFull
	}
	n := len(b.pairs)
	if n == 0 || len(b.pairs[n-1]) == cap(b.pairs[n-1]) {
		b.pairs = append(b.pairs, make([]pair, 0, pairChunk))
		n++
	}
	b.pairs[n-1] = append(b.pairs[n-1], pair{ref: ref, line: uint32(row.Line)})
	return nil
}

// numbersOf converts the quantity and the prices. A mapped quantity or
// cost must be present in every row; MAP and MSRP may be left empty.
func (b *Builder) numbersOf(row *Row, r *rec, fail func(int, string, ...any)) {
	for _, f := range [...]int{fQuantity, fCost, fMAP, fMSRP} {
		if b.columns[f] == "" {
			continue
		}
		v := row.Fields[f]
		if !row.Has[f] || len(trimSpace(v)) == 0 {
			if f == fQuantity || f == fCost {
				fail(f, "empty")
			}
			continue
		}
		d, err := parseNumber(v, b.numbers)
		if err != nil {
			fail(f, "%q: %v", v, err)
			continue
		}
		if f == fQuantity {
			n, err := quantity(d)
			if err != nil {
				fail(f, "%v", err)
				continue
			}
			// Suppliers report backorders as negative stock: none to sell.
			r.stock = max(n, 0)
			r.flags |= hasQty
			continue
		}
		if d.Sign() < 0 {
			fail(f, "%s: a price cannot be negative", d)
			continue
		}
		m, err := minorUnits(d, b.exp)
		if err != nil {
			fail(f, "%v %s", err, b.cur)
			continue
		}
		switch f {
		case fCost:
			r.cost, r.flags = m, r.flags|hasCost
		case fMAP:
			r.mapP, r.flags = m, r.flags|hasMAP
		case fMSRP:
			r.msrp, r.flags = m, r.flags|hasMSRP
		}
	}
}

// place interns a ship-from place; 0 when the table is full.
func (b *Builder) place(v []byte) uint64 {
	if i, ok := b.places[string(v)]; ok {
		return i
	}
	if len(b.placeList) >= maxPlaces-1 {
		return 0
	}
	s := string(v)
	b.placeList = append(b.placeList, s)
	b.places[s] = uint64(len(b.placeList))
	return uint64(len(b.placeList))
}

// Reject counts a row a reader could not even split into fields.
func (b *Builder) Reject(e *Error) {
	b.Rows++
	b.reject(e)
}

func (b *Builder) reject(e *Error) {
	b.Bad++
	if len(b.Errors) < MaxReportedErrors {
		b.Errors = append(b.Errors, e)
	}
}

// Finish sorts the offers by supplier SKU and returns the snapshot. A
// supplier SKU listed twice keeps its first row; the others are bad rows.
func (b *Builder) Finish(id string) *Snapshot {
	key := func(ref uint32) []byte {
		return firstField(b.arena.blocks[ref>>blockBits][ref&(blockSize-1):])
	}
	total := 0
	for _, c := range b.pairs {
		total += len(c)
	}
	pairs := make([]pair, 0, total)
	for _, c := range b.pairs {
		pairs = append(pairs, c...)
	}
	b.pairs = nil
	slices.SortFunc(pairs, func(x, y pair) int {
		if c := bytes.Compare(key(x.ref), key(y.ref)); c != 0 {
			return c
		}
		return cmp.Compare(x.ref, y.ref) // input order among duplicates
	})
	refs := make([]uint32, 0, len(pairs))
	first := 0
	for i, p := range pairs {
		if i > 0 && bytes.Equal(key(p.ref), key(pairs[first].ref)) {
			b.reject(&Error{File: b.file, Where: b.where(int(p.line)), Field: fieldNames[fSupplierSKU], Column: b.columns[fSupplierSKU],
				Msg: fmt.Sprintf("duplicate %q (first at %s); this row is ignored", key(p.ref), b.where(int(pairs[first].line)))})
			continue
		}
		first = i
		refs = append(refs, p.ref)
	}
	return &Snapshot{ID: id, Currency: b.cur, Places: b.placeList, blocks: b.arena.blocks, refs: refs}
}

// cutUTF8 shortens v to at most n bytes without splitting a character.
func cutUTF8(v []byte, n int) []byte {
	for n > 0 && !utf8.RuneStart(v[n]) {
		n--
	}
	return v[:n]
}
