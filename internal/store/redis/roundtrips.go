package redis

import (
	"context"
	"sync/atomic"

	goredis "github.com/redis/go-redis/v9"
)

// tripCounter counts the requests this process sends Redis: a command
// sent alone is one, a pipeline is one however many commands it holds
// (on Cluster, one per node it reaches). A new connection's handshake is
// not counted: it is the pool's, not a call's. Each costs the client a
// socket write and read, which is what sharing pipelines (share.go) saves.
type tripCounter struct{ n atomic.Uint64 }

func (h *tripCounter) DialHook(next goredis.DialHook) goredis.DialHook { return next }

func (h *tripCounter) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		if !handshake[cmd.Name()] {
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (h *tripCounter) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

// countRoundTrips installs the counter on rdb; on Cluster, on each node's
// client, where a pipeline split over nodes becomes one request per node.
func (s *Store) countRoundTrips(rdb goredis.UniversalClient) {
	if c, ok := rdb.(*goredis.ClusterClient); ok {
		c.OnNewNode(func(n *goredis.Client) { n.AddHook(&s.rtt) })
		return
	}
	rdb.AddHook(&s.rtt)
}

// RoundTrips returns how many requests this store has sent Redis (see
// tripCounter), for the metric dropgate_store_round_trips_total.
func (s *Store) RoundTrips() uint64 { return s.rtt.n.Load() }

// handshake names the commands go-redis sends on a connection it opens.
var handshake = map[string]bool{"hello": true, "auth": true, "client": true, "select": true}

// LeaseMisses returns how many lease scripts this store ran that leased
// nothing: the queue was empty, or the head it offered was taken by
// another worker first. Each is a round trip and a script for nothing,
// for the metric dropgate_store_lease_misses_total.
func (s *Store) LeaseMisses() uint64 { return s.leaseMisses.Load() }
