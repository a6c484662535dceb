package redis

import (
	"context"
	"sync"

	goredis "github.com/redis/go-redis/v9"
)

// Concurrent calls share round trips, as concurrent Enqueue calls do
// (group.go): the worker's record reads, its job settlements (held
// writes, follow-up jobs, ack and next lease), its leases and its other
// scripts. A worker's 64 handlers each paid a socket write and read per
// command; a profile gave a third of the worker's CPU to those syscalls.
//
// A caller hands over the commands of one step (queue); they go, in its
// order and next to each other, in the next pipeline, and the caller
// reads each command's own answer or error when share returns. Nothing
// else changes: each script is its own atomic step as before, a failed
// round trip fails exactly the commands that were in it, and a caller's
// next step is sent only once its previous one has been answered.
//
// The rule is grouper's, pipeLine (pipeline.go): no writer goroutine, no
// timer, and a lone caller sends at once.
type sharer struct {
	s *Store
	pipeLine[*pendingStep]
}

// pendingStep is one caller's step in a shared pipeline. They are pooled,
// with their channel.
type pendingStep struct {
	ctx   context.Context
	queue func(p goredis.Pipeliner)
	err   error // the caller's context ended (or the store closed) unsent
	slot  turn[*pendingStep]
	alone [1]*pendingStep
}

var stepPool = sync.Pool{New: func() any {
	return &pendingStep{slot: turn[*pendingStep]{done: make(chan struct{}, 1)}}
}}

func (p *pendingStep) turn() *turn[*pendingStep] { return &p.slot }

// share sends the commands queue adds in the next pipeline and returns
// once they are answered: their answers and errors are in the commands.
// It returns an error only when they were not sent: the store closed or
// ctx ended first. Once sent, a step is waited for whatever ctx does, as
// eval waits for a lone script (go-redis's timeouts still bound it).
func (g *sharer) share(ctx context.Context, queue func(p goredis.Pipeliner)) error {
	p := stepPool.Get().(*pendingStep)
	p.ctx, p.queue = ctx, queue
	if batch := g.wait(p, &p.alone); batch != nil {
		g.send(batch)
		g.handOff(batch, p)
	}
	err := p.err
	*p = pendingStep{slot: turn[*pendingStep]{done: p.slot.done}}
	stepPool.Put(p)
	return err
}

// send runs the steps of batch still wanted as one pipeline (go-redis
// splits it per node on Cluster).
func (g *sharer) send(batch []*pendingStep) {
	n := 0
	for _, p := range batch {
		if p.err = g.s.usable(p.ctx); p.err == nil {
			n++
		}
	}
	if n == 0 {
		return
	}
	// Each command's error is its own (a refusal, or the round trip's
	// failure for every command in it): the pipeline's first is no one's.
	_, _ = g.s.rdb.Pipelined(context.WithoutCancel(batch[0].ctx), func(pl goredis.Pipeliner) error {
		for _, p := range batch {
			if p.err == nil {
				p.queue(pl)
			}
		}
		return nil
	})
}
