package embedded

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/store/storetest"
)

// noAutoCheckpoint keeps a test's store at the checkpoint Open took.
var noAutoCheckpoint = withCheckpoints(24*time.Hour, 1<<40)

// needLog skips where the platform has no redo log: a 32-bit build,
// Windows, no flock. CI runs on Linux, where it never skips.
func needLog(t *testing.T) {
	t.Helper()
	if !logSupported() {
		t.Skip("no redo log on this platform")
	}
}

// noLogFiles fails if any of the log files of the store at path is there.
func noLogFiles(t *testing.T, path string) {
	t.Helper()
	for _, p := range []string{ckptPath(path), segPath(path, 0), segPath(path, 1)} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is there: %v", filepath.Base(p), err)
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestCheckpointMetaLayout pins what the log assumes of bbolt's meta
// page (wal.go): where its magic, txid and checksum are. A bbolt upgrade
// that moves them fails here, not in a recovery.
func TestCheckpointMetaLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 3 {
		if err := db.Update(func(tx *bolt.Tx) error {
			_, err := tx.CreateBucketIfNotExists([]byte("x"))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		tx, err := db.Begin(false)
		if err != nil {
			t.Fatal(err)
		}
		txid := uint64(tx.ID())
		_ = tx.Rollback()
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		m, err := readMeta(f, db.Info().PageSize, txid)
		f.Close()
		if err != nil {
			t.Fatalf("txid %d: %v", txid, err)
		}
		m[metaTxidAt]++ // any change breaks the checksum
		if _, ok := metaTxid(m[:]); ok {
			t.Fatal("a changed meta page still validates")
		}
	}
}

// fillStore makes changes of every kind and returns what must survive.
func fillStore(t *testing.T, s *Store) (ready int, recs map[string]int64, counter int64) {
	t.Helper()
	ctx := context.Background()
	for i := range 40 {
		if _, err := s.Enqueue(ctx, store.Job{Queue: "q", Payload: []byte(fmt.Sprintf("job-%d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	for range 10 {
		j, err := s.Dequeue(ctx, []string{"q"}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Ack(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	recs = map[string]int64{}
	for i := range 15 {
		id := fmt.Sprintf("o-%d", i)
		for v := range i%3 + 1 {
			n, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: id, Version: int64(v),
				Data: []byte(fmt.Sprintf(`{"n":%d}`, v)), Index: map[string]string{"status": fmt.Sprint("s", v)}})
			if err != nil {
				t.Fatal(err)
			}
			recs[id] = n
		}
	}
	if err := s.DeleteRecord(ctx, "order", "o-0"); err != nil {
		t.Fatal(err)
	}
	delete(recs, "o-0")
	if err := s.PutBlob(ctx, "raw/1", []byte("body one")); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		var err error
		if counter, err = s.NextCounter(ctx, "isa", ""); err != nil {
			t.Fatal(err)
		}
	}
	return 30, recs, counter
}

// checkStore fails unless s holds what fillStore promised.
func checkStore(t *testing.T, s *Store, ready int, recs map[string]int64, counter int64) {
	t.Helper()
	ctx := context.Background()
	if got := readyJobs(t, s, "q"); got != int64(ready) {
		t.Errorf("ready jobs: %d, want %d", got, ready)
	}
	for id, v := range recs {
		r, err := s.GetRecord(ctx, "order", id)
		if err != nil || r.Version != v {
			t.Errorf("record %s: version %d, %v; want %d", id, r.Version, err, v)
		}
	}
	if _, err := s.GetRecord(ctx, "order", "o-0"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted record: %v", err)
	}
	page, _, err := s.ListRecords(ctx, "order", store.Query{Field: "status", Value: "s2"})
	if err != nil {
		t.Fatal(err)
	}
	// The last write of o-i says s(i%3): o-2, o-5, o-8, o-11 and o-14.
	if len(page) != 5 {
		t.Errorf("records indexed s2: %d, want 5", len(page))
	}
	if b, err := s.GetBlob(ctx, "raw/1"); err != nil || string(b) != "body one" {
		t.Errorf("blob: %q, %v", b, err)
	}
	if n, err := s.NextCounter(ctx, "isa", ""); err != nil || n != counter+1 {
		t.Errorf("counter after %d: %d, %v", counter, n, err)
	}
}

// TestLogRecoversLostPages is the crash the log exists for: bbolt's
// file on disk is as the last checkpoint left it, except that meta pages
// of later commits reached the disk and their data pages did not. Opened
// by bbolt alone it would point at pages that hold nothing; Open must
// bring back the checkpoint and replay every acknowledged change.
func TestLogRecoversLostPages(t *testing.T) {
	needLog(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	s, err := Open(path, noAutoCheckpoint)
	if err != nil {
		t.Fatal(err)
	}
	atCheckpoint := readFile(t, path) // Open's checkpoint: the file as synced
	ready, recs, counter := fillStore(t, s)

	// What a crash now could leave: the checkpoint's pages, later meta
	// pages, and the log as synced.
	live := readFile(t, path)
	ckpt, seg0, seg1 := readFile(t, ckptPath(path)), readFile(t, segPath(path, 0)), readFile(t, segPath(path, 1))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ps := os.Getpagesize()
	crashed := append([]byte(nil), atCheckpoint...)
	if len(crashed) < 2*ps {
		t.Fatalf("file of %d bytes", len(crashed))
	}
	copy(crashed[:2*ps], live[:2*ps])
	ck, ok := decodeCheckpoint(ckpt[:ckptSlot])
	if !ok {
		ck, _ = decodeCheckpoint(ckpt[ckptSlot:])
	}
	newest := uint64(0)
	for slot := range 2 {
		if tx, ok := metaTxid(crashed[slot*ps:]); ok {
			newest = max(newest, tx)
		}
	}
	if newest <= ck.txid {
		t.Fatalf("the crashed file's meta pages are not past the checkpoint (%d, checkpoint %d): the test shows nothing", newest, ck.txid)
	}
	cpath := filepath.Join(dir, "crashed.db")
	writeFile(t, cpath, crashed)
	writeFile(t, ckptPath(cpath), ckpt)
	writeFile(t, segPath(cpath, 0), seg0)
	writeFile(t, segPath(cpath, 1), seg1)

	r, err := Open(cpath)
	if err != nil {
		t.Fatalf("Open after the crash: %v", err)
	}
	defer r.Close()
	checkStore(t, r, ready, recs, counter)
}

// crashCopy copies s's files as they are (all that was written reached
// the disk) under a new name, for a second Open to recover.
func crashCopy(t *testing.T, s *Store, name string) string {
	t.Helper()
	to := filepath.Join(filepath.Dir(s.Path()), name)
	for _, p := range [][2]string{{s.Path(), to}, {ckptPath(s.Path()), ckptPath(to)},
		{segPath(s.Path(), 0), segPath(to, 0)}, {segPath(s.Path(), 1), segPath(to, 1)}} {
		writeFile(t, p[1], readFile(t, p[0]))
	}
	return to
}

// TestLogCheckpointsAndTornTail runs with a checkpoint after nearly every
// commit, so recovery meets checkpoints in flight and reused segments,
// and ends the log with half a record: a torn append is ignored.
func TestLogCheckpointsAndTornTail(t *testing.T) {
	needLog(t)
	s := openTemp(t, withCheckpoints(time.Nanosecond, 1))
	ready, recs, counter := fillStore(t, s)
	if s.Checkpoints() < 10 {
		t.Fatalf("%d checkpoints", s.Checkpoints())
	}
	cpath := crashCopy(t, s, "torn.db")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Half of a record that would follow, in both segments.
	for i := range 2 {
		f, err := os.OpenFile(segPath(cpath, i), os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		recsIn := readChain(readFile(t, segPath(cpath, i)))
		end := int64(0)
		for _, r := range recsIn {
			end += int64(recordHead + 8 + len(r.ops))
		}
		if _, err := f.WriteAt([]byte{200, 0, 0, 0, 1, 2, 3, 4, 9, 9}, end); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	r, err := Open(cpath)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	checkStore(t, r, ready, recs, counter)
}

// TestLogMissingRecordIsAnError: a record gone from the middle of the log
// (a segment lost) must stop Open, not open without acknowledged writes.
func TestLogMissingRecordIsAnError(t *testing.T) {
	needLog(t)
	s := openTemp(t, noAutoCheckpoint)
	ctx := context.Background()
	for i := range 5 {
		if err := s.PutBlob(ctx, fmt.Sprint("k", i), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	cpath := crashCopy(t, s, "gap.db")
	_ = s.Close()
	seg := readFile(t, segPath(cpath, 0))
	recs := readChain(seg)
	if len(recs) < 3 {
		t.Fatalf("%d records", len(recs))
	}
	// Drop the first record: the rest are whole but start one late.
	first := recordHead + 8 + len(recs[0].ops)
	writeFile(t, segPath(cpath, 0), seg[first:])
	_, err := Open(cpath)
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("Open with a record missing: %v", err)
	}
}

// TestLogReplacedStoreFile: a store file older than its checkpoint (put
// back from a backup without its log files) is refused with the remedy.
func TestLogReplacedStoreFile(t *testing.T) {
	needLog(t)
	s := openTemp(t)
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	old := readFile(t, path) // closed cleanly: whole, no log files
	if s, err := Open(path); err != nil {
		t.Fatal(err)
	} else {
		fillStore(t, s)
		cpath := crashCopy(t, s, "replaced.db")
		_ = s.Close()
		path = cpath
	}
	writeFile(t, path, old)
	_, err := Open(path)
	if err == nil || !strings.Contains(err.Error(), "restore the store file with its -ckpt and -wal files") {
		t.Fatalf("Open of a replaced file: %v", err)
	}
}

// TestLogOrphansRemoved: log files without their store file are someone
// else's history and must not be replayed into a new store.
func TestLogOrphansRemoved(t *testing.T) {
	needLog(t)
	s := openTemp(t)
	ready, recs, counter := fillStore(t, s)
	cpath := crashCopy(t, s, "orphan.db")
	_ = s.Close()
	if err := os.Remove(cpath); err != nil {
		t.Fatal(err)
	}
	r, err := Open(cpath)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// The orphans would be replayed by the Open after a crash of the new
	// store, when its log is read: crash it and open it again.
	again, err := Open(crashCopy(t, r, "orphan-again.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	for _, st := range []*Store{r, again} {
		if got := readyJobs(t, st, "q"); got != 0 {
			t.Fatalf("a new store has %d jobs from orphaned log files (store had %d, %d records, counter %d)",
				got, ready, len(recs), counter)
		}
	}
}

// TestCleanCloseLeavesNoLog: after Close the file is whole and alone, so
// a binary without the log (an older one) may write to it, and no stale
// checkpoint is restored over its commits by the next Open.
func TestCleanCloseLeavesNoLog(t *testing.T) {
	needLog(t)
	s := openTemp(t)
	ready, recs, counter := fillStore(t, s)
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	noLogFiles(t, path)
	// Another binary commits to the file on its own.
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketBlobs2).Put([]byte("by-another"), encodeBlob([]byte("kept")))
		}); err != nil {
			t.Fatal(err)
		}
	}
	_ = db.Close()
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	checkStore(t, r, ready, recs, counter)
	if b, err := r.GetBlob(context.Background(), "by-another"); err != nil || string(b) != "kept" {
		t.Fatalf("the other binary's commit: %q %v", b, err)
	}
}

// TestLogTurnsOffNearTheMap: a file that nears the log's memory map
// turns the log off (a remap would wait on the checkpoint's pin); its
// files go, and what was written before and after survives a reopen.
func TestLogTurnsOffNearTheMap(t *testing.T) {
	needLog(t)
	s := openTemp(t)
	ready, recs, counter := fillStore(t, s)
	s.w.fileMu.Lock()
	s.w.hwm = logMaxFile + 1
	s.w.fileMu.Unlock()
	ctx := context.Background()
	if err := s.PutBlob(ctx, "after", []byte("off")); err != nil {
		t.Fatal(err)
	}
	noLogFiles(t, s.Path())
	if s.db.NoSync {
		t.Error("bbolt still not syncing its commits")
	}
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	checkStore(t, r, ready, recs, counter)
	if b, err := r.GetBlob(ctx, "after"); err != nil || string(b) != "off" {
		t.Fatalf("write after the log went off: %q %v", b, err)
	}
}

// TestOpenReaderRefusesUncleanFile: a tool must not read a file a crash
// left, whose state is only whole once the log is replayed.
func TestOpenReaderRefusesUncleanFile(t *testing.T) {
	needLog(t)
	s := openTemp(t, noAutoCheckpoint)
	if err := s.PutBlob(context.Background(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	cpath := crashCopy(t, s, "unclean.db")
	path := s.Path()
	_ = s.Close()
	if _, err := OpenReader(cpath, time.Second); !errors.Is(err, errNotClosedCleanly) {
		t.Fatalf("OpenReader of a crashed file: %v", err)
	}
	r, err := OpenReader(path, time.Second) // closed cleanly: fine
	if err != nil {
		t.Fatal(err)
	}
	_ = r.Close()
}

// TestConformanceWithoutLog runs the store's contract with bbolt syncing
// each commit, as on platforms without the log.
func TestConformanceWithoutLog(t *testing.T) {
	storetest.RunFactory(t, conformanceFactory(withoutLog()))
}

// TestLogTornFirstCheckpoint: a power cut while the first checkpoint is
// written leaves no valid slot; bbolt had synced every commit until then,
// so Open opens the file as it is.
func TestLogTornFirstCheckpoint(t *testing.T) {
	needLog(t)
	s := openTemp(t, withoutLog())
	ready, recs, counter := fillStore(t, s)
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	torn := (&checkpoint{seq: 1, txid: 5, pageSize: 4096}).encode()
	torn[40] ^= 0xff
	writeFile(t, ckptPath(path), torn[:ckptSlot/2])
	r, err := Open(path)
	if err != nil {
		t.Fatalf("Open with a torn first checkpoint: %v", err)
	}
	defer r.Close()
	checkStore(t, r, ready, recs, counter)
}
