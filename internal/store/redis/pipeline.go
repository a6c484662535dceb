package redis

import "sync"

// turn is what a caller waiting for a shared pipeline waits on: its done
// channel, and the line it is handed to send when it is first in it.
type turn[P any] struct {
	// lead, when set as done is signalled, hands this caller the batch to
	// send instead of an answer.
	lead []P
	done chan struct{}
}

// inLine is a caller of a pipeLine (pendingEnqueue, pendingStep).
type inLine[P any] interface {
	comparable
	turn() *turn[P]
}

// pipeLine is the rule both grouper and sharer share pipelines by: no
// writer goroutine, no timer. A call that finds fewer than max pipelines
// in flight sends at once, alone, so an idle store adds no latency; calls
// that find them all busy wait in line, and the caller whose pipeline
// finishes first hands the whole line to the first one in it, who sends
// it as the next pipeline. Every caller leads at most one pipeline.
type pipeLine[P inLine[P]] struct {
	max int // pipelines in flight at most

	mu       sync.Mutex
	inflight int
	line     []P // waiting for the next pipeline
	spare    []P // an emptied line, reused as the next
}

// wait returns the batch p is to send: p alone (in alone, so it costs no
// allocation) when a pipeline is free, the line it is handed when it is
// first in it, or nil when another caller sent p and p has its answer.
func (l *pipeLine[P]) wait(p P, alone *[1]P) []P {
	l.mu.Lock()
	if l.inflight < l.max {
		l.inflight++
		l.mu.Unlock()
		alone[0] = p
		return alone[:]
	}
	l.line = append(l.line, p)
	l.mu.Unlock()
	t := p.turn()
	<-t.done
	batch := t.lead
	t.lead = nil
	return batch
}

// handOff answers every caller of the batch just sent but self, then
// passes the line waiting meanwhile to the first caller in it, or, when
// nobody waits, gives up this pipeline's slot. A batch that was a line
// becomes the spare line.
func (l *pipeLine[P]) handOff(batch []P, self P) {
	for _, p := range batch {
		if p != self {
			p.turn().done <- struct{}{}
		}
	}
	l.mu.Lock()
	next := l.line
	if len(next) == 0 {
		l.inflight--
	} else {
		l.line = l.spare
		l.spare = nil
	}
	if len(batch) > 1 && l.spare == nil {
		clear(batch)
		l.spare = batch[:0]
	}
	l.mu.Unlock()
	if len(next) > 0 {
		t := next[0].turn()
		t.lead = next
		t.done <- struct{}{}
	}
}
