package amazon

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/money"
	"github.com/dropgate/dropgate/internal/connectortest"
	"github.com/dropgate/dropgate/internal/fakes/amazonfake"
)

// feedRig is rig with a bulk threshold of 3.
func feedRig(t *testing.T) (*connectortest.Rig, *amazonfake.Fake, *Connector, *keys) {
	t.Helper()
	r, f, c, k := rig(t)
	c.cfg.BulkThreshold = 3
	return r, f, c, k
}

func stock(n int) []connector.InventoryUpdate {
	ups := make([]connector.InventoryUpdate, n)
	for i := range ups {
		ups[i] = connector.InventoryUpdate{SKU: fmt.Sprintf("SKU-%d", i+1), Available: int64(10 + i)}
	}
	return ups
}

// wantPending checks a push that left its feed being processed: a
// retryable error, not before feed_poll_every from now, spending no
// attempt on a throttle.
func wantPending(t *testing.T, r *connectortest.Rig, c *Connector, err error) {
	t.Helper()
	class, at := fault.Classify(err)
	if class != fault.ClassThrottled || !at.Equal(r.Clock.Now().Add(c.cfg.FeedPollEvery)) {
		t.Fatalf("push while the feed is processed: %v (class %v, not before %v); want throttled (no attempt spent) not before %v",
			err, class, at, r.Clock.Now().Add(c.cfg.FeedPollEvery))
	}
}

// A push over the threshold goes out as one JSON listings feed: the
// first attempt creates it and is rescheduled (nothing applied yet:
// ACCEPTED is not applied); the next attempt finds the same feed done
// and reads the report: the SKU with an ERROR issue is refused with
// Amazon's message, a WARNING does not refuse, the others are pushed.
// Each Feeds operation draws on its own limiter key at Amazon's plan.
func TestFeedCycleWithAnErrorIssue(t *testing.T) {
	r, f, c, k := feedRig(t)
	ctx := context.Background()
	f.SetIssue("SKU-3", "The SKU does not exist in the marketplace")
	f.SetWarning("SKU-2", "Attributes tagged as relevant_attributes are incomplete")
	ups := stock(5)

	wantPending(t, r, c, c.PushInventory(ctx, ups))
	if n := f.FeedsCreated(); n != 1 {
		t.Fatalf("%d feeds created; want 1", n)
	}
	if _, ok := f.Listing("SKU-1"); ok {
		t.Fatal("a listing changed before the feed was processed")
	}
	r.Clock.Advance(c.cfg.FeedPollEvery)
	err := c.PushInventory(ctx, ups)
	var partial *fault.PartialError
	if !errors.As(err, &partial) {
		t.Fatalf("push after processing: %v; want a partial error", err)
	}
	if len(partial.Rejected) != 1 || !strings.Contains(partial.Rejected["SKU-3"], "does not exist in the marketplace") {
		t.Errorf("rejected %v; want SKU-3 with Amazon's issue", partial.Rejected)
	}
	if strings.Join(partial.Accepted, ",") != "SKU-1,SKU-2,SKU-4,SKU-5" {
		t.Errorf("accepted %v", partial.Accepted)
	}
	for _, u := range ups {
		l, ok := f.Listing(u.SKU)
		if u.SKU == "SKU-3" {
			if ok {
				t.Errorf("SKU-3 was applied: %+v", l)
			}
			continue
		}
		if !ok || l.Quantity != u.Available {
			t.Errorf("%s on Amazon: %+v; want %d", u.SKU, l, u.Available)
		}
	}
	if n := f.FeedsCreated(); n != 1 {
		t.Errorf("%d feeds created; the second attempt must poll the first, not send another", n)
	}
	for _, op := range []string{opCreateDoc, opCreateFeed, opGetFeed, opGetDoc} {
		if l, ok := k.seen[c.limitKey(op)]; !ok || l != OpLimits[op] {
			t.Errorf("limiter key %s: %+v, %v; want %+v", c.limitKey(op), l, ok, OpLimits[op])
		}
	}
	if _, ok := k.seen[c.limitKey(opListings)]; ok {
		t.Error("a feed push used patchListingsItem")
	}
	if v := f.Server().QuotaViolations(); v != 0 {
		t.Errorf("%d quota violations", v)
	}

	// Done, the feed is forgotten: the same batch queued again is a new feed.
	wantPending(t, r, c, c.PushInventory(ctx, ups))
	if n := f.FeedsCreated(); n != 2 {
		t.Errorf("%d feeds created; want a second", n)
	}
}

// A FATAL feed refuses every SKU with the reason from its report; none
// was applied.
func TestFeedFatal(t *testing.T) {
	r, f, c, _ := feedRig(t)
	ctx := context.Background()
	f.FailNextFeed("The feed could not be processed: internal failure")
	ups := stock(4)
	wantPending(t, r, c, c.PushInventory(ctx, ups))
	r.Clock.Advance(c.cfg.FeedPollEvery)
	err := c.PushInventory(ctx, ups)
	var partial *fault.PartialError
	if !errors.As(err, &partial) || len(partial.Accepted) != 0 || len(partial.Rejected) != 4 {
		t.Fatalf("push of a FATAL feed: %v; want all 4 SKUs refused", err)
	}
	for sku, why := range partial.Rejected {
		if !strings.Contains(why, "FATAL") || !strings.Contains(why, "internal failure") {
			t.Errorf("%s refused with %q; want FATAL and Amazon's reason", sku, why)
		}
		if _, ok := f.Listing(sku); ok {
			t.Errorf("%s applied by a FATAL feed", sku)
		}
	}
}

// Prices go in the feed as exact JSON numbers from minor units (the fake
// refuses strings and more decimals than the currency has); at or under
// the threshold a push is still a PATCH per SKU.
func TestFeedPricesAndThreshold(t *testing.T) {
	r, f, c, k := feedRig(t)
	ctx := context.Background()
	var ups []connector.PriceUpdate
	for i, p := range []string{"19.99", "0.05", "1200", "7.10"} {
		ups = append(ups, connector.PriceUpdate{SKU: fmt.Sprintf("P-%d", i), Price: usd(p)})
	}
	wantPending(t, r, c, c.PushPrices(ctx, ups))
	r.Clock.Advance(c.cfg.FeedPollEvery)
	if err := c.PushPrices(ctx, ups); err != nil {
		t.Fatalf("push prices: %v", err)
	}
	for _, u := range ups {
		l, _ := f.Listing(u.SKU)
		if l.Currency != "USD" || money.MustParse(l.Price, "USD") != u.Price {
			t.Errorf("%s on Amazon: %q %s; want %s", u.SKU, l.Price, l.Currency, u.Price)
		}
	}
	if err := c.PushPrices(ctx, ups[:3]); err != nil || f.FeedsCreated() != 1 {
		t.Fatalf("push of 3 (the threshold): %v, %d feeds; want PATCHes", err, f.FeedsCreated())
	}
	if _, ok := k.seen[c.limitKey(opListings)]; !ok {
		t.Error("a push at the threshold did not use patchListingsItem")
	}
}

// A feed Amazon has not finished within a poll stays in flight across
// attempts, and a throttled getFeed is a throttle (no attempt spent).
func TestFeedPollThrottled(t *testing.T) {
	r, f, c, _ := feedRig(t)
	ctx := context.Background()
	ups := stock(4)
	wantPending(t, r, c, c.PushInventory(ctx, ups))
	// Spend the connector's getFeed budget.
	lim := c.limits[opGetFeed]
	for i := 0; ; i++ {
		wait, err := r.Env.Limiter.Take(ctx, c.limitKey(opGetFeed), 1, lim)
		if err != nil || i > lim.Burst {
			t.Fatalf("spend getFeed's budget: %v after %d", err, i)
		}
		if wait > 0 {
			break
		}
	}
	err := c.PushInventory(ctx, ups)
	if class, _ := fault.Classify(err); class != fault.ClassThrottled {
		t.Fatalf("push with no getFeed budget: %v; want throttled", err)
	}
	r.Clock.Advance(time.Minute)
	if err := c.PushInventory(ctx, ups); err != nil || f.FeedsCreated() != 1 {
		t.Fatalf("push after the throttle: %v, %d feeds", err, f.FeedsCreated())
	}
}

// bulk_threshold and feed_poll_every are checked; the defaults pass.
func TestFeedKeysChecked(t *testing.T) {
	cfg := Config{Region: "na", PollEvery: time.Minute, BulkThreshold: 0, FeedPollEvery: 500 * time.Millisecond, FeedBatch: maxFeedMessages + 1}
	got := map[string]bool{}
	for _, p := range cfg.Check() {
		got[p.Path] = true
	}
	if !got["bulk_threshold"] || !got["feed_poll_every"] || !got["feed_batch"] {
		t.Errorf("problems %v; want bulk_threshold, feed_poll_every and feed_batch", got)
	}
	cfg.BulkThreshold, cfg.FeedPollEvery, cfg.FeedBatch = DefaultBulkThreshold, DefaultFeedPollEvery, DefaultFeedBatch
	if ps := cfg.Check(); len(ps) != 0 {
		t.Errorf("defaults refused: %v", ps)
	}
}
