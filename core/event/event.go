// Package event is the table that subscribes the services to the domain
// events the lifecycle emits (model.Event). Publishing runs every
// subscriber of each event in order; a subscriber's error fails the job
// that published, which retries, so subscribers must be idempotent (they
// enqueue jobs with unique keys, raise exceptions with derived ids).
package event

import (
	"context"
	"fmt"
	"sort"

	"github.com/dropgate/dropgate/core/model"
)

// Subscriber reacts to one event of an order (a is the order as saved).
type Subscriber func(ctx context.Context, a *model.Aggregate, ev model.Event) error

type subscription struct {
	name string
	fn   Subscriber
}

// Table maps event types to their subscribers.
type Table struct {
	subs map[model.EventType][]subscription
}

// NewTable returns an empty table.
func NewTable() *Table { return &Table{subs: map[model.EventType][]subscription{}} }

// On subscribes fn, named for logs and docs, to events of type typ.
// Subscribing the same name twice to one type panics (a wiring mistake).
func (t *Table) On(typ model.EventType, name string, fn Subscriber) {
	for _, s := range t.subs[typ] {
		if s.name == name {
			panic(fmt.Sprintf("event: %s subscribed twice to %s", name, typ))
		}
	}
	t.subs[typ] = append(t.subs[typ], subscription{name, fn})
}

// Publish delivers evs in order to their subscribers.
func (t *Table) Publish(ctx context.Context, a *model.Aggregate, evs []model.Event) error {
	for _, ev := range evs {
		for _, s := range t.subs[ev.Type] {
			if err := s.fn(ctx, a, ev); err != nil {
				return fmt.Errorf("%s on %s: %w", s.name, ev.Type, err)
			}
		}
	}
	return nil
}

// Subscriptions lists "event → subscriber" pairs, sorted (docs, tests).
func (t *Table) Subscriptions() []string {
	var out []string
	for typ, subs := range t.subs {
		for _, s := range subs {
			out = append(out, string(typ)+" → "+s.name)
		}
	}
	sort.Strings(out)
	return out
}
