package shopify

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/fakes/shopifyfake"
)

// 60 pushes in a tight loop: those that find no budget in the shared
// limiter come back Throttled (no worker sleeps) and Shopify never answers
// 429; once time passes, the rescheduled pushes all complete, still
// without a 429 and without a duplicate.
func TestRateLimitTightLoop(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, rigOptions{})
	p := r.product("9.00", "A")
	type job struct {
		o     shopifyfake.Order
		order *model.Order
		sh    *model.Shipment
	}
	var jobs []job
	for i := range 60 {
		o, order := r.order(shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 1})
		jobs = append(jobs, job{o, order, shipment(fmt.Sprintf("shp_%d", i), "ups", pkg(fmt.Sprintf("1ZRL%04d", i), shipped(o.Lines[0], 1)))})
	}
	pending := jobs
	done, rounds := 0, 0
	for len(pending) > 0 {
		rounds++
		if rounds > 100 {
			t.Fatalf("still %d pending after 100 rounds", len(pending))
		}
		var again []job
		var next time.Time
		throttled := 0
		for _, j := range pending {
			_, err := r.c.PushFulfillment(ctx, j.order, j.sh)
			if err == nil {
				done++
				continue
			}
			cl, notBefore := fault.Classify(err)
			if cl != fault.ClassThrottled {
				t.Fatalf("push %s: %v (class %v), want success or throttled", j.sh.ID, err, cl)
			}
			var te *fault.ThrottledError
			if !errors.As(err, &te) || te.Key != limitKey(shopifyfake.DefaultShop) || !notBefore.After(r.clk.Now()) {
				t.Fatalf("throttled error = %#v", err)
			}
			throttled++
			next = notBefore
			again = append(again, j)
		}
		if rounds == 1 {
			t.Logf("first round: %d pushes done, %d throttled", done, throttled)
			if throttled == 0 || done == 0 {
				t.Fatal("want both")
			}
		}
		pending = again
		// The queue reschedules at NotBefore; here, time jumps there.
		if len(pending) > 0 {
			r.clk.Set(next.Add(5 * time.Second))
		}
	}
	if n := r.f.Throttled(""); n != 0 {
		t.Errorf("Shopify answered %d × 429", n)
	}
	for _, j := range jobs {
		if n := len(r.f.Fulfillments(j.o.ID)); n != 1 {
			t.Errorf("order %d has %d fulfillments", j.o.ID, n)
		}
	}
}

// Another replica (or app) filled the shop's bucket: the 429 is a
// retryable error not before now+Retry-After, and the shared limiter is
// deferred, so the next call is Throttled without reaching Shopify.
func TestRateLimit429FromOtherReplica(t *testing.T) {
	ctx := context.Background()
	r := newRig(t, rigOptions{})
	p := r.product("9.00", "A")
	o, order := r.order(shopifyfake.NewLineItem{VariantID: p.Variants[0].ID, Quantity: 1})
	sh := shipment("shp_429", "ups", pkg("1Z429", shipped(o.Lines[0], 1)))

	other, err := r.f.Client("", DefaultAPIVersion)
	if err != nil {
		t.Fatal(err)
	}
	for range shopifyfake.DefaultBucketSize {
		if _, err := other.Location.List(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	now := r.clk.Now()
	_, err = r.c.PushFulfillment(ctx, order, sh)
	cl, notBefore := fault.Classify(err)
	if cl != fault.ClassRetryable || !notBefore.Equal(now.Add(2*time.Second)) {
		t.Fatalf("after a 429: class %v, not before %v (now %v), err %v; want retryable at now+2s", cl, notBefore, now, err)
	}
	if r.f.Throttled("") != 1 {
		t.Fatalf("Shopify answered %d × 429, want 1", r.f.Throttled(""))
	}
	before := r.f.Requests("")
	_, err = r.c.PushFulfillment(ctx, order, sh)
	if class(err) != fault.ClassThrottled {
		t.Fatalf("next call: %v, want throttled by the deferred limiter", err)
	}
	if got := r.f.Requests(""); got != before {
		t.Errorf("the throttled call reached Shopify (%d → %d requests)", before, got)
	}
	// After the wait the push goes through.
	r.clk.Advance(3 * time.Second)
	if _, err := r.c.PushFulfillment(ctx, order, sh); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
}
