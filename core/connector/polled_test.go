package connector

import (
	"testing"
	"time"
)

func TestPolled(t *testing.T) {
	t0 := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	at := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	var p Polled
	if got := p.Next("c0", at); got != "c0" {
		t.Errorf("no events: next %q, want the cursor unchanged", got)
	}
	p.Add(ChannelEvent{ChannelOrderID: "1", At: t0})
	p.Add(ChannelEvent{ChannelOrderID: "2", At: t0.Add(time.Minute)})
	p.Add(ChannelEvent{ChannelOrderID: "1", At: t0})                  // listed again
	p.Add(ChannelEvent{ChannelOrderID: "1", At: t0.Add(time.Second)}) // a new change of it
	if len(p.Events) != 3 {
		t.Errorf("%d events, want 3 (a repeat dropped, a change kept)", len(p.Events))
	}
	if got := p.Next("", at); got != at(t0.Add(time.Minute)) {
		t.Errorf("next %q, want the latest change", got)
	}
	later := at(t0.Add(time.Hour))
	if got := p.Next(later, at); got != later {
		t.Errorf("next %q, want a later cursor kept (never moved back)", got)
	}
}
