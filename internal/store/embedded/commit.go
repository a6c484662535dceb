package embedded

import (
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/store"
)

// maxBatch bounds how many writes share one transaction, so a burst of
// large payloads does not build one huge commit.
const maxBatch = 1000

// committer applies writes in submission order, as many per bbolt
// transaction as are waiting when the previous commit finishes (group
// commit). A lone writer commits at once; writers that arrive during a
// commit share the next one, so N concurrent Enqueue calls cost about one
// fsync instead of N.
//
// bbolt's own db.Batch is not used: it holds the first caller for
// MaxBatchDelay (10ms by default) waiting for company, which makes every
// sequential Enqueue 10ms slower, and it reorders calls when one fails,
// while the in-memory queue state needs writes to land in the order it
// decided them.
type committer struct {
	db  *bolt.DB
	log *slog.Logger
	// fileMu is held around every bbolt commit, so the preallocator
	// writes its zeros between commits.
	fileMu sync.Mutex
	pre    *preallocator

	mu      sync.Mutex
	cond    *sync.Cond
	pending []*write
	closed  bool
	// err is set when a write that the in-memory queue state already
	// reflects could not be made durable. From then on memory and file
	// disagree, so the store stops accepting work (fail-stop) and the next
	// process recovers from the file, which is the truth.
	err  error
	done chan struct{}
	// commits counts transactions committed, for benchmarks and metrics.
	commits atomic.Uint64
	// busy is the nanoseconds spent in commit, for metrics.
	busy atomic.Int64

	// redo, when set, is the log each commit is written to before bbolt
	// commits it without syncing (wal.go); nil: bbolt syncs each commit.
	redo *redoLog
	// hwm is where the file's pages ended at the last commit.
	hwm      int64
	logStats *logStats
}

// write is one unit of work for the committer.
type write struct {
	fn func(*wtx) error
	// coupled writes mirror a change already made to the in-memory queue
	// state; their failure stops the store. mirrored, when set, says
	// whether a write that changes memory itself (Complete) has done so.
	coupled  bool
	mirrored func() bool
	// done receives the outcome once durable; nil for fire-and-forget.
	done chan error
}

func newCommitter(db *bolt.DB, log *slog.Logger, redo *redoLog) *committer {
	c := &committer{db: db, log: log, done: make(chan struct{}), redo: redo, logStats: new(logStats)}
	if redo != nil {
		c.logStats = redo.stats
	}
	c.cond = sync.NewCond(&c.mu)
	c.pre = newPreallocator(db, &c.fileMu, log)
	go c.run()
	return c
}

// submit queues fn. With wait it returns a channel that receives the
// outcome after the commit (and fsync); otherwise it returns nil.
func (c *committer) submit(fn func(*wtx) error, coupled, wait bool) (<-chan error, error) {
	return c.enqueue(&write{fn: fn, coupled: coupled}, wait)
}

func (c *committer) enqueue(w *write, wait bool) (<-chan error, error) {
	if wait {
		w.done = make(chan error, 1)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, store.ErrClosed
	}
	if c.err != nil {
		return nil, unavailable(c.err)
	}
	c.pending = append(c.pending, w)
	c.cond.Signal()
	return w.done, nil
}

// do submits fn and waits for its durable outcome.
func (c *committer) do(fn func(*wtx) error) error {
	done, err := c.submit(fn, false, true)
	if err != nil {
		return err
	}
	return <-done
}

// failed returns the error that stopped the store, if any.
func (c *committer) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return unavailable(c.err)
	}
	return nil
}

// close stops accepting writes, lets the queued ones commit and returns
// when the loop has ended.
func (c *committer) close() {
	c.mu.Lock()
	c.closed = true
	c.cond.Signal()
	c.mu.Unlock()
	<-c.done
}

func (c *committer) run() {
	defer close(c.done)
	defer c.pre.close()
	defer c.finishLog()
	// spare is the previous batch's array, reused for the next pending
	// list so a busy store does not regrow it from nothing every commit.
	var spare []*write
	for {
		c.mu.Lock()
		for len(c.pending) == 0 && !c.closed {
			c.cond.Wait()
		}
		if len(c.pending) == 0 {
			c.mu.Unlock()
			return
		}
		batch := c.pending
		reuse := len(batch) <= maxBatch
		if reuse {
			c.pending = spare
		} else {
			batch, c.pending = batch[:maxBatch:maxBatch], batch[maxBatch:]
		}
		stopped := c.err
		c.mu.Unlock()

		if stopped != nil {
			for _, w := range batch {
				c.finish(w, unavailable(stopped))
			}
		} else {
			c.commit(batch)
		}
		// Done writes are dropped so their payloads are not kept alive.
		clear(batch)
		if reuse {
			spare = batch[:0]
		}
	}
}

// commit runs batch in one transaction. If one write fails, the batch is
// rolled back and each write is run alone, in order, so only the faulty
// one reports an error.
func (c *committer) commit(batch []*write) {
	failedAt := -1
	err := c.update(func(tx *wtx) error {
		for i, w := range batch {
			if err := w.fn(tx); err != nil {
				failedAt = i
				return err
			}
		}
		return nil
	})
	if err == nil {
		c.commits.Add(1)
		for _, w := range batch {
			c.finish(w, nil)
		}
		// The writers just woken wait on this goroutine's processor; the
		// next commit would hold it in fsync until the runtime takes it
		// back. Yielding lets them answer first.
		runtime.Gosched()
		return
	}
	if failedAt < 0 || len(batch) == 1 {
		// The commit itself (write or fsync) failed, or the only write did.
		if failedAt < 0 || batch[0].isCoupled() {
			c.stop(err)
			err = unavailable(err)
		}
		for _, w := range batch {
			c.finish(w, err)
		}
		return
	}
	for _, w := range batch {
		if stopped := c.failed(); stopped != nil {
			c.finish(w, stopped)
			continue
		}
		err := c.update(w.fn)
		if err == nil {
			c.commits.Add(1)
		}
		if err != nil && w.isCoupled() {
			c.stop(err)
		}
		c.finish(w, err)
	}
}

// update runs fn in a bbolt transaction, outside the preallocator's
// writes, shows it where the file's pages end, and counts the time. With
// the log, the transaction's changes are appended and synced there
// before bbolt commits, and a checkpoint starts when one is due.
func (c *committer) update(fn func(*wtx) error) error {
	// Counted before the writers are told, so a writer that returns sees
	// its commit in the figure.
	defer func(t0 time.Time) { c.busy.Add(int64(time.Since(t0))) }(time.Now())
	c.fileMu.Lock()
	defer c.fileMu.Unlock()
	if c.redo != nil && c.hwm > logMaxFile {
		c.log.Warn("embedded store: the file nears the log's memory map; commits sync the file from now on", "bytes", c.hwm)
		err := c.redo.turnOff()
		c.redo = nil
		if err != nil {
			return fmt.Errorf("turn the log off: %w", err)
		}
	}
	err := c.db.Update(func(tx *bolt.Tx) error {
		c.hwm = tx.Size()
		c.pre.observe(c.hwm)
		w := &wtx{Tx: tx}
		if c.redo == nil {
			return fn(w)
		}
		w.rec = &c.redo.rec
		if err := fn(w); err != nil {
			c.redo.rec.reset()
			return err
		}
		return c.redo.append()
	})
	if err == nil && c.redo != nil {
		if cerr := c.redo.afterCommit(time.Now()); cerr != nil {
			// The commit stands (its record is synced); what failed is
			// the file it would be checkpointed from.
			c.stop(cerr)
		}
	}
	return err
}

// finishLog checkpoints the last commit when the loop ends, so the file
// is whole as it stands, and then removes the log: a checkpoint left
// behind would be restored over whatever another binary (an older one,
// without the log) later commits to the file.
func (c *committer) finishLog() {
	if c.redo == nil {
		return
	}
	err := c.redo.finish()
	if err == nil {
		err = removeLog(c.redo.path)
	}
	if err != nil {
		c.log.Error("embedded store: final checkpoint", "err", err)
	}
	c.redo = nil
}

func (w *write) isCoupled() bool {
	return w.coupled || w.mirrored != nil && w.mirrored()
}

func (c *committer) stop(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
		c.log.Error("embedded store: write failed; refusing further work until restarted", "err", err)
	}
	c.mu.Unlock()
}

func (c *committer) finish(w *write, err error) {
	if w.done != nil {
		w.done <- err
		return
	}
	if err != nil {
		c.log.Error("embedded store: background write failed", "err", err)
	}
}

func unavailable(err error) error {
	return fmt.Errorf("embedded: store stopped after a failed write: %w: %w", store.ErrUnavailable, err)
}
