package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/store"
)

// attempt is the store's note of an untracked shipment's first create:
// the fulfillments the order had before it.
type attempt struct {
	Known []string `json:"known"`
}

const attemptKind = "fulfillment_attempt"

func (c *Connector) attemptID(sh *model.Shipment) string { return c.cfg.ShopDomain + "/" + sh.ID }

// loadAttempt returns the shipment's attempt, nil when there is none (or
// no store).
func (c *Connector) loadAttempt(ctx context.Context, sh *model.Shipment) (*attempt, error) {
	if c.env.State == nil {
		return nil, nil
	}
	rec, err := c.env.State.GetRecord(ctx, attemptKind, c.attemptID(sh))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fault.Retryable(fmt.Errorf("shopify: shipment %s: read attempt: %w", sh.ID, err))
	}
	var a attempt
	if err := json.Unmarshal(rec.Data, &a); err != nil {
		return nil, fault.Permanent(fmt.Errorf("shopify: shipment %s: attempt record: %w", sh.ID, err))
	}
	return &a, nil
}

// saveAttempt records the fulfillments known before the first create. A
// record written meanwhile by a concurrent attempt is kept: the earliest
// list is the right one.
func (c *Connector) saveAttempt(ctx context.Context, sh *model.Shipment, known []uint64) error {
	a := attempt{Known: make([]string, len(known))}
	for i, id := range known {
		a.Known[i] = formatID(id)
	}
	data, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("shopify: shipment %s: attempt record: %w", sh.ID, err)
	}
	_, err = c.env.State.PutRecord(ctx, store.Record{
		Kind: attemptKind, ID: c.attemptID(sh), Data: data,
		Index: map[string]string{"shipment": sh.ID},
	})
	if err != nil && !errors.Is(err, store.ErrConflict) {
		// Creating without the note could duplicate on a retry: wait.
		return fault.Retryable(fmt.Errorf("shopify: shipment %s: write attempt: %w", sh.ID, err))
	}
	return nil
}
