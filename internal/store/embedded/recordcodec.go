package embedded

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/dropgate/dropgate/internal/s2block"
)

// A record's value was JSON ({"d": base64 of the data, "i": index, "v",
// "c", "u"}): every read of an order scanned its whole aggregate twice
// (JSON validity, then base64), and every write read the old value that
// way too, inside the single write transaction. Values are now written
// in a binary layout with the data as raw bytes at the end:
//
//	0x01 | uvarint version | varint created | varint updated |
//	uvarint n | n × (uvarint len, key, uvarint len, value) | data
//
// A JSON value starts with '{', never 0x01 or 0x02, so values written before
// keep loading as they are (decodeRecordValue reads both).
//
// Data of s2block.Min bytes or more is stored s2-compressed (an s2 block,
// github.com/klauspost/compress/s2) after the same header, marked 0x02,
// when that is smaller. An order is about 5 KB of JSON and 2 KB
// compressed: a bbolt leaf holds 2–4 such values and is rewritten whole
// at each write of one of them, so the bytes each commit writes and syncs
// shrink with the values. The header stays uncompressed, so a write's
// read of the old version, times and index decompresses nothing.
const (
	recordFormatBinary = 0x01
	recordFormatS2     = 0x02
)

// packedData is record data as it is stored: an s2 block when that is
// smaller, else the data itself.
type packedData struct {
	b  []byte
	s2 bool
}

// packData compresses data when it is large enough and that pays. It is
// called before a write is queued, so the compression runs on the
// writer's goroutine, not in the committer's transaction.
func packData(data []byte) packedData {
	b, packed := s2block.Pack(data)
	return packedData{b: b, s2: packed}
}

// encodeRecordValue is the stored bytes of v, its data packed by
// packData (once more here if v.packed is nil). Index keys are sorted so
// the same record always encodes to the same bytes.
func encodeRecordValue(v *recordValue) []byte {
	p := v.packed
	if p == nil {
		pd := packData(v.Data)
		p = &pd
	}
	keys := make([]string, 0, len(v.Index))
	n := 1 + 3*binary.MaxVarintLen64 + len(p.b) + binary.MaxVarintLen64
	for k, x := range v.Index {
		keys = append(keys, k)
		n += 2*binary.MaxVarintLen64 + len(k) + len(x)
	}
	sort.Strings(keys)
	b := make([]byte, 0, n)
	if p.s2 {
		b = append(b, recordFormatS2)
	} else {
		b = append(b, recordFormatBinary)
	}
	b = binary.AppendUvarint(b, uint64(v.Version))
	b = binary.AppendVarint(b, v.Created)
	b = binary.AppendVarint(b, v.Updated)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendBytes(b, k)
		b = appendBytes(b, v.Index[k])
	}
	return append(b, p.b...)
}

func appendBytes(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// decodeRecordValue reads a stored value in either layout. withData false
// leaves Data nil: a write only needs the old version, times and index.
// The bytes belong to the transaction, so everything kept is copied.
func decodeRecordValue(b []byte, withData bool) (*recordValue, error) {
	if len(b) == 0 || (b[0] != recordFormatBinary && b[0] != recordFormatS2) {
		return decodeRecordJSON(b, withData)
	}
	d := recordDecoder{b: b[1:]}
	rv := &recordValue{Version: int64(d.uvarint()), Created: d.varint(), Updated: d.varint()}
	if n := d.uvarint(); n > 0 && d.err == nil {
		if n > uint64(len(d.b)) {
			return nil, errors.New("decode: index longer than the record")
		}
		rv.Index = make(map[string]string, n)
		for i := uint64(0); i < n && d.err == nil; i++ {
			k := d.str()
			rv.Index[k] = d.str()
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	switch {
	case !withData || len(d.b) == 0:
	case b[0] == recordFormatS2:
		data, err := s2block.Unpack(d.b)
		if err != nil {
			return nil, fmt.Errorf("decode: record data: %w", err)
		}
		rv.Data = data
	default:
		rv.Data = append([]byte(nil), d.b...)
	}
	return rv, nil
}

func decodeRecordJSON(b []byte, withData bool) (*recordValue, error) {
	var rv recordValue
	var err error
	if withData {
		err = json.Unmarshal(b, &rv)
	} else {
		// Without a Data field the base64 text is skipped, not decoded.
		var head struct {
			Index   map[string]string `json:"i,omitempty"`
			Version int64             `json:"v"`
			Created int64             `json:"c"`
			Updated int64             `json:"u"`
		}
		err = json.Unmarshal(b, &head)
		rv = recordValue{Index: head.Index, Version: head.Version, Created: head.Created, Updated: head.Updated}
	}
	if err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return &rv, nil
}

type recordDecoder struct {
	b   []byte
	err error
}

var errShortRecord = errors.New("decode: record value cut short")

func (d *recordDecoder) uvarint() uint64 { return readVarint(d, binary.Uvarint) }

func (d *recordDecoder) varint() int64 { return readVarint(d, binary.Varint) }

func readVarint[T uint64 | int64](d *recordDecoder, read func([]byte) (T, int)) T {
	if d.err != nil {
		return 0
	}
	x, n := read(d.b)
	if n <= 0 {
		d.err = errShortRecord
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *recordDecoder) str() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.err = errShortRecord
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
