package connector

import "time"

// Polled gathers the events of one order poll. An order listed twice at
// the same change (a page boundary moving while the list is read) is kept
// once, and the latest change seen makes the next cursor.
type Polled struct {
	Events []ChannelEvent
	latest time.Time
	seen   map[string]bool
}

// Add keeps ev unless the same order at the same instant is already in.
func (p *Polled) Add(ev ChannelEvent) {
	key := ev.ChannelOrderID + "@" + ev.At.String()
	if p.seen[key] {
		return
	}
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	p.seen[key] = true
	if ev.At.After(p.latest) {
		p.latest = ev.At
	}
	p.Events = append(p.Events, ev)
}

// Next is the cursor after the poll: the latest change seen, written by
// at, when it is later than cursor (RFC 3339); else cursor, unchanged.
func (p *Polled) Next(cursor string, at func(time.Time) string) string {
	if p.latest.IsZero() {
		return cursor
	}
	if prev, err := time.Parse(time.RFC3339Nano, cursor); err == nil && !p.latest.After(prev) {
		return cursor
	}
	return at(p.latest)
}
