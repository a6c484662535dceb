// Package acklist keeps the orders a marketplace connector must
// acknowledge once dropgate has taken them in (Walmart, Meta commerce):
// a poll lists new orders and adds them; the next poll, after the core
// stored them, acknowledges them. The list lives in the instance's own
// state, so every replica sees it and a restart loses none.
package acklist

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
)

// List is one connector instance's list. A nil State keeps nothing.
type List struct {
	State connector.State
	Kind  string // the state record's kind
	Name  string // the connector, for error messages
}

const recordID = "pending"

// Load returns the ids waiting and the record to save them back to.
func (l List) Load(ctx context.Context) ([]string, store.Record, error) {
	rec, err := l.State.GetRecord(ctx, l.Kind, recordID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, store.Record{Kind: l.Kind, ID: recordID}, nil
	}
	if err != nil {
		return nil, rec, fault.Retryable(fmt.Errorf("%s: read pending acknowledgements: %w", l.Name, err))
	}
	var ids []string
	_ = json.Unmarshal(rec.Data, &ids)
	return ids, rec, nil
}

func (l List) save(ctx context.Context, rec store.Record, ids []string) error {
	if len(ids) == 0 && rec.Version == 0 {
		return nil
	}
	rec.Data, _ = json.Marshal(ids)
	if _, err := l.State.PutRecord(ctx, rec); err != nil {
		return fault.Retryable(fmt.Errorf("%s: save pending acknowledgements: %w", l.Name, err))
	}
	return nil
}

// Add remembers ids to acknowledge at the next poll (each once).
func (l List) Add(ctx context.Context, ids []string) error {
	if len(ids) == 0 || l.State == nil {
		return nil
	}
	have, rec, err := l.Load(ctx)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, id := range have {
		seen[id] = true
	}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			have = append(have, id)
		}
	}
	return l.save(ctx, rec, have)
}

// Has reports whether id waits for its acknowledgement.
func (l List) Has(ctx context.Context, id string) (bool, error) {
	if l.State == nil {
		return false, nil
	}
	ids, _, err := l.Load(ctx)
	for _, p := range ids {
		if p == id {
			return true, err
		}
	}
	return false, err
}

// Drain acknowledges every id waiting with ack. An id the platform
// refuses for good (cancelled since) is dropped and handed to refused; a
// retryable failure keeps it and the rest for the next poll.
func (l List) Drain(ctx context.Context, ack func(ctx context.Context, id string) error, refused func(id string, err error)) error {
	if l.State == nil {
		return nil
	}
	ids, rec, err := l.Load(ctx)
	if err != nil || len(ids) == 0 {
		return err
	}
	for i, id := range ids {
		err := ack(ctx, id)
		if err != nil && !fault.IsPermanent(err) {
			if serr := l.save(ctx, rec, ids[i:]); serr != nil {
				return serr
			}
			return err
		}
		if err != nil && refused != nil {
			refused(id, err)
		}
	}
	return l.save(ctx, rec, nil)
}
