package amazon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
)

// seenKind is the State record of the orders taken in, one record per
// hour of their LastUpdateDate: AmazonOrderId → "LastUpdateDate Status".
// A sweep lists an order many times (the overlap, the deep sweep); one
// listed again at the version already taken in is not read again
// (getOrderItems, getOrderAddress), since nothing of it changed. In the
// store, so it holds across restarts and replicas.
const seenKind = "seen"

// seenFor is how long a bucket is kept: far longer than any sweep looks
// back (a manual sweep from further back only reads those orders again).
const seenFor = 72 * time.Hour

const bucketLayout = "2006-01-02T15"

// seenBucket is one hour's record.
type seenBucket struct {
	Orders map[string]string `json:"o"`
}

// version is what identifies an order's state on Amazon.
func version(o *aOrder) string { return o.LastUpdateDate + " " + o.OrderStatus }

// bucketOf is the record id of an order updated at lastUpdate ("" when
// the date cannot be read: such an order is always read).
func bucketOf(lastUpdate string) string {
	t, err := time.Parse(time.RFC3339, lastUpdate)
	if err != nil {
		return ""
	}
	return t.UTC().Format(bucketLayout)
}

// seenBook is one poll's view of the buckets, read once each.
type seenBook struct {
	c       *Connector
	buckets map[string]map[string]string
}

func (c *Connector) seenBook() *seenBook {
	return &seenBook{c: c, buckets: map[string]map[string]string{}}
}

// taken reports whether o was taken in at this very version.
func (b *seenBook) taken(ctx context.Context, o *aOrder) bool {
	id := bucketOf(o.LastUpdateDate)
	if id == "" || b.c.env.State == nil {
		return false
	}
	m, ok := b.buckets[id]
	if !ok {
		got, _, err := b.c.readBucket(ctx, id)
		if err != nil {
			// Reading the order again is the safe side.
			b.c.env.Log().Warn("amazon: read orders taken in", "bucket", id, "err", err)
		}
		m = got
		b.buckets[id] = m
	}
	return m[o.AmazonOrderID] == version(o)
}

// note remembers the versions a poll decoded, until the sweep says they
// were taken in.
func (c *Connector) note(o *aOrder) {
	id := bucketOf(o.LastUpdateDate)
	if id == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.listed[o.AmazonOrderID] = listedAt{bucket: id, version: version(o)}
}

// listedAt is an order's version as the last poll decoded it.
type listedAt struct{ bucket, version string }

var _ connector.PollTaker = (*Connector)(nil)

// TakenIn records the versions of the orders the sweep took in, per
// hour bucket, so the next listings of them at that version skip their
// items and address.
func (c *Connector) TakenIn(ctx context.Context, events []connector.ChannelEvent) error {
	byBucket := map[string]map[string]string{}
	c.mu.Lock()
	for _, ev := range events {
		l, ok := c.listed[ev.ChannelOrderID]
		if !ok || ev.Kind == connector.EventIgnored {
			continue
		}
		delete(c.listed, ev.ChannelOrderID)
		if byBucket[l.bucket] == nil {
			byBucket[l.bucket] = map[string]string{}
		}
		byBucket[l.bucket][ev.ChannelOrderID] = l.version
	}
	c.mu.Unlock()
	if c.env.State == nil {
		return nil
	}
	var errs []error
	for id, add := range byBucket {
		if err := c.addToBucket(ctx, id, add); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (c *Connector) readBucket(ctx context.Context, id string) (map[string]string, store.Record, error) {
	rec := store.Record{Kind: seenKind, ID: id}
	got, err := c.env.State.GetRecord(ctx, seenKind, id)
	if errors.Is(err, store.ErrNotFound) {
		return map[string]string{}, rec, nil
	}
	if err != nil {
		return map[string]string{}, rec, err
	}
	var b seenBucket
	if err := json.Unmarshal(got.Data, &b); err != nil || b.Orders == nil {
		b.Orders = map[string]string{}
	}
	return b.Orders, got, nil
}

// addToBucket merges versions into a bucket (optimistically: a replica
// writing the same bucket makes us read it again).
func (c *Connector) addToBucket(ctx context.Context, id string, add map[string]string) error {
	for try := 0; ; try++ {
		m, rec, err := c.readBucket(ctx, id)
		if err != nil {
			return fmt.Errorf("amazon: read orders taken in (%s): %w", id, err)
		}
		for k, v := range add {
			m[k] = v
		}
		rec.Data, _ = json.Marshal(seenBucket{Orders: m})
		_, err = c.env.State.PutRecord(ctx, rec)
		if errors.Is(err, store.ErrConflict) && try < 5 {
			continue
		}
		if err != nil {
			return fmt.Errorf("amazon: save orders taken in (%s): %w", id, err)
		}
		if rec.Version == 0 {
			c.pruneSeen(ctx) // a new hour: drop the buckets past seenFor
		}
		return nil
	}
}

// pruneSeen deletes the buckets older than seenFor.
func (c *Connector) pruneSeen(ctx context.Context) {
	cutoff := c.now().Add(-seenFor).UTC().Format(bucketLayout)
	q := store.Query{Limit: 500}
	for range 20 {
		recs, next, err := c.env.State.ListRecords(ctx, seenKind, q)
		if err != nil {
			c.env.Log().Warn("amazon: list orders taken in", "err", err)
			return
		}
		for _, r := range recs {
			if r.ID < cutoff {
				if err := c.env.State.DeleteRecord(ctx, seenKind, r.ID); err != nil {
					c.env.Log().Warn("amazon: drop old orders taken in", "bucket", r.ID, "err", err)
				}
			}
		}
		if next == "" {
			return
		}
		q.Cursor = next
	}
}
