package edipartner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/stage"
)

// Batching. Several POs due for one partner at about the same time may
// travel in one interchange, each still its own transaction set with its
// own set control number: one file, one control number, one fsync of
// file and directory for many POs. Creating a file is the dearest step
// of sending a PO on a small machine (ext4 on a VM: 0.4–0.8 ms of CPU per
// create), so at peak this is what lets the outbox keep up.
//
// A SendPO joins the open batch of its link and waits. The batch is
// written when it holds MaxSets documents or MaxWait after its first one
// arrived, whichever comes first; every member then returns the same
// document name and interchange control, and its own set control.
//
// Retries: the interchange control number is allocated once per batch
// composition (a hash of its members' once-keys), so a batch retried whole
// (the write failed, every member retries at once) is rewritten under the
// same number and name. A member retried alone (its job lost its ack after
// the file was written, as a crash does) finds its place in the batch
// journal (journal.go) and returns it, as long as the interchange is still
// in the outbox; once the partner has taken it, the member travels again
// in another batch: the same exposure as an unbatched PO whose file was
// picked up before the retry.

// Batch is a link's batching policy (partner YAML `batch:`).
type Batch struct {
	MaxSets int           `yaml:"max_sets"` // documents per interchange; 0 or 1: no batching
	MaxWait time.Duration `yaml:"max_wait"` // how long the first document waits for company
}

// Enabled reports whether documents are batched.
func (b Batch) Enabled() bool { return b.MaxSets > 1 }

// Check validates the policy.
func (b Batch) Check(path string) []connector.Problem {
	var out []connector.Problem
	if b.MaxSets < 0 || b.MaxSets > 9999 {
		out = append(out, connector.Problem{Path: path + ".max_sets", Message: fmt.Sprintf("%d: want 0 (off) to 9999", b.MaxSets)})
	}
	if b.MaxSets > 1 && (b.MaxWait <= 0 || b.MaxWait > time.Minute) {
		out = append(out, connector.Problem{Path: path + ".max_wait", Message: fmt.Sprintf("%s: want more than 0 and at most 1m when max_sets is set", b.MaxWait)})
	}
	return out
}

// Member is one document of a batch.
type Member struct {
	Outbound
	// Check renders the document alone, before it joins a batch, so that
	// a document the partner profile refuses fails on its own (a
	// permanent error) instead of failing the batch it would have joined.
	Check func() error
	// RenderSet writes the document's transaction set under set control
	// number set into the interchange being built (the envelope is the
	// batch's).
	RenderSet func(env Envelope, set string) error
}

// Envelope renders a batch: Begin opens interchange and group under ctrl,
// each member's RenderSet writes its set, End closes them and returns
// the bytes. The connector supplies it (X12 or EDIFACT syntax).
type Envelope interface {
	Begin(ctrl int64) error
	End() ([]byte, error)
}

// Batcher collects a link's documents into batches. One per connector
// instance; safe for concurrent use.
type Batcher struct {
	Policy Batch
	Link   *Link
	// Counters allocate the interchange control numbers.
	Counters connector.Counters
	// Journal keeps each member's place in its interchange (journal.go);
	// nil, or a transport that cannot find its outbox files, turns it off.
	Journal connector.State
	// NewEnvelope starts a fresh envelope for one batch.
	NewEnvelope func() Envelope
	// Now is the clock the journal's age is read by (time.Now when nil).
	Now func() time.Time
	// Log gets what goes wrong after a batch went out (slog.Default when
	// nil).
	Log *slog.Logger
	// after is time.After (tests replace it to decide when the wait ends).
	after func(time.Duration) <-chan time.Time

	mu   sync.Mutex
	open *batch
}

type batch struct {
	members []Member
	// versions are the members' stale journal entries (0: none).
	versions []int64
	full     chan struct{} // closed when MaxSets members joined
	done     chan struct{} // closed once written (or failed)
	sent     []connector.Sent
	err      error
}

// Send adds m to the open batch (opening one if none), waits until that
// batch is written and returns m's part of it. A cancelled ctx stops the
// wait, not the batch.
func (b *Batcher) Send(ctx context.Context, m Member) (connector.Sent, error) {
	if m.Check != nil {
		if err := stage.Render.Err(ctx, func(context.Context) error { return m.Check() }); err != nil {
			return connector.Sent{}, err
		}
	}
	prior, err := b.lookUp(ctx, m)
	if err != nil {
		return connector.Sent{}, err
	}
	if prior.found {
		return prior.sent, nil
	}
	b.mu.Lock()
	bt := b.open
	if bt == nil {
		bt = &batch{full: make(chan struct{}), done: make(chan struct{})}
		b.open = bt
		// The batch is written on its own context: members' contexts
		// may end while they wait, the batch must still finish.
		go b.flushWhenDue(context.WithoutCancel(ctx), bt)
	}
	i := len(bt.members)
	bt.members = append(bt.members, m)
	bt.versions = append(bt.versions, prior.version)
	if len(bt.members) >= b.Policy.MaxSets {
		b.open = nil // later documents open the next batch
		close(bt.full)
	}
	b.mu.Unlock()

	// Waiting for company is not work: the worker runs another job in
	// this handler's place meanwhile. Otherwise a batch's members would
	// hold the handlers while it fills, and with fewer handlers than
	// max_sets it could never fill: each batch would wait out max_wait.
	resume := job.Waiting(ctx)
	defer resume()
	select {
	case <-bt.done:
	case <-ctx.Done():
		return connector.Sent{}, ctx.Err()
	}
	if bt.err != nil {
		return connector.Sent{}, bt.err
	}
	return bt.sent[i], nil
}

func (b *Batcher) flushWhenDue(ctx context.Context, bt *batch) {
	after := b.after
	if after == nil {
		after = time.After
	}
	select {
	case <-bt.full:
	case <-after(b.Policy.MaxWait):
		b.mu.Lock()
		if b.open == bt {
			b.open = nil
		}
		b.mu.Unlock()
	}
	// From here no member joins bt: it left b.open under the lock.
	bt.sent, bt.err = b.write(ctx, bt.members, bt.versions)
	close(bt.done)
}

// write renders members into one interchange and puts it in the outbox.
func (b *Batcher) write(ctx context.Context, members []Member, versions []int64) ([]connector.Sent, error) {
	ctrl, err := Control(ctx, b.Counters, batchKey(members))
	if err != nil {
		return nil, fmt.Errorf("%s: control number for a batch of %d: %w", b.Link.Name, len(members), err)
	}
	env := b.NewEnvelope()
	if err := env.Begin(ctrl); err != nil {
		return nil, err
	}
	sets := make([]string, len(members))
	for i, m := range members {
		sets[i] = fmt.Sprintf("%04d", i+1)
		if err := stage.Render.Err(ctx, func(context.Context) error { return m.RenderSet(env, sets[i]) }); err != nil {
			// Check passed, so this is not the member's data: the batch
			// fails and every member retries. %v, not %w: a permanent
			// error of one member must not dead-letter the others.
			return nil, fmt.Errorf("%s: batch %d: PO %s: %v", b.Link.Name, ctrl, m.PO, err)
		}
	}
	data, err := stage.Call(ctx, stage.Render, func(context.Context) ([]byte, error) { return env.End() })
	if err != nil {
		return nil, err
	}
	name := b.Link.Names.Batch(ctrl)
	if err := b.record(ctx, name, ctrl, members, versions, sets); err != nil {
		return nil, err
	}
	if err := stage.Write.Err(ctx, func(ctx context.Context) error { return b.Link.T.Put(ctx, name, data) }); err != nil {
		return nil, fmt.Errorf("%s: put %s: %w", b.Link.Name, name, err)
	}
	// The batch is out: a failure to tidy the journal is only logged
	// (the next batch tries again).
	if _, err := b.prune(ctx, b.now(), len(members)+8); err != nil {
		b.log().WarnContext(ctx, "batch journal: old entries not dropped", "err", err)
	}
	id := strconv.FormatInt(ctrl, 10)
	out := make([]connector.Sent, len(members))
	for i, m := range members {
		out[i] = connector.Sent{Document: name, Refs: []model.Ref{{System: m.Ref, ID: id}}, Control: id, Set: sets[i]}
	}
	return out, nil
}

// batchKey is the once-key of a batch's control number: the same members
// (in any order) ask with the same key.
func batchKey(members []Member) string {
	keys := make([]string, len(members))
	for i, m := range members {
		keys[i] = m.Once
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
	}
	return "batch:" + hex.EncodeToString(h.Sum(nil)[:16])
}

func (b *Batcher) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Batcher) log() *slog.Logger {
	if b.Log != nil {
		return b.Log
	}
	return slog.Default()
}
