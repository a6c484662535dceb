// Package inventory decides how many units of a merchant SKU a channel may
// sell, from the suppliers' offers and the orders still waiting to ship.
// It is pure: the engine gathers the figures and pushes the result.
//
// For one merchant SKU:
//
//	available = max(0, aggregate(fresh stock of its offers) − safety_buffer − committed)
//
// where:
//
//   - aggregate is `sum` (every supplier's stock adds up: routing may send
//     the order to any of them), `max` (the best single supplier: an order
//     line is not split across suppliers by default) or `primary` (only the
//     preferred supplier with stock: the lowest priority number, ties by
//     name).
//   - A stale offer (its feed is older than its freshness) and a negative
//     stock count as zero.
//   - committed is the units of open orders not yet shipped or cancelled
//     (see Committed).
//
// # Committed units and the supplier's own count
//
// Once a purchase order reaches a supplier, the supplier usually reserves
// the units, and its next feed or 846 reports a lower stock. Subtracting
// those units again counts them twice until they ship. The alternative,
// trusting that every feed already reflects every order sent before it,
// oversells whenever a feed lags (and a feed gives no list of the orders
// it accounts for). dropgate subtracts every unshipped unit: between the
// supplier's reservation and its shipment the channel shows a little less
// than there is, but an order is never taken for stock that was already
// promised. Overselling in drop-shipping costs a cancellation and a
// marketplace penalty; underselling for the day or two a unit is in
// flight costs less.
package inventory

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/model"
)

// Aggregate modes of `inventory.aggregate`.
const (
	AggregateSum     = "sum"
	AggregateMax     = "max"
	AggregatePrimary = "primary"
)

// DefaultSyncEvery is how often the full recompute runs when
// inventory.sync_every is not set.
const DefaultSyncEvery = 5 * time.Minute

// Config is the `inventory:` block.
type Config struct {
	// Aggregate combines the suppliers' stock of one SKU: sum (default),
	// max or primary.
	Aggregate string `yaml:"aggregate"`
	// SafetyBuffer is held back from the aggregate; unset, it is
	// routing.safety_buffer.
	SafetyBuffer *int64 `yaml:"safety_buffer"`
	// SyncEvery is the period of the full recompute (default 5m). Only the
	// quantities that changed since the last push are sent.
	SyncEvery time.Duration `yaml:"sync_every"`
	// Channels receive inventory; empty means every channel that can.
	Channels []string `yaml:"channels"`
}

// Mode returns the aggregate mode, defaulted.
func (c Config) Mode() string { return cmp.Or(c.Aggregate, AggregateSum) }

// Buffer returns the safety buffer; global is routing.safety_buffer.
func (c Config) Buffer(global int64) int64 {
	if c.SafetyBuffer != nil {
		return *c.SafetyBuffer
	}
	return global
}

// Every returns the full-recompute period, defaulted.
func (c Config) Every() time.Duration { return cmp.Or(c.SyncEvery, DefaultSyncEvery) }

// Problem is a config finding at a key path relative to the block.
type Problem struct {
	Path    string
	Message string
}

// Check validates the block; channels are the configured channel names.
// It does no I/O.
func (c Config) Check(channels []string) []Problem {
	var ps []Problem
	switch c.Mode() {
	case AggregateSum, AggregateMax, AggregatePrimary:
	default:
		ps = append(ps, Problem{"aggregate", fmt.Sprintf("unknown mode %q (known: %s, %s, %s)", c.Aggregate, AggregateSum, AggregateMax, AggregatePrimary)})
	}
	if c.SafetyBuffer != nil && *c.SafetyBuffer < 0 {
		ps = append(ps, Problem{"safety_buffer", "must not be negative"})
	}
	if c.SyncEvery < 0 {
		ps = append(ps, Problem{"sync_every", "must not be negative"})
	}
	return append(ps, CheckChannels(c.Channels, channels)...)
}

// CheckChannels reports entries of list that are not configured channels,
// or appear twice.
func CheckChannels(list, channels []string) []Problem {
	var ps []Problem
	for i, name := range list {
		path := fmt.Sprintf("channels[%d]", i)
		switch {
		case !slices.Contains(channels, name):
			ps = append(ps, Problem{path, fmt.Sprintf("unknown channel %q (configured: %s)", name, strings.Join(channels, ", "))})
		case slices.Index(list, name) < i:
			ps = append(ps, Problem{path, fmt.Sprintf("channel %q is listed twice", name)})
		}
	}
	return ps
}

// Supply is one supplier's offer of a SKU, as far as availability goes.
type Supply struct {
	Supplier string
	Stock    int64
	// Priority is the supplier's priority (lower is preferred), already
	// defaulted by the caller.
	Priority int
	// Stale marks stock from a feed older than its freshness.
	Stale bool
}

// usable is the stock the supply contributes: zero when stale or negative.
func (s Supply) usable() int64 {
	if s.Stale || s.Stock < 0 {
		return 0
	}
	return s.Stock
}

// Primary returns the supply that mode primary counts: among those with
// usable stock, the lowest priority number, ties broken by supplier name
// so every replica picks the same one. ok is false when none has stock.
func Primary(supplies []Supply) (Supply, bool) {
	var best Supply
	ok := false
	for _, s := range supplies {
		if s.usable() == 0 {
			continue
		}
		if !ok || s.Priority < best.Priority || (s.Priority == best.Priority && s.Supplier < best.Supplier) {
			best, ok = s, true
		}
	}
	return best, ok
}

// Aggregate combines the usable stock of supplies by mode (an unknown mode
// counts as sum; Config.Check refuses it). A sum that overflows saturates.
func Aggregate(mode string, supplies []Supply) int64 {
	switch mode {
	case AggregatePrimary:
		p, _ := Primary(supplies)
		return p.usable()
	case AggregateMax:
		var m int64
		for _, s := range supplies {
			m = max(m, s.usable())
		}
		return m
	}
	var sum int64
	for _, s := range supplies {
		if n := s.usable(); sum > math.MaxInt64-n {
			sum = math.MaxInt64
		} else {
			sum += n
		}
	}
	return sum
}

// Available is what a channel may sell: the aggregate, less the safety
// buffer and the committed units, never below zero. A negative buffer or
// committed count is treated as zero.
func Available(mode string, supplies []Supply, buffer, committed int64) int64 {
	n := Aggregate(mode, supplies)
	for _, minus := range []int64{buffer, committed} {
		if minus <= 0 {
			continue
		}
		if n <= minus {
			return 0
		}
		n -= minus
	}
	return n
}

// OpenStatuses are the order statuses whose unshipped units are committed:
// received, on hold, routed, processing and partially shipped. Shipped,
// delivered and cancelled orders commit nothing.
var OpenStatuses = []model.OrderStatus{
	model.OrderReceived, model.OrderOnHold, model.OrderRouted, model.OrderProcessing, model.OrderPartiallyShipped,
}

// Committed returns the units of a line still promised to the customer:
// ordered − cancelled − shipped, never below zero. Lines with nothing to
// ship (gift cards) commit nothing. l.Qty must be recomputed (orders are
// stored that way).
func Committed(l model.OrderLine) int64 {
	if l.NoShipping {
		return 0
	}
	return max(0, l.Quantity-l.Cancelled-l.Qty.Shipped)
}
