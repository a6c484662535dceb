package feed

import (
	"bytes"
	"encoding/binary"
	"sort"
)

// Blocks hold encoded records; a reference is block<<blockBits | offset,
// so 4096 blocks of 1 MiB (4 GiB of records) fit a uint32.
const (
	blockBits = 20
	blockSize = 1 << blockBits
	maxBlocks = 1 << (32 - blockBits)
)

// Record flags: which optional numbers a record carries.
const (
	hasQty  = 1 << iota // quantity
	hasCost             // cost
	hasMAP              // minimum advertised price
	hasMSRP             // manufacturer's suggested retail price
)

// Snapshot is one supplier's offers as of one import, sorted by supplier
// SKU. Each offer is a varint-encoded record (supplier SKU, merchant SKU,
// GTIN, title, ship-from place, flags, stock and prices in minor units)
// packed into 1 MiB blocks; refs sort them. At about 60 bytes an offer, a
// million offers take some 60 MB and no pointers for the GC to scan.
// A Snapshot is immutable once built and safe for concurrent reads.
type Snapshot struct {
	ID       string
	Currency string   // of every price in it
	Places   []string // ship-from places; a record keeps its index + 1
	blocks   [][]byte
	refs     []uint32
}

// Len is the number of offers.
func (s *Snapshot) Len() int { return len(s.refs) }

// raw returns the bytes from the i-th offer's record to its block's end.
func (s *Snapshot) raw(i int) []byte {
	r := s.refs[i]
	return s.blocks[r>>blockBits][r&(blockSize-1):]
}

// rec decodes the i-th offer without allocating.
func (s *Snapshot) rec(i int) rec {
	v, _ := decodeRec(s.raw(i))
	return v
}

// Offer is one supplier offer of a snapshot. Prices are in minor units of
// the snapshot's currency; the Has flags tell an absent number (the feed
// did not carry it) from zero.
type Offer struct {
	SupplierSKU string
	SKU         string // merchant SKU; empty: take the catalog's mapping
	GTIN        string
	Title       string
	ShipFrom    string
	Stock       int64
	Cost        int64
	MAP         int64
	MSRP        int64
	HasStock    bool
	HasCost     bool
	HasMAP      bool
	HasMSRP     bool
}

// At returns the i-th offer (in supplier SKU order).
func (s *Snapshot) At(i int) Offer {
	return s.rec(i).offer(s.Places)
}

// Find returns the index of the offer with supplierSKU.
func (s *Snapshot) Find(supplierSKU string) (int, bool) {
	i := sort.Search(len(s.refs), func(i int) bool {
		return string(s.SupplierSKU(i)) >= supplierSKU
	})
	return i, i < len(s.refs) && string(s.SupplierSKU(i)) == supplierSKU
}

// SupplierSKU returns the i-th offer's supplier SKU without decoding the
// rest.
func (s *Snapshot) SupplierSKU(i int) []byte { return firstField(s.raw(i)) }

// MerchantSKU returns the i-th offer's merchant SKU (empty when the feed
// did not carry one) without decoding the rest.
func (s *Snapshot) MerchantSKU(i int) []byte {
	b := s.raw(i)
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil
	}
	return firstField(b[k+int(n):])
}

// rec is a decoded record whose byte slices point into its block.
type rec struct {
	ssku, sku, gtin, title []byte
	place                  uint64
	flags                  byte
	stock, cost, mapP      int64
	msrp                   int64
	size                   int // encoded length
}

func (r rec) offer(places []string) Offer {
	o := Offer{
		SupplierSKU: string(r.ssku), SKU: string(r.sku), GTIN: string(r.gtin), Title: string(r.title),
		Stock: r.stock, Cost: r.cost, MAP: r.mapP, MSRP: r.msrp,
		HasStock: r.flags&hasQty != 0, HasCost: r.flags&hasCost != 0, HasMAP: r.flags&hasMAP != 0, HasMSRP: r.flags&hasMSRP != 0,
	}
	if r.place > 0 && int(r.place) <= len(places) {
		o.ShipFrom = places[r.place-1]
	}
	return o
}

// appendRec encodes r after dst.
func appendRec(dst []byte, r *rec) []byte {
	for _, s := range [][]byte{r.ssku, r.sku, r.gtin, r.title} {
		dst = binary.AppendUvarint(dst, uint64(len(s)))
		dst = append(dst, s...)
	}
	dst = binary.AppendUvarint(dst, r.place)
	dst = append(dst, r.flags)
	for i, v := range [...]int64{r.stock, r.cost, r.mapP, r.msrp} {
		if r.flags&(1<<i) != 0 {
			dst = binary.AppendUvarint(dst, uint64(v))
		}
	}
	return dst
}

// decodeRec decodes the record at the start of b. It never panics on bad
// input (records also come back from the store): ok is false instead.
func decodeRec(b []byte) (r rec, ok bool) {
	pos := 0
	str := func() []byte {
		n, k := binary.Uvarint(b[pos:])
		if k <= 0 || n > uint64(len(b)-pos-k) {
			ok = false
			pos = len(b)
			return nil
		}
		s := b[pos+k : pos+k+int(n)]
		pos += k + int(n)
		return s
	}
	num := func() uint64 {
		n, k := binary.Uvarint(b[pos:])
		if k <= 0 {
			ok = false
			pos = len(b)
			return 0
		}
		pos += k
		return n
	}
	ok = true
	r.ssku, r.sku, r.gtin, r.title = str(), str(), str(), str()
	r.place = num()
	if !ok || pos >= len(b) {
		return rec{}, false
	}
	r.flags = b[pos]
	pos++
	for i, dst := range [...]*int64{&r.stock, &r.cost, &r.mapP, &r.msrp} {
		if r.flags&(1<<i) != 0 {
			v := num()
			if v > 1<<62 {
				ok = false
			}
			*dst = int64(v)
		}
	}
	if !ok {
		return rec{}, false
	}
	r.size = pos
	return r, true
}

// firstField returns the supplier SKU of the record at the start of b.
func firstField(b []byte) []byte {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil
	}
	return b[k : k+int(n)]
}

// same reports whether two records say the same thing about an offer
// (places compared by value: each snapshot interns its own).
func same(a, b rec, aPlaces, bPlaces []string) bool {
	return a.flags == b.flags && a.stock == b.stock && a.cost == b.cost && a.mapP == b.mapP && a.msrp == b.msrp &&
		bytes.Equal(a.sku, b.sku) && bytes.Equal(a.gtin, b.gtin) && bytes.Equal(a.title, b.title) &&
		place(a.place, aPlaces) == place(b.place, bPlaces)
}

func place(i uint64, places []string) string {
	if i == 0 || int(i) > len(places) {
		return ""
	}
	return places[i-1]
}

// arena appends records into blocks, never moving what it wrote, so
// growth costs no copy of what came before.
type arena struct {
	blocks [][]byte
}

// add stores an encoded record and returns its reference; false when the
// arena is full (4 GiB).
func (a *arena) add(enc []byte) (uint32, bool) {
	n := len(a.blocks)
	if n == 0 || len(a.blocks[n-1])+len(enc) > blockSize {
		if n == maxBlocks {
			return 0, false
		}
		a.blocks = append(a.blocks, make([]byte, 0, blockSize))
		n++
	}
	b := a.blocks[n-1]
	ref := uint32(n-1)<<blockBits | uint32(len(b))
	a.blocks[n-1] = append(b, enc...)
	return ref, true
}
