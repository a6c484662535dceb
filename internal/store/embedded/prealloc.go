package embedded

import (
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// A commit's fdatasync costs several times more when its pages land in
// space the filesystem has not allocated yet: bbolt grows the file with
// ftruncate, which leaves a hole, and the first write into a hole makes
// the sync commit a block allocation to the filesystem's journal too (on
// ext4 under load, ~2.5ms instead of ~0.6ms for an overwrite), plus a full
// fsync of its own for each grow. The preallocator keeps written zeros
// ahead of bbolt's high-water mark, synced in the background, so a
// commit's new pages are overwrites. Databases do the same with their
// logs. It changes nothing about what is durable when: bbolt still syncs
// every commit, and bytes past the high-water mark belong to no page.
const (
	// preallocChunk is written per hold of the file lock, so a commit
	// waits at most for one chunk's copy into the page cache.
	preallocChunk = 256 << 10
	// preallocMinLead and preallocMaxLead bound how far ahead of the
	// high-water mark zeros are kept: a quarter of the data, so a small
	// store (a test's) writes little and a busy one has room for many
	// commits.
	preallocMinLead = 512 << 10
	preallocMaxLead = 16 << 20
	// preallocFrom is the size below which bbolt grows the file itself:
	// a store that holds little (a test's, a quiet one) is left alone.
	preallocFrom = 256 << 10
)

// zeroChunk is what the preallocator writes; only ever read.
var zeroChunk [preallocChunk]byte

// preallocator writes zeros past bbolt's high-water mark. The committer
// holds mu around every bbolt commit; the preallocator holds it while it
// reads the high-water mark and writes, so it never writes where a commit
// is placing pages, and it only ever writes past the mark, where no page
// of the file lives. bbolt reads pages only below the mark, and a commit
// that later places a page there overwrites the zeros.
type preallocator struct {
	db  *bolt.DB
	mu  *sync.Mutex
	log *slog.Logger
	f   *os.File

	kick chan struct{}
	stop chan struct{}
	done chan struct{}
	// extended receives a token after each round that wrote zeros (for
	// tests; nobody waits on it otherwise).
	extended chan struct{}

	// zeroedTo is the end of the zeros written so far (file offset),
	// guarded by mu; ahead is a copy the committer reads without it.
	zeroedTo int64
	ahead    atomic.Int64
}

// newPreallocator starts the background writer on db's file; it returns
// nil (no preallocation, bbolt grows the file itself) if the file cannot
// be opened a second time.
func newPreallocator(db *bolt.DB, mu *sync.Mutex, log *slog.Logger) *preallocator {
	f, err := os.OpenFile(db.Path(), os.O_WRONLY, 0)
	if err != nil {
		log.Warn("embedded store: no preallocation", "err", err)
		return nil
	}
	p := &preallocator{db: db, mu: mu, log: log, f: f,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}), extended: make(chan struct{}, 1)}
	go p.run()
	return p
}

// leadFor is how far past the high-water mark hwm zeros are kept.
func leadFor(hwm int64) int64 {
	return min(max(hwm/4, preallocMinLead), preallocMaxLead)
}

// observe is called by each commit with the high-water mark it starts
// from; it wakes the preallocator once half the lead is used, so a busy
// store does not pay a wake-up and a look at the file per commit.
func (p *preallocator) observe(hwm int64) {
	if p == nil || hwm < preallocFrom || p.ahead.Load()-hwm >= leadFor(hwm)/2 {
		return
	}
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

// close stops the writer and waits for it.
func (p *preallocator) close() {
	if p == nil {
		return
	}
	close(p.stop)
	<-p.done
	_ = p.f.Close()
}

func (p *preallocator) run() {
	defer close(p.done)
	for {
		select {
		case <-p.stop:
			return
		case <-p.kick:
		}
		if err := p.extend(); err != nil {
			// Not a store failure: bbolt grows the file itself as before.
			p.log.Warn("embedded store: preallocation stopped", "err", err)
			<-p.stop
			return
		}
	}
}

// extend writes zeros until they reach the lead past the high-water mark,
// a chunk per hold of the lock, then syncs them.
func (p *preallocator) extend() error {
	wrote := false
	for {
		select {
		case <-p.stop:
			return nil
		default:
		}
		p.mu.Lock()
		hwm, err := p.highWater()
		if err != nil {
			p.mu.Unlock()
			return err
		}
		// Below the mark is bbolt's; what the preallocator wrote there
		// before the mark passed it is now pages.
		p.zeroedTo = max(p.zeroedTo, hwm)
		p.ahead.Store(p.zeroedTo)
		lead := leadFor(hwm)
		// Refill once half the lead is used, so it happens in chunks, not
		// a page after every commit.
		if left := p.zeroedTo - hwm; !wrote && left >= lead/2 || left >= lead {
			p.mu.Unlock()
			break
		}
		at := p.zeroedTo
		_, err = p.f.WriteAt(zeroChunk[:], at)
		if err == nil {
			p.zeroedTo += preallocChunk
			p.ahead.Store(p.zeroedTo)
		}
		p.mu.Unlock()
		if err != nil {
			return fmt.Errorf("write zeros at %d: %w", at, err)
		}
		wrote = true
	}
	if !wrote {
		return nil
	}
	// Outside the lock: commits go on while the zeros reach the disk, and
	// a page a commit writes over them meanwhile is synced by that commit.
	if err := p.f.Sync(); err != nil {
		return fmt.Errorf("sync zeros: %w", err)
	}
	select {
	case p.extended <- struct{}{}:
	default:
	}
	return nil
}

// highWater is the end of bbolt's pages, read while no commit runs.
func (p *preallocator) highWater() (int64, error) {
	tx, err := p.db.Begin(false)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }()
	return tx.Size(), nil
}
