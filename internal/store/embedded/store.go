// Package embedded is dropgate's single-machine store: the queue, records,
// counters, blobs and claims in one bbolt file, and rate limits in memory.
//
// Durability: every call that changes state returns only after its
// transaction is committed and its changes are synced, in the redo log
// (wal.go) or, where the log is off, in bbolt's file. Concurrent callers
// share commits (see committer), so throughput grows with concurrency
// while a lone caller pays one commit. Every write goes through a wtx
// (wtx.go), whose buckets record what they change: a write that changed
// a *bolt.Bucket directly would be missing from the log.
//
// Ownership: bbolt locks the file, so one process owns it. That is what
// makes recovery simple: on Open every job a previous process left leased
// is ready again at once, because its worker is certainly gone.
//
// Scheduling happens in memory: an index of every job (not payloads) is
// rebuilt from the file on Open, and Dequeue waits on an in-process
// notification plus one timer for the next scheduled job or lease expiry,
// never by polling.
package embedded

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/store"
)

// Store is the embedded driver. It is safe for concurrent use.
type Store struct {
	db    *bolt.DB
	path  string
	opts  options
	clock clock.Clock
	log   *slog.Logger
	w     *committer
	lim   *limiter

	// mu guards the in-memory queue state below. Writes that mirror a
	// change to it are submitted to the committer while mu is held, so the
	// file sees changes in the order memory made them.
	mu     sync.Mutex
	closed bool
	// closedFlag mirrors closed for paths that do not take mu (reads,
	// the limiter).
	closedFlag atomic.Bool
	jobs       map[string]*entry // every job in the file, dead ones included
	queues     map[string]*queueState
	leases     entryHeap // in-flight jobs by lease expiry
	uniques    uniqueIndex
	waiters    []*waiter
	seq        uint64 // last enqueue sequence number
	leaseSeq   uint64
	writeTok   uint64    // last token given by markQueued
	nonce      string    // distinguishes this process's lease tokens
	timerAt    time.Time // when the background timer next fires; zero: idle
	// inline, while set, collects leases that wakeLocked hands to waiting
	// workers, for the write being built (inline.go).
	inline *inlineLeases

	kick   chan struct{}
	stop   chan struct{}
	bgDone chan struct{}
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed, with its parent directories) the store
// file at path. It fails after a short wait if another process holds it.
func Open(path string, opts ...Option) (*Store, error) {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("embedded: open %s: %w", path, err)
	}
	ck, hasCk, err := prepareLog(path, o.lockTimeout)
	if errors.Is(err, errLocked) {
		return nil, lockedError(path, o.lockTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("embedded: open %s: %w", path, err)
	}
	db, useLog, err := openBolt(path, o)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, lockedError(path, o.lockTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("embedded: open %s: %w", path, err)
	}
	var nonce [6]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("embedded: open %s: %w", path, err)
	}
	s := &Store{
		db:      db,
		path:    path,
		opts:    o,
		clock:   o.clock,
		log:     o.logger,
		lim:     newLimiter(),
		jobs:    make(map[string]*entry),
		queues:  make(map[string]*queueState),
		leases:  entryHeap{less: byLeaseUntil},
		uniques: newUniqueIndex(),
		nonce:   hex.EncodeToString(nonce[:]),
		kick:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		bgDone:  make(chan struct{}),
	}
	lsn := ck.lsn
	if hasCk {
		if lsn, err = replayFrom(db, path, ck); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("embedded: open %s: replay the log: %w", path, err)
		}
	}
	if err := s.recover(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("embedded: open %s: recover: %w", path, err)
	}
	var redo *redoLog
	if useLog && s.fileSize() < logMaxFile {
		redo, err = startLog(db, path, ck, lsn, o.checkpointEvery, o.checkpointBytes)
	} else {
		err = removeLog(path)
	}
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("embedded: open %s: log: %w", path, err)
	}
	s.w = newCommitter(db, s.log, redo)
	go s.background()
	return s, nil
}

// openBolt opens bbolt's file, with the map the redo log needs when it is
// on; useLog says whether it is.
func openBolt(path string, o options) (db *bolt.DB, useLog bool, err error) {
	useLog = o.log && logSupported()
	bo := &bolt.Options{
		Timeout: o.lockTimeout,
		// The hashmap freelist and not persisting it make commits cheaper;
		// the price is a scan of the free pages on Open.
		FreelistType:   bolt.FreelistMapType,
		NoFreelistSync: true,
	}
	if useLog {
		bo.InitialMmapSize = int(logMmapSize)
	}
	db, err = bolt.Open(path, 0o600, bo)
	if err != nil && useLog && !errors.Is(err, bolterrors.ErrTimeout) {
		// The log's large map may exceed an address-space limit (ulimit
		// -v): open as before the log, which replays it just the same.
		o.logger.Warn("embedded store: opening without the redo log", "path", path, "err", err)
		useLog, bo.InitialMmapSize = false, 0
		db, err = bolt.Open(path, 0o600, bo)
	}
	return db, useLog, err
}

func lockedError(path string, waited time.Duration) error {
	return fmt.Errorf("embedded: open %s: database is locked by another dropgate process (waited %s): %w",
		path, waited, store.ErrUnavailable)
}

// Path returns the file the store lives in.
func (s *Store) Path() string { return s.path }

// Ping reports whether the store can serve: open and not stopped by a
// failed write.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usableLocked()
}

// Close wakes blocked Dequeue calls (they return ErrClosed), lets queued
// writes commit and closes the file. Leased jobs stay leased in the file;
// the next Open makes them ready.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.closedFlag.Store(true)
	for _, w := range s.waiters {
		select {
		case w.ch <- struct{}{}:
		default:
		}
	}
	s.waiters = nil
	s.mu.Unlock()

	close(s.stop)
	<-s.bgDone
	s.w.close()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("embedded: close %s: %w", s.path, err)
	}
	return nil
}

// view runs a read-only transaction; after Close it returns ErrClosed.
func (s *Store) view(fn func(*bolt.Tx) error) error {
	if s.closedFlag.Load() {
		return store.ErrClosed
	}
	err := s.db.View(fn)
	if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
		return store.ErrClosed // closed while we were starting
	}
	return err
}

// usableLocked returns ErrClosed or the failure that stopped the store.
func (s *Store) usableLocked() error {
	if s.closed {
		return store.ErrClosed
	}
	return s.w.failed()
}

// sweep drops expired unique keys, claims and idle limiter buckets. Each
// is also expired lazily on access; the sweep bounds the space they hold.
func (s *Store) sweep() {
	now := s.clock.Now()
	s.mu.Lock()
	if !s.closed {
		if holds := s.uniques.expired(now); len(holds) > 0 {
			s.submitAsyncLocked(func(tx *wtx) error { return deleteUniqueRows(tx, holds) })
		}
	}
	s.mu.Unlock()
	if err := s.sweepClaims(now); err != nil && !errors.Is(err, store.ErrClosed) {
		s.log.Warn("embedded store: sweep claims", "err", err)
	}
	s.lim.sweep(now)
}

// Commits is how many durable transactions the store has committed, for
// the dropgate_store_commits_total metric.
func (s *Store) Commits() uint64 { return s.w.commits.Load() }

// PageBytesWritten is how many bytes of pages the store's commits have
// written since it opened (bbolt's page allocations; each commit also
// writes a meta page), for dropgate_store_page_bytes_written_total.
// Divided by orders, it says how much of the file each order rewrites.
func (s *Store) PageBytesWritten() uint64 {
	st := s.db.Stats()
	return uint64(max(0, st.TxStats.GetPageAlloc()))
}

// PageWrites is how many writes the store's commits have issued since it
// opened: one per B+tree node written (its pages are contiguous) and one
// per meta page, for dropgate_store_page_writes_total. A node goes
// wherever the file has free pages, so on a disk that pays for each
// random write this count, more than the bytes, sets a commit's time.
func (s *Store) PageWrites() uint64 {
	st := s.db.Stats()
	return uint64(max(0, st.TxStats.GetWrite()))
}

// CommitBusy is how long the commit loop has spent committing since the
// store opened, for dropgate_store_commit_busy_seconds_total: every write
// waits for that one loop, so a rate near 1 (busy all the time) says the
// store's commits are what holds the process back.
func (s *Store) CommitBusy() time.Duration { return time.Duration(s.w.busy.Load()) }

// CommitWriteTime is the part of CommitBusy spent writing pages and
// syncing them (bbolt's write time: the dirty pages, an fdatasync, the
// meta page, another fdatasync), for
// dropgate_store_commit_write_seconds_total. Close to CommitBusy, the
// disk bounds the store: each commit's pages land wherever the file has
// free pages, so its cost is mostly one random write per B+tree node.
//
// With the redo log, it is bbolt's page writes (no longer synced) plus
// the log's appends and their syncs.
func (s *Store) CommitWriteTime() time.Duration {
	st := s.db.Stats()
	return st.TxStats.GetWriteTime() + time.Duration(s.w.logStats.writeTime.Load())
}

// Checkpoints is how many checkpoints of the redo log have completed
// (wal.go), for dropgate_store_checkpoints_total.
func (s *Store) Checkpoints() uint64 { return s.w.logStats.checkpoints.Load() }

// LogBytesWritten is how many bytes of redo records the store has
// appended and synced, for dropgate_store_log_bytes_written_total.
func (s *Store) LogBytesWritten() uint64 { return s.w.logStats.written.Load() }

// fileSize is the store file's size, 0 if it cannot be read.
func (s *Store) fileSize() int64 {
	fi, err := os.Stat(s.path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
