package channelsync

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/app"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/ids"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/core/store"
)

// Record kinds of the last values pushed to a channel, one record per
// channel and SKU (id "channel/sku", indexed by channel). A record's
// version counts the pushes, which makes every batch's identity unique.
const (
	RecPushedInventory = "pushed.inventory"
	RecPushedPrice     = "pushed.price"
)

// retryRejectedAfter is how long a SKU the channel refused is left alone
// while its value does not change: the listing may have been created since.
const retryRejectedAfter = 24 * time.Hour

// pushUniqueTTL keeps a batch's key after it ran, so a recompute that read
// the last pushed values just before the batch recorded them does not
// queue the same batch again.
const pushUniqueTTL = time.Hour

// syncKind is what differs between the inventory and the price sync.
type syncKind struct {
	name   string // in messages: "inventory", "prices"
	job    string
	record string
	// zeroGone pushes 0 for a SKU pushed before that no supplier offers
	// any more (inventory); prices of such SKUs are left as they are.
	zeroGone bool
}

var (
	inventorySync = syncKind{name: "inventory", job: "inventory.push", record: RecPushedInventory, zeroGone: true}
	priceSync     = syncKind{name: "prices", job: "price.push", record: RecPushedPrice}
)

// pushKind is the job of one batch of what (inventory, prices) to one
// channel, in a group per channel and kind, spending from the channel's
// rate-limit key.
func pushKind(name, what string) job.Kind[pushBatch] {
	return job.Kind[pushBatch]{Name: name, Queue: app.QueueOutbound,
		Options: func(b pushBatch) job.Options {
			return job.Options{Group: "sync:" + what + ":" + b.Channel, Key: "channel:" + b.Channel}
		},
		Subject: func(b pushBatch) job.Subject { return job.Subject{Connector: b.Channel} },
	}
}

// pushItem is one SKU's new value in a batch.
type pushItem struct {
	SKU       string       `json:"sku"`
	Available int64        `json:"available"`
	Price     *money.Money `json:"price,omitempty"`
	// Version is the version of the SKU's last-pushed record when the
	// batch was made (0: never pushed). With the SKU and the value it is
	// the batch's identity, and the record is written at that version.
	Version int64 `json:"version,omitempty"`
}

// value is the item's value as recorded: "12", "19.99 USD".
func (it pushItem) value() string {
	if it.Price != nil {
		return it.Price.String()
	}
	return strconv.FormatInt(it.Available, 10)
}

// pushBatch is the payload of a push job.
type pushBatch struct {
	Channel string     `json:"channel"`
	Items   []pushItem `json:"items"`
}

// pushed is a last-pushed record's data.
type pushed struct {
	Channel  string    `json:"channel"`
	SKU      string    `json:"sku"`
	Value    string    `json:"value"`
	Rejected string    `json:"rejected,omitempty"` // the channel refused Value
	At       time.Time `json:"at"`
	version  int64
}

func pushedID(channel, sku string) string { return channel + "/" + sku }

// lastPushed reads what was last pushed to channel, by SKU.
func (s *Service) lastPushed(ctx context.Context, kind syncKind, channel string) (map[string]pushed, error) {
	out := map[string]pushed{}
	cursor := ""
	for {
		recs, next, err := s.d.Records.ListRecords(ctx, kind.record, store.Query{Field: "channel", Value: channel, Cursor: cursor, Limit: 500})
		if err != nil {
			return nil, fmt.Errorf("sync: read %s last pushed to %s: %w", kind.name, channel, err)
		}
		for _, r := range recs {
			var p pushed
			if err := json.Unmarshal(r.Data, &p); err != nil {
				continue // pushed again, and rewritten
			}
			p.version = r.Version
			out[p.SKU] = p
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

// queueChanges compares want with what channel last accepted and queues
// the differences in batches, sorted by SKU.
func (s *Service) queueChanges(ctx context.Context, kind syncKind, channel string, want map[string]pushItem) error {
	last, err := s.lastPushed(ctx, kind, channel)
	if err != nil {
		return err
	}
	now := s.d.Now()
	var changes []pushItem
	for sku, it := range want {
		l, ok := last[sku]
		if ok && l.Value == it.value() && (l.Rejected == "" || now.Sub(l.At) < retryRejectedAfter) {
			continue
		}
		it.Version = l.version
		changes = append(changes, it)
	}
	if kind.zeroGone {
		for sku, l := range last {
			if _, ok := want[sku]; !ok && l.Value != "0" {
				changes = append(changes, pushItem{SKU: sku, Version: l.version})
			}
		}
	}
	slices.SortFunc(changes, func(a, b pushItem) int { return strings.Compare(a.SKU, b.SKU) })
	for batch := range slices.Chunk(changes, s.batchSize(channel)) {
		if err := s.queueBatch(ctx, kind, channel, batch); err != nil {
			return err
		}
	}
	if len(changes) > 0 {
		s.d.Log.Info("sync: changes queued", "channel", channel, "what", kind.name, "skus", len(changes), "of", len(want))
	}
	return nil
}

// queueBatch enqueues one push. Its unique key is the batch's content
// (SKU, value, record version of each item), so a recompute that runs
// twice queues it once; the group sends a channel's batches one at a
// time, in order, so a later value is never overwritten by an earlier one.
func (s *Service) queueBatch(ctx context.Context, kind syncKind, channel string, items []pushItem) error {
	parts := make([]string, 0, 3*len(items))
	for _, it := range items {
		parts = append(parts, it.SKU, it.value(), strconv.FormatInt(it.Version, 10))
	}
	k := KindInventoryPush
	if kind.job == KindPricePush.Name {
		k = KindPricePush
	}
	return job.Enqueue(ctx, s.d.Queue, k, pushBatch{Channel: channel, Items: items}, func(j *store.Job) {
		j.UniqueKey, j.UniqueTTL = kind.job+":"+channel+":"+ids.Derive(20, parts...), pushUniqueTTL
		j.MaxAttempts = s.d.Attempts(channel)
		if j.Meta == nil {
			j.Meta = map[string]string{}
		}
		j.Meta["skus"] = strconv.Itoa(len(items))
	})
}

// handlePush sends one batch and records what the channel accepted. A
// throttled or retryable error is returned as is: the queue runs the
// batch again (throttling without spending an attempt), and the connector
// skips what already went through. SKUs the channel refuses are recorded
// as refused and raise one exception for the batch.
func (s *Service) handlePush(ctx context.Context, b pushBatch, kind syncKind) error {
	ch, ok := s.d.Channels[b.Channel]
	if !ok {
		return fault.Permanentf("sync: channel %q is not configured", b.Channel)
	}
	err := s.push(ctx, kind, ch, b.Items)
	var (
		partial   *fault.PartialError
		throttled *fault.ThrottledError
	)
	rejected := map[string]string{}
	switch {
	case errors.As(err, &throttled):
		// The connector says when it will have budget to finish (Shopify
		// waits for enough tokens for its re-read and the remaining sets).
		return fmt.Errorf("sync: push %s to %s: %w", kind.name, b.Channel, err)
	case errors.As(err, &partial):
		rejected = partial.Rejected
	case err != nil:
		return fmt.Errorf("sync: push %s to %s: %w", kind.name, b.Channel, err)
	}
	var refused []string
	for _, it := range b.Items {
		reason, bad := rejected[strings.TrimSpace(it.SKU)]
		if bad {
			refused = append(refused, it.SKU+": "+reason)
		}
		if err := s.recordPushed(ctx, kind, b.Channel, it, reason); err != nil {
			return err
		}
	}
	if len(refused) == 0 {
		return nil
	}
	const shown = 10
	msg := strings.Join(refused[:min(len(refused), shown)], "; ")
	if len(refused) > shown {
		msg += fmt.Sprintf("; and %d more", len(refused)-shown)
	}
	return s.raiseOnce(ctx, model.Exception{Kind: model.ExSyncRejected, Ref: b.Channel + ":" + kind.name, Actions: []string{"resolve"},
		Reason: fmt.Sprintf("%s refused the %s of %d SKU(s): %s", b.Channel, kind.name, len(refused), msg)})
}

// batchSize is how many updates one push job to channel carries: the
// connector's own size when it has one (a bulk feed), else the sync's.
func (s *Service) batchSize(channel string) int {
	if ch, ok := s.d.Channels[channel]; ok {
		if b, ok := connector.As[connector.PushBatcher](ch); ok && b.PushBatch() > 0 {
			return b.PushBatch()
		}
	}
	return cmp.Or(s.cfg.Batch, DefaultSyncBatch)
}

// push hands the batch to the channel's connector.
func (s *Service) push(ctx context.Context, kind syncKind, ch connector.Connector, items []pushItem) error {
	if kind.job == KindPricePush.Name {
		p, ok := connector.As[connector.PricePusher](ch)
		if !ok {
			return fault.Permanentf("channel %q cannot push prices", ch.Name())
		}
		ups := make([]connector.PriceUpdate, 0, len(items))
		for _, it := range items {
			if it.Price != nil {
				ups = append(ups, connector.PriceUpdate{SKU: it.SKU, Price: *it.Price})
			}
		}
		return p.PushPrices(ctx, ups)
	}
	p, ok := connector.As[connector.InventoryPusher](ch)
	if !ok {
		return fault.Permanentf("channel %q cannot push inventory", ch.Name())
	}
	ups := make([]connector.InventoryUpdate, len(items))
	for i, it := range items {
		ups[i] = connector.InventoryUpdate{SKU: it.SKU, Available: it.Available}
	}
	return p.PushInventory(ctx, ups)
}

// recordPushed writes the SKU's last-pushed record at the version the
// batch saw. A conflict means another batch with the same SKU ran in
// between (a duplicate); this batch ran last, so its value stands.
func (s *Service) recordPushed(ctx context.Context, kind syncKind, channel string, it pushItem, rejected string) error {
	data, err := json.Marshal(pushed{Channel: channel, SKU: it.SKU, Value: it.value(), Rejected: rejected, At: s.d.Now()})
	if err != nil {
		return err
	}
	id, version := pushedID(channel, it.SKU), it.Version
	for range 8 { // bounded: a conflict means another batch of this SKU ran
		_, err := s.d.Records.PutRecord(ctx, store.Record{Kind: kind.record, ID: id, Data: data, Version: version,
			Index: map[string]string{"channel": channel}})
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
		cur, gerr := s.d.Records.GetRecord(ctx, kind.record, id)
		switch {
		case errors.Is(gerr, store.ErrNotFound):
			version = 0
		case gerr != nil:
			return gerr
		default:
			version = cur.Version
		}
	}
	return fmt.Errorf("sync: record %s pushed to %s: too many concurrent updates", it.SKU, channel)
}

// raiseOnce raises an exception unless the same one (kind, ref, reason)
// exists: the sync recomputes every few minutes, and reading is cheaper
// than a write that conflicts.
func (s *Service) raiseOnce(ctx context.Context, x model.Exception) error {
	x.ID = "exc_" + ids.Derive(16, string(x.Kind), x.Ref, x.Reason)
	if _, _, err := s.d.Exceptions.Get(ctx, x.ID); err == nil {
		return nil
	}
	return s.d.Events.Publish(ctx, nil, []model.Event{{Type: model.EvExceptionRaised, At: s.d.Now(), Exception: &x}})
}
