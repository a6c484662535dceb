package edipartner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/transport"
)

// The batch journal. A member's job learns it was sent when the batch
// returns, and records it with its ack. A crash between the interchange's
// write and those acks runs the members' jobs again; without a journal
// each would join a new batch and the partner would get its PO twice.
// So before an interchange is put in the outbox, every member's place in
// it (document, control and set numbers) is written to the store; a
// member sent again first looks for its entry, and when that document is
// still in the outbox (transport.Finder) it returns the same answer
// instead of travelling again. A document the partner has already taken
// cannot be told from one never written: the member then goes again, the
// same exposure as a single PO, whose retry rewrites its file.

// journalKind is the record kind of the entries, one per member once-key.
const journalKind = "batch_member"

// journalKeep is how long an entry outlives its last write. An entry only
// answers a member sent again while its document still waits in the
// outbox: a job run again after a crash (its lease runs out within
// minutes) or retried on its schedule (hours). Older entries are dropped
// as batches go out, a few per batch, so the journal does not grow with
// every PO ever batched (on Redis it is kept in memory).
const journalKeep = 7 * 24 * time.Hour

type journalEntry struct {
	Document string `json:"document"`
	Control  string `json:"control"`
	Set      string `json:"set"`
}

// journaled is what a member found in the journal: a Sent to return, or
// the version of a stale entry that its next batch overwrites.
type journaled struct {
	sent    connector.Sent
	found   bool
	version int64
}

// lookUp returns m's earlier place, when it has one in a document still
// in the outbox.
func (b *Batcher) lookUp(ctx context.Context, m Member) (journaled, error) {
	finder, ok := b.Link.T.(transport.Finder)
	if b.Journal == nil || !ok {
		return journaled{}, nil
	}
	rec, err := b.Journal.GetRecord(ctx, journalKind, m.Once)
	if errors.Is(err, store.ErrNotFound) {
		return journaled{}, nil
	}
	if err != nil {
		return journaled{}, fmt.Errorf("%s: batch journal of %s: %w", b.Link.Name, m.PO, err)
	}
	var e journalEntry
	if err := json.Unmarshal(rec.Data, &e); err != nil {
		// Unreadable: treat as never sent and overwrite it.
		return journaled{version: rec.Version}, nil
	}
	there, err := finder.Delivered(ctx, e.Document)
	if err != nil {
		return journaled{}, fmt.Errorf("%s: is %s still in the outbox: %w", b.Link.Name, e.Document, err)
	}
	if !there {
		return journaled{version: rec.Version}, nil
	}
	return journaled{found: true, sent: connector.Sent{
		Document: e.Document, Refs: []model.Ref{{System: m.Ref, ID: e.Control}}, Control: e.Control, Set: e.Set,
	}}, nil
}

// record writes every member's place in document name before it is put.
// The writes go out together, so a store that groups concurrent commits
// pays about one for the batch.
func (b *Batcher) record(ctx context.Context, name string, ctrl int64, members []Member, versions []int64, sets []string) error {
	if b.Journal == nil {
		return nil
	}
	if _, ok := b.Link.T.(transport.Finder); !ok {
		return nil
	}
	control := strconv.FormatInt(ctrl, 10)
	errs := make([]error, len(members))
	var wg sync.WaitGroup
	for i, m := range members {
		data, err := json.Marshal(journalEntry{Document: name, Control: control, Set: sets[i]})
		if err != nil {
			return err
		}
		wg.Go(func() { errs[i] = b.put(ctx, m.Once, data, versions[i]) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%s: batch journal of %s: %w", b.Link.Name, name, err)
	}
	return nil
}

// put writes one entry over the version the member read; an entry
// written since (a duplicate job of the same PO) is overwritten too: the
// latest document to carry the member is the one to look for.
func (b *Batcher) put(ctx context.Context, once string, data []byte, version int64) error {
	rec := store.Record{Kind: journalKind, ID: once, Data: data, Version: version}
	_, err := b.Journal.PutRecord(ctx, rec)
	if !errors.Is(err, store.ErrConflict) {
		return err
	}
	cur, err := b.Journal.GetRecord(ctx, journalKind, once)
	switch {
	case errors.Is(err, store.ErrNotFound):
		rec.Version = 0
	case err != nil:
		return err
	default:
		rec.Version = cur.Version
	}
	_, err = b.Journal.PutRecord(ctx, rec)
	return err
}

// prune deletes up to limit entries written last before journalKeep ago,
// looking at twice that many at most (listed by creation, newest first:
// an entry created long ago but written again since stays). It returns
// how many it deleted.
func (b *Batcher) prune(ctx context.Context, now time.Time, limit int) (int, error) {
	if _, ok := b.Link.T.(transport.Finder); !ok || b.Journal == nil || limit <= 0 {
		return 0, nil // no journal kept
	}
	cutoff := now.Add(-journalKeep)
	q := store.Query{Until: cutoff, Limit: min(2*limit, 500)}
	recs, _, err := b.Journal.ListRecords(ctx, journalKind, q)
	if err != nil {
		return 0, fmt.Errorf("%s: prune batch journal: %w", b.Link.Name, err)
	}
	n := 0
	for _, r := range recs {
		if n == limit {
			break
		}
		if r.Updated.After(cutoff) {
			continue
		}
		if err := b.Journal.DeleteRecord(ctx, journalKind, r.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return n, fmt.Errorf("%s: prune batch journal: %w", b.Link.Name, err)
		}
		n++
	}
	return n, nil
}
