package embedded

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"io"
	"os"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The redo log: why bbolt's file is not synced per commit.
//
// bbolt syncs a commit by writing each changed B+tree node wherever its
// free list has room, about 90 pages in 55 places per commit here, then
// two fdatasyncs: on a disk that pays per random write, that bounds the
// store (docs/BENCHMARKS.md, "Embedded store: the disk pays per random
// write"). With the log, a commit appends its changes (redo.go) to a log
// segment, one sequential write and one fdatasync, and bbolt commits
// without syncing. Now and then a checkpoint syncs bbolt's file in the
// background and records that state as the one to restart from.
//
// bbolt's file is consistent on disk only at a checkpoint: later commits
// overwrite its meta pages and, once their old pages are free, those too,
// in whatever order the kernel writes them back. Two things make the
// checkpoint's state survive until the next one:
//   - a read transaction (the pin) is held on it, so bbolt reuses none of
//     its pages: the pages stay as the sync left them;
//   - its meta page is copied into the checkpoint file, and Open writes
//     it back (and voids the other meta page) before bbolt reads the
//     file, whatever later meta pages reached the disk.
//
// Open then replays the log records after the checkpoint's, so every
// commit that was acknowledged is there again. A record is written before
// its commit, so a crash may also replay a commit nobody was told about:
// its writers got an error or nothing, as when a process dies just before
// answering.
//
// Files, next to the store's: <file>-ckpt holds the last two checkpoints
// (slots written alternately, so a torn write leaves the other);
// <file>-wal0 and <file>-wal1 are the segments. A checkpoint switches
// appends to the other segment, which the previous checkpoint made
// obsolete, so the one being checkpointed is left as it is until then.

const (
	ckptMagic = "DGCKPT01"
	// ckptSlot is each checkpoint slot's size: a sector multiple, so a
	// torn write of one cannot reach the other.
	ckptSlot = 4096
	// metaCopy is how much of bbolt's meta page a checkpoint keeps: the
	// page header (16 bytes) and the meta (64); the rest of the page is
	// unused.
	metaCopy = 128
	// bbolt's meta page layout (go.etcd.io/bbolt/internal/common), checked
	// by TestCheckpointMetaLayout: magic at 16, txid at 64, checksum of
	// bytes 16–72 at 72.
	metaMagicAt, metaTxidAt, metaSumAt = 16, 64, 72
	boltMagic                          = 0xED0CDAED

	recordHead = 8 // body length, crc32c of length and body
)

// Defaults for when a checkpoint starts: after this long or this many
// log bytes since the last one, whichever first.
const (
	defaultCheckpointEvery = 250 * time.Millisecond
	defaultCheckpointBytes = 32 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checkpoint is a state of bbolt's file that is on disk in full.
type checkpoint struct {
	seq      uint64 // generation: the higher valid slot wins
	lsn      uint64 // last log record the state includes
	txid     uint64 // bbolt's transaction id of the state
	pageSize uint32
	meta     [metaCopy]byte // bbolt's meta page for txid, as written
}

func ckptPath(db string) string       { return db + "-ckpt" }
func segPath(db string, i int) string { return fmt.Sprintf("%s-wal%d", db, i) }

func (c *checkpoint) encode() []byte {
	b := make([]byte, 0, ckptSlot)
	b = append(b, ckptMagic...)
	b = binary.LittleEndian.AppendUint64(b, c.seq)
	b = binary.LittleEndian.AppendUint64(b, c.lsn)
	b = binary.LittleEndian.AppendUint64(b, c.txid)
	b = binary.LittleEndian.AppendUint32(b, c.pageSize)
	b = append(b, c.meta[:]...)
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	return b[:ckptSlot]
}

const ckptLen = 8 + 8*3 + 4 + metaCopy + 4

func decodeCheckpoint(b []byte) (checkpoint, bool) {
	var c checkpoint
	if len(b) < ckptLen || string(b[:8]) != ckptMagic {
		return c, false
	}
	body := b[:ckptLen-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(b[ckptLen-4:]) {
		return c, false
	}
	c.seq = binary.LittleEndian.Uint64(b[8:])
	c.lsn = binary.LittleEndian.Uint64(b[16:])
	c.txid = binary.LittleEndian.Uint64(b[24:])
	c.pageSize = binary.LittleEndian.Uint32(b[32:])
	copy(c.meta[:], b[36:36+metaCopy])
	return c, true
}

// loadCheckpoint returns the newest valid checkpoint of the store at
// path, or ok false when it has none (a new store, one closed cleanly, or
// one whose first checkpoint was torn).
func loadCheckpoint(path string) (c checkpoint, ok bool, err error) {
	b, err := os.ReadFile(ckptPath(path))
	if errors.Is(err, os.ErrNotExist) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	for i := 0; i+ckptSlot <= len(b); i += ckptSlot {
		if s, valid := decodeCheckpoint(b[i : i+ckptSlot]); valid && (!ok || s.seq > c.seq) {
			c, ok = s, true
		}
	}
	// No valid slot means the first checkpoint's write was torn: bbolt
	// only stops syncing once one is on disk, and later checkpoints
	// alternate slots, so the file is whole as bbolt synced it.
	return c, ok, nil
}

// metaTxid returns the txid of a meta page copy, if it is a valid one.
func metaTxid(m []byte) (uint64, bool) {
	if len(m) < metaSumAt+8 || binary.NativeEndian.Uint32(m[metaMagicAt:]) != boltMagic {
		return 0, false
	}
	h := fnv.New64a()
	_, _ = h.Write(m[metaMagicAt:metaSumAt])
	if h.Sum64() != binary.NativeEndian.Uint64(m[metaSumAt:]) {
		return 0, false
	}
	return binary.NativeEndian.Uint64(m[metaTxidAt:]), true
}

// restoreMeta makes bbolt's file at path open at checkpoint c: it writes
// c's meta page back into its slot and voids the other, whatever later
// commits left there, and syncs.
func restoreMeta(path string, c checkpoint) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	ps := int64(c.pageSize)
	var newest uint64
	for slot := range int64(2) {
		var m [metaCopy]byte
		if _, err := f.ReadAt(m[:], slot*ps); err != nil {
			return fmt.Errorf("read meta page %d: %w", slot, err)
		}
		if tx, ok := metaTxid(m[:]); ok && tx > newest {
			newest = tx
		}
	}
	if newest < c.txid {
		// The file is older than its checkpoint: it was replaced (a
		// backup put back?) without the log files that belong to it.
		return fmt.Errorf("the file is at transaction %d but %s says %d: restore the store file with its -ckpt and -wal files, or remove those three to open the file as it is",
			newest, ckptPath(path), c.txid)
	}
	if _, err := f.WriteAt(c.meta[:], int64(c.txid%2)*ps); err != nil {
		return fmt.Errorf("write meta page: %w", err)
	}
	var void [metaSumAt + 8 - metaMagicAt]byte
	if _, err := f.WriteAt(void[:], int64((c.txid+1)%2)*ps+metaMagicAt); err != nil {
		return fmt.Errorf("void meta page: %w", err)
	}
	return f.Sync()
}

// record is one log record read back.
type record struct {
	lsn uint64
	ops []byte
}

// readChain returns a segment's records from its start while each is
// whole (length and checksum) and numbered one after the previous: the
// first that is not ends it, a torn append or what the segment held
// before it was reused.
func readChain(b []byte) []record {
	var out []record
	for off := 0; off+recordHead <= len(b); {
		n := int(binary.LittleEndian.Uint32(b[off:]))
		sum := binary.LittleEndian.Uint32(b[off+4:])
		if n < 8 || n > len(b)-off-recordHead {
			break
		}
		body := b[off+recordHead : off+recordHead+n]
		c := crc32.Update(crc32.Checksum(b[off:off+4], castagnoli), castagnoli, body)
		if c != sum {
			break
		}
		lsn := binary.LittleEndian.Uint64(body)
		if len(out) > 0 && lsn != out[len(out)-1].lsn+1 {
			break
		}
		out = append(out, record{lsn: lsn, ops: body[8:]})
		off += recordHead + n
	}
	return out
}

// readLog returns the records after lsn from both segments, in order. A
// gap (a record missing between two that are there) is an error: each
// record was synced before the next was written.
func readLog(path string, after uint64) ([]record, error) {
	var all []record
	for i := range 2 {
		b, err := os.ReadFile(segPath(path, i))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, r := range readChain(b) {
			if r.lsn > after {
				all = append(all, r)
			}
		}
	}
	slices.SortFunc(all, func(a, b record) int { return cmp.Compare(a.lsn, b.lsn) })
	for i, r := range all {
		if want := after + uint64(i) + 1; r.lsn != want {
			return nil, fmt.Errorf("log record %d is missing (found %d next)", want, r.lsn)
		}
	}
	return all, nil
}

// replayLog applies recs in one synced transaction.
func replayLog(db *bolt.DB, recs []record) error {
	if len(recs) == 0 {
		return nil
	}
	return db.Update(func(tx *bolt.Tx) error {
		for _, r := range recs {
			if err := applyRedo(tx, r.ops); err != nil {
				return fmt.Errorf("log record %d: %w", r.lsn, err)
			}
		}
		return nil
	})
}

// readMeta reads bbolt's meta page for txid from the file, which must be
// the last commit (its slot is rewritten two commits later).
func readMeta(f io.ReaderAt, pageSize int, txid uint64) ([metaCopy]byte, error) {
	var m [metaCopy]byte
	if _, err := f.ReadAt(m[:], int64(txid%2)*int64(pageSize)); err != nil {
		return m, fmt.Errorf("read meta page: %w", err)
	}
	if got, ok := metaTxid(m[:]); !ok || got != txid {
		return m, fmt.Errorf("meta page for transaction %d not found (slot holds %d, valid %v)", txid, got, ok)
	}
	return m, nil
}

// prepareLog readies the store file at path for bbolt: if it has a
// checkpoint, its meta page goes back in place (restoreMeta). Log files
// without a store file, or without a checkpoint, belong to nothing that
// can be replayed and are removed, so their records cannot be applied to
// another file later.
//
// It holds the file's lock meanwhile: the file may belong to a running
// process, whose pages and log are not this Open's to touch.
func prepareLog(path string, lockTimeout time.Duration) (ck checkpoint, ok bool, err error) {
	if _, serr := os.Stat(path); errors.Is(serr, os.ErrNotExist) {
		return checkpoint{}, false, removeLog(path)
	}
	err = withFileLock(path, lockTimeout, func() error {
		if ck, ok, err = loadCheckpoint(path); err != nil {
			return err
		}
		if !ok {
			return removeLog(path)
		}
		return restoreMeta(path, ck)
	})
	return ck, ok, err
}

// replayFrom applies the log records after checkpoint ck and returns the
// last record's number.
func replayFrom(db *bolt.DB, path string, ck checkpoint) (uint64, error) {
	recs, err := readLog(path, ck.lsn)
	if err != nil {
		return 0, err
	}
	if err := replayLog(db, recs); err != nil {
		return 0, err
	}
	if len(recs) == 0 {
		return ck.lsn, nil
	}
	return recs[len(recs)-1].lsn, nil
}

// errNotClosedCleanly says a store file's last process stopped without
// its final checkpoint: the file alone may be torn, and only an Open,
// which replays the log, may read it.
var errNotClosedCleanly = errors.New("the store was not closed cleanly: start dropgate on it once (it recovers on open), then retry")

// closedCleanly reports whether the file at path reads as it is: its
// log, if any, holds no record after its checkpoint.
func closedCleanly(path string) error {
	ck, ok, err := loadCheckpoint(path)
	if err != nil || !ok {
		return err
	}
	recs, err := readLog(path, ck.lsn)
	if err != nil {
		return err
	}
	if len(recs) > 0 {
		return fmt.Errorf("%w (%d log records after the last checkpoint)", errNotClosedCleanly, len(recs))
	}
	return nil
}
