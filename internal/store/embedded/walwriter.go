package embedded

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// logMmapSize is bbolt's initial memory map while the log is on. bbolt
// remaps a growing file under a lock that waits for every read
// transaction, the checkpoint's pin included, which lasts until the next
// checkpoint: a remap would wait for itself. A map this large (address
// space, not memory) is never outgrown in practice; a file past
// logMaxFile turns the log off and commits sync again. It is a variable
// so that 32-bit builds, where the log is off, compile: as a constant it
// overflows their int.
var logMmapSize int64 = 16 << 30

const logMaxFile = 12 << 30

// logSupported says whether this platform runs the log: 64-bit, where the
// large map is only address space, and not Windows, where bbolt grows
// the file to the map's size.
func logSupported() bool { return logPlatform && strconv.IntSize == 64 && runtime.GOOS != "windows" }

// redoLog is the log as the committer writes it (see wal.go).
type redoLog struct {
	path     string
	db       *bolt.DB
	dbf      *os.File // the store file, read for meta pages
	ckf      *os.File
	seg      [2]*os.File
	zeroed   [2]int64 // each segment's size: zeros (or old records) up to there
	cur      int
	off      int64
	lsn      uint64
	ck       checkpoint // the newest on disk
	pin      *bolt.Tx   // holds ck's pages
	pageSize int

	rec   redo // the commit being built
	frame []byte

	every     time.Duration
	maxBytes  int64
	lastStart time.Time
	flight    *ckptFlight

	stats *logStats
}

// logStats are the log's counters, kept by the committer so they outlive
// the log (it is closed, or turned off, while metrics still read them).
type logStats struct {
	checkpoints atomic.Uint64
	written     atomic.Uint64 // bytes of records
	// writeTime is the nanoseconds spent writing and syncing records.
	writeTime atomic.Int64
}

// ckptFlight is a checkpoint being synced in the background.
type ckptFlight struct {
	next checkpoint
	pin  *bolt.Tx
	done chan error
}

// startLog begins logging on db, whose file must be synced at its last
// commit (Open's commits are): it records that state as a checkpoint,
// pins it and from then on bbolt commits without syncing. prev is the
// checkpoint Open restored from (zero if none), lsn the last record
// replayed.
func startLog(db *bolt.DB, path string, prev checkpoint, lsn uint64, every time.Duration, maxBytes int64) (l *redoLog, err error) {
	l = &redoLog{path: path, db: db, lsn: lsn, every: every, maxBytes: maxBytes,
		pageSize: db.Info().PageSize, lastStart: time.Now(), stats: new(logStats)}
	defer func() {
		if err != nil {
			l.closeFiles()
		}
	}()
	if l.dbf, err = os.Open(path); err != nil {
		return nil, err
	}
	if l.ckf, err = os.OpenFile(ckptPath(path), os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return nil, err
	}
	for i := range l.seg {
		if l.seg[i], err = os.OpenFile(segPath(path, i), os.O_RDWR|os.O_CREATE, 0o600); err != nil {
			return nil, err
		}
		fi, err := l.seg[i].Stat()
		if err != nil {
			return nil, err
		}
		l.zeroed[i] = fi.Size()
	}
	if err := syncDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	l.ck = prev
	pin, next, err := l.begin()
	if err != nil {
		return nil, err
	}
	if err := l.writeCheckpoint(next); err != nil {
		_ = pin.Rollback()
		return nil, err
	}
	l.pin, l.ck = pin, next
	db.NoSync = true
	return l, nil
}

// begin pins the state of the last commit and describes it as the next
// checkpoint. It runs between commits, while the meta page of the last
// one is still in its slot.
func (l *redoLog) begin() (*bolt.Tx, checkpoint, error) {
	pin, err := l.db.Begin(false)
	if err != nil {
		return nil, checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	txid := uint64(pin.ID())
	meta, err := readMeta(l.dbf, l.pageSize, txid)
	if err != nil {
		_ = pin.Rollback()
		return nil, checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	return pin, checkpoint{seq: l.ck.seq + 1, lsn: l.lsn, txid: txid, pageSize: uint32(l.pageSize), meta: meta}, nil
}

// writeCheckpoint syncs bbolt's file, then records c in its slot.
func (l *redoLog) writeCheckpoint(c checkpoint) error {
	if err := l.db.Sync(); err != nil {
		return fmt.Errorf("checkpoint: sync store file: %w", err)
	}
	if _, err := l.ckf.WriteAt(c.encode(), int64(c.seq%2)*ckptSlot); err != nil {
		return fmt.Errorf("checkpoint: write: %w", err)
	}
	if err := fdatasync(l.ckf); err != nil {
		return fmt.Errorf("checkpoint: sync: %w", err)
	}
	l.stats.checkpoints.Add(1)
	return nil
}

// append writes the commit's record and syncs it; the commit may be made
// visible only after. rec is reset for the next commit.
func (l *redoLog) append() error {
	defer l.rec.reset()
	lsn := l.lsn + 1
	f := frameOf(l, lsn)
	defer func(t0 time.Time) { l.stats.writeTime.Add(int64(time.Since(t0))) }(time.Now())
	seg := l.seg[l.cur]
	if end := l.off + int64(len(f)); end > l.zeroed[l.cur] {
		if err := l.extend(end); err != nil {
			return fmt.Errorf("log: extend segment for record %d: %w", lsn, err)
		}
	}
	if _, err := seg.WriteAt(f, l.off); err != nil {
		return fmt.Errorf("log: write record %d: %w", lsn, err)
	}
	if err := fdatasync(seg); err != nil {
		return fmt.Errorf("log: sync record %d: %w", lsn, err)
	}
	l.off += int64(len(f))
	l.lsn = lsn
	l.stats.written.Add(uint64(len(f)))
	return nil
}

// frameOf frames l's record as number lsn, in l's frame buffer: its
// length, a crc32c of length and body, then the body (lsn and ops).
func frameOf(l *redoLog, lsn uint64) []byte {
	f := append(l.frame[:0], make([]byte, recordHead)...)
	f = binary.LittleEndian.AppendUint64(f, lsn)
	f = append(f, l.rec.buf...)
	binary.LittleEndian.PutUint32(f, uint32(8+len(l.rec.buf)))
	sum := crc32.Update(crc32.Checksum(f[:4], castagnoli), castagnoli, f[recordHead:])
	binary.LittleEndian.PutUint32(f[4:], sum)
	l.frame = f
	return f
}

// extend writes zeros to the current segment up to at least end, and
// syncs them. An append that grows the file makes its fdatasync commit the
// new size to the filesystem's journal too, several times the cost of
// syncing an overwrite; so segments grow ahead in chunks (a quarter of
// their size, 256 KiB to 8 MiB) and records overwrite zeros. After the
// first checkpoints both segments are as large as they need to be.
func (l *redoLog) extend(end int64) error {
	at := l.zeroed[l.cur]
	size := max(end, at+min(max(at/4, 256<<10), 8<<20))
	for off := at; off < size; {
		n := min(int64(len(zeroChunk)), size-off)
		if _, err := l.seg[l.cur].WriteAt(zeroChunk[:n], off); err != nil {
			return err
		}
		off += n
	}
	if err := fdatasync(l.seg[l.cur]); err != nil {
		return err
	}
	l.zeroed[l.cur] = size
	return nil
}

// afterCommit runs between commits: it takes up a finished checkpoint
// and starts the next one when it is due.
func (l *redoLog) afterCommit(now time.Time) error {
	if l.flight != nil {
		select {
		case err := <-l.flight.done:
			if err := l.land(err); err != nil {
				return err
			}
		default:
			return nil
		}
	}
	if l.off == 0 || (l.off < l.maxBytes && now.Sub(l.lastStart) < l.every) {
		return nil
	}
	pin, next, err := l.begin()
	if err != nil {
		return err
	}
	// Appends go to the other segment, whose records the checkpoint just
	// taken up covers; this one stays until the new checkpoint is done.
	l.cur ^= 1
	l.off = 0
	l.lastStart = now
	fl := &ckptFlight{next: next, pin: pin, done: make(chan error, 1)}
	l.flight = fl
	go func() { fl.done <- l.writeCheckpoint(fl.next) }()
	return nil
}

// land takes up the checkpoint in flight, whose sync ended with err: on
// success it is the one on disk, and the previous one's pages may go.
func (l *redoLog) land(err error) error {
	fl := l.flight
	l.flight = nil
	if err != nil {
		_ = fl.pin.Rollback()
		return err
	}
	_ = l.pin.Rollback()
	l.pin, l.ck = fl.pin, fl.next
	return nil
}

// finish ends logging with a checkpoint of the last commit, so the file
// is consistent as it stands, and releases the pins and files.
func (l *redoLog) finish() error {
	var err error
	if l.flight != nil {
		err = l.land(<-l.flight.done)
	}
	if err == nil {
		var pin *bolt.Tx
		var next checkpoint
		if pin, next, err = l.begin(); err == nil {
			err = l.writeCheckpoint(next)
			_ = pin.Rollback()
		}
	}
	if l.pin != nil {
		_ = l.pin.Rollback()
		l.pin = nil
	}
	l.closeFiles()
	return err
}

// turnOff ends logging for good and removes its files, after a
// checkpoint of the last commit: from then on bbolt syncs each commit,
// and Open must not restore this checkpoint over them.
func (l *redoLog) turnOff() error {
	if err := l.finish(); err != nil {
		return err
	}
	l.db.NoSync = false
	return removeLog(l.path)
}

func (l *redoLog) closeFiles() {
	for _, f := range []*os.File{l.dbf, l.ckf, l.seg[0], l.seg[1]} {
		if f != nil {
			_ = f.Close()
		}
	}
}

// removeLog deletes a store's log files (a store opened without the
// log must not keep a checkpoint that a later Open would restore).
//
// The checkpoint goes first: segments without it are ignored (and
// removed) by the next Open, while a checkpoint without segments restores
// the state it describes, which is the file's own after a final one.
func removeLog(path string) error {
	removed := false
	for _, p := range []string{ckptPath(path), segPath(path, 0), segPath(path, 1)} {
		err := os.Remove(p)
		if err == nil {
			removed = true
		} else if !os.IsNotExist(err) {
			return err
		}
	}
	if removed {
		return syncDir(filepath.Dir(path))
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
