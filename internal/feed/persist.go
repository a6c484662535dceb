package feed

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// RecState is the record kind of a supplier's feed state (id: the
// supplier). Its store version changes with every import, approval or
// freshness update, so replicas poll it cheaply and reload on change.
const RecState = "feed"

// Snapshots live in blobs "feed/SUPPLIER/SLOT/NNNNNN", one per chunk of
// about 1 MiB of records, deflated. Blobs cannot be deleted, so a
// supplier has three slots, reused in turn: the applied snapshot's and a
// quarantined one's are never overwritten, and the third takes the next
// import. Space stays bounded at three snapshots per supplier.
const (
	numSlots   = 3
	chunkMagic = "DGF1"
	// chunkRecords bounds a chunk's encoded records so that, once
	// inflated, the chunk fits one arena block.
	chunkRecords = blockSize - 64
)

// Summary is the short account of an import kept with its snapshot.
type Summary struct {
	Rows      int `json:"rows"`
	Bad       int `json:"bad"`
	Unmapped  int `json:"unmapped"`
	Changed   int `json:"changed"`
	Zeroed    int `json:"zeroed"`
	Added     int `json:"added"`
	Missing   int `json:"missing"`
	Unchanged int `json:"unchanged"`
}

// Meta describes one stored snapshot.
type Meta struct {
	ID       string    `json:"id"`
	Slot     int       `json:"slot"`
	Chunks   int       `json:"chunks"`
	Offers   int       `json:"offers"`
	Currency string    `json:"currency"`
	Places   []string  `json:"places,omitempty"`
	Source   string    `json:"source"`
	SHA256   string    `json:"sha256,omitempty"` // of the source bytes
	Created  time.Time `json:"created"`
	Summary  Summary   `json:"summary"`
	Reasons  []string  `json:"reasons,omitempty"` // why it was quarantined
}

// Validators identify the content last fetched from the configured
// source, so an unchanged feed is not downloaded or parsed again.
type Validators struct {
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"` // HTTP, as sent
	Size         int64     `json:"size,omitempty"`
	ModTime      time.Time `json:"mod_time,omitempty"` // file or SFTP
	SHA256       string    `json:"sha256,omitempty"`
	// Failed: that content failed to import (too many bad rows); it is
	// not retried until it changes.
	Failed bool `json:"failed,omitempty"`
}

// State is a supplier's feed record.
type State struct {
	Supplier string `json:"supplier"`
	Applied  *Meta  `json:"applied,omitempty"`
	Pending  *Meta  `json:"pending,omitempty"` // quarantined, awaiting approve/discard
	// AsOf anchors freshness: the applied import's time, or the source's
	// modification time when a later check found it unchanged.
	AsOf     time.Time  `json:"as_of"`
	Checked  time.Time  `json:"checked"`
	Fetched  Validators `json:"fetched"`
	NextSlot int        `json:"next_slot"`
}

// StateReader reads feed state records, BlobReader snapshot chunks: a
// store is both, and so is a read-only view of an embedded store file
// (what `dropgate route --explain` reads when no server holds it).
type (
	StateReader interface {
		GetRecord(ctx context.Context, kind, id string) (store.Record, error)
	}
	BlobReader interface {
		GetBlob(ctx context.Context, key string) ([]byte, error)
	}
	// Reader reads a supplier's applied snapshot: its state, then its
	// chunks.
	Reader interface {
		StateReader
		BlobReader
	}
)

// LoadState reads a supplier's state and its record version (0: none yet).
func LoadState(ctx context.Context, st StateReader, supplier string) (*State, int64, error) {
	rec, err := st.GetRecord(ctx, RecState, supplier)
	if errors.Is(err, store.ErrNotFound) {
		return &State{Supplier: supplier}, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("feed %s: read state: %w", supplier, err)
	}
	var s State
	if err := json.Unmarshal(rec.Data, &s); err != nil {
		return nil, 0, fmt.Errorf("feed %s: stored state is corrupt: %w", supplier, err)
	}
	return &s, rec.Version, nil
}

// SaveState writes the state if its record is still at version
// (store.ErrConflict otherwise) and returns the new version.
func SaveState(ctx context.Context, st store.Records, s *State, version int64) (int64, error) {
	data, err := json.Marshal(s)
	if err != nil {
		return 0, err
	}
	return st.PutRecord(ctx, store.Record{Kind: RecState, ID: s.Supplier, Data: data, Version: version})
}

// freeSlot returns the slot the next snapshot is written to: never the
// applied or the pending one's.
func (s *State) freeSlot() int {
	for i := range numSlots {
		slot := (s.NextSlot + i) % numSlots
		if (s.Applied == nil || s.Applied.Slot != slot) && (s.Pending == nil || s.Pending.Slot != slot) {
			return slot
		}
	}
	return s.NextSlot % numSlots // unreachable with three slots
}

func chunkKey(supplier string, slot, i int) string {
	return fmt.Sprintf("feed/%s/%d/%06d", supplier, slot, i)
}

// WriteSnapshot stores snap in slot, chunk by chunk, and returns the
// number of chunks. Memory: one chunk and its compressed form.
func WriteSnapshot(ctx context.Context, blobs store.Blobs, supplier string, slot int, snap *Snapshot) (int, error) {
	var raw, packed bytes.Buffer
	zw, _ := flate.NewWriter(&packed, flate.BestSpeed)
	chunks, from := 0, 0
	flush := func(to int) error {
		raw.Reset()
		raw.WriteString(chunkMagic)
		hdr := binary.AppendUvarint(nil, uint64(len(snap.ID)))
		hdr = append(hdr, snap.ID...)
		hdr = binary.AppendUvarint(hdr, uint64(chunks))
		hdr = binary.AppendUvarint(hdr, uint64(to-from))
		raw.Write(hdr)
		for i := from; i < to; i++ {
			r := snap.raw(i)
			v, _ := decodeRec(r)
			raw.Write(r[:v.size])
		}
		packed.Reset()
		zw.Reset(&packed)
		if _, err := zw.Write(raw.Bytes()); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		if err := blobs.PutBlob(ctx, chunkKey(supplier, slot, chunks), packed.Bytes()); err != nil {
			return fmt.Errorf("feed %s: store snapshot chunk %d: %w", supplier, chunks, err)
		}
		chunks++
		from = to
		collectEvery(chunks)
		return nil
	}
	size := 0
	for i := 0; i < snap.Len(); i++ {
		v, _ := decodeRec(snap.raw(i))
		if size+v.size > chunkRecords && i > from {
			if err := flush(i); err != nil {
				return 0, err
			}
			size = 0
		}
		size += v.size
	}
	if snap.Len() > from || chunks == 0 {
		if err := flush(snap.Len()); err != nil {
			return 0, err
		}
	}
	return chunks, nil
}

// collectEvery runs a garbage collection every gcChunks chunks. While a
// snapshot is built or loaded the heap holds its arena: tens of megabytes
// the GC never needs to scan (no pointers). The default GC target, twice
// the live heap, would let the garbage each chunk leaves (the store
// driver's copies and pages) grow as large as the arena before a
// collection; collecting every few chunks costs a few milliseconds and
// keeps the peak near the arena's own size.
func collectEvery(n int) {
	if n%gcChunks == 0 {
		runtime.GC()
	}
}

const gcChunks = 8

// chunkReader inflates a snapshot's chunks one at a time.
type chunkReader struct {
	ctx      context.Context
	blobs    BlobReader
	supplier string
	meta     *Meta
	zr       io.ReadCloser

	i     int    // next chunk
	buf   []byte // current chunk's records
	pos   int
	left  int // records left in the current chunk
	total int // records read
}

func newChunkReader(ctx context.Context, blobs BlobReader, supplier string, meta *Meta) *chunkReader {
	return &chunkReader{ctx: ctx, blobs: blobs, supplier: supplier, meta: meta}
}

func (c *chunkReader) places() []string { return c.meta.Places }

// load reads chunk c.i into c.buf (a fresh buffer when fresh is set, so
// the previous one can be kept by the caller).
func (c *chunkReader) load(fresh bool) error {
	packed, err := c.blobs.GetBlob(c.ctx, chunkKey(c.supplier, c.meta.Slot, c.i))
	if err != nil {
		return fmt.Errorf("feed %s: snapshot %s chunk %d: %w", c.supplier, c.meta.ID, c.i, err)
	}
	if c.zr == nil {
		c.zr = flate.NewReader(bytes.NewReader(packed))
	} else if err := c.zr.(flate.Resetter).Reset(bytes.NewReader(packed), nil); err != nil {
		return err
	}
	buf := c.buf[:0]
	if fresh {
		buf = nil
	}
	w := bytes.NewBuffer(buf)
	if _, err := w.ReadFrom(c.zr); err != nil {
		return fmt.Errorf("feed %s: snapshot %s chunk %d: %w", c.supplier, c.meta.ID, c.i, err)
	}
	b := w.Bytes()
	bad := fmt.Errorf("feed %s: snapshot %s chunk %d is corrupt or from another snapshot", c.supplier, c.meta.ID, c.i)
	if !bytes.HasPrefix(b, []byte(chunkMagic)) {
		return bad
	}
	pos := len(chunkMagic)
	idLen, k := binary.Uvarint(b[pos:])
	if k <= 0 || idLen > uint64(len(b)-pos-k) || string(b[pos+k:pos+k+int(idLen)]) != c.meta.ID {
		return bad
	}
	pos += k + int(idLen)
	idx, k1 := binary.Uvarint(b[pos:])
	if k1 <= 0 || idx != uint64(c.i) {
		return bad
	}
	pos += k1
	n, k2 := binary.Uvarint(b[pos:])
	if k2 <= 0 || n > uint64(len(b)) {
		return bad
	}
	pos += k2
	c.buf, c.pos, c.left = b, pos, int(n)
	c.i++
	collectEvery(c.i)
	return nil
}

// next returns the next record in supplier SKU order; its slices are
// valid until the following call.
func (c *chunkReader) next() (rec, bool, error) {
	for c.left == 0 {
		if c.i >= c.meta.Chunks {
			if c.total != c.meta.Offers {
				return rec{}, false, fmt.Errorf("feed %s: snapshot %s has %d offers, expected %d", c.supplier, c.meta.ID, c.total, c.meta.Offers)
			}
			return rec{}, false, nil
		}
		if err := c.load(false); err != nil {
			return rec{}, false, err
		}
	}
	r, ok := decodeRec(c.buf[c.pos:])
	if !ok {
		return rec{}, false, fmt.Errorf("feed %s: snapshot %s chunk %d: corrupt record", c.supplier, c.meta.ID, c.i-1)
	}
	c.pos += r.size
	c.left--
	c.total++
	return r, true, nil
}

// ReadSnapshot loads a stored snapshot whole (for the routing catalog):
// each inflated chunk becomes one block.
func ReadSnapshot(ctx context.Context, blobs BlobReader, supplier string, meta *Meta) (*Snapshot, error) {
	c := newChunkReader(ctx, blobs, supplier, meta)
	snap := &Snapshot{ID: meta.ID, Currency: meta.Currency, Places: meta.Places, refs: make([]uint32, 0, meta.Offers)}
	var prev []byte
	for c.i < meta.Chunks {
		if err := c.load(true); err != nil {
			return nil, err
		}
		if len(snap.blocks) == maxBlocks || len(c.buf) > blockSize {
			return nil, fmt.Errorf("feed %s: snapshot %s: chunk %d too large", supplier, meta.ID, c.i-1)
		}
		block := uint32(len(snap.blocks))
		snap.blocks = append(snap.blocks, c.buf)
		for ; c.left > 0; c.left-- {
			r, ok := decodeRec(c.buf[c.pos:])
			if !ok || (prev != nil && bytes.Compare(prev, r.ssku) >= 0) {
				return nil, fmt.Errorf("feed %s: snapshot %s chunk %d: corrupt record", supplier, meta.ID, c.i-1)
			}
			prev = r.ssku
			snap.refs = append(snap.refs, block<<blockBits|uint32(c.pos))
			c.pos += r.size
		}
	}
	if snap.Len() != meta.Offers {
		return nil, fmt.Errorf("feed %s: snapshot %s has %d offers, expected %d", supplier, meta.ID, snap.Len(), meta.Offers)
	}
	return snap, nil
}

// snapshotIter walks an in-memory snapshot as a recIter.
type snapshotIter struct {
	s *Snapshot
	i int
}

func (it *snapshotIter) next() (rec, bool, error) {
	if it.i >= it.s.Len() {
		return rec{}, false, nil
	}
	it.i++
	return it.s.rec(it.i - 1), true, nil
}

func (it *snapshotIter) places() []string { return it.s.Places }
