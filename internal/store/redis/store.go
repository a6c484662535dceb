// Package redis is dropgate's store for many replicas: the queue, records,
// counters, blobs, claims and the global rate limiter on Redis or Redis
// Cluster (DESIGN §2.4), behind the same core/store interfaces and the
// same conformance suite as the embedded driver.
//
// Layout: keys.go. Every multi-key step is one Lua script (scripts.go)
// whose keys share a hash tag and arrive in KEYS, so it runs atomically on
// one Cluster node.
//
// Blocking dequeue: Redis cannot block on several slots at once (BLMPOP
// needs one), and a blocked connection per worker per queue does not
// scale, so nothing blocks in Redis. Each process that dequeues holds one
// Pub/Sub subscription; every script that makes a job ready PUBLISHes the queue's
// name in the same atomic step; the process wakes one of its idle Dequeue
// calls for that queue (wake.go), which reads the heads of its queues in
// priority order (one pipeline, split by node in Cluster) and leases the
// head of the first non-empty one with a script that re-checks it. A
// background reaper per process (reaper.go) promotes delayed jobs and
// reclaims expired leases at their due times.
//
// Durability is Redis's: see README "Scaling out on Redis". With AOF and
// appendfsync always, a job is on disk before Enqueue returns; with
// everysec, a power loss can lose the last two seconds; without AOF, a restart
// of Redis loses everything.
package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/store"
)

// Store is the Redis driver. It is safe for concurrent use.
type Store struct {
	opts    Options
	rdb     goredis.UniversalClient
	cluster *goredis.ClusterClient // nil for a single server
	keys    keyspace
	clock   clock.Clock
	log     *slog.Logger

	nonce    string // distinguishes this process's lease tokens
	leaseSeq atomic.Uint64

	// registered remembers queues this process has added to the registry,
	// so Enqueue pays the SADD once per queue and process, with their keys
	// (*queueKeys).
	registered sync.Map
	// wakeChannel is keys.channel(), which every Enqueue passes.
	wakeChannel string
	// rot spreads Dequeue calls over a partitioned queue's partitions.
	rot atomic.Uint64

	// group shares pipelines among concurrent Enqueue calls (group.go).
	group grouper
	// shared shares pipelines among the other concurrent calls (share.go).
	shared sharer
	// rtt counts the requests sent to Redis (roundtrips.go).
	rtt tripCounter
	// leaseMisses counts lease scripts that leased nothing.
	leaseMisses atomic.Uint64

	note *notifier
	// recHeads remembers records' heads as last read or written (recheads.go).
	recHeads recordHeads
	// heads remembers each queue's ready heads as Redis last told them.
	heads headCache
	// chase lets one lease at a time per queue follow a "miss" (heads.go).
	chase chasers
	// ps is the process's subscription, made by its first Dequeue (subMu
	// guards it against Close): a process that only enqueues, a gateway,
	// would read every job's announcement for nothing.
	subMu      sync.Mutex
	ps         *goredis.PubSub
	subscribed atomic.Bool
	// reapAt is when the reaper next wakes (Unix ns), so a new lease
	// expiring earlier can poke it.
	reapAt atomic.Int64

	closed atomic.Bool
	stop   chan struct{}
	bg     context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var _ store.Store = (*Store)(nil)

// Open connects to the Redis (or Cluster) opts describes and starts the
// process's notification listener and reaper. A Redis that does not answer
// yet is not an error (it is logged, /readyz reports it and calls fail with
// store.ErrUnavailable until it is back); a refusal that no waiting will
// cure, such as a wrong password, is.
func Open(ctx context.Context, opts Options) (*Store, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	rdb, err := o.client()
	if err != nil {
		return nil, err
	}
	var nonce [6]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		_ = rdb.Close()
		return nil, fmt.Errorf("redis: open: %w", err)
	}
	bg, cancel := context.WithCancel(context.Background())
	s := &Store{
		opts:        o,
		rdb:         rdb,
		keys:        keyspace{prefix: o.Prefix},
		wakeChannel: keyspace{prefix: o.Prefix}.channel(),
		clock:       o.Clock,
		log:         o.Logger,
		nonce:       hex.EncodeToString(nonce[:]),
		note:        newNotifier(),
		stop:        make(chan struct{}),
		bg:          bg,
		cancel:      cancel,
	}
	s.cluster, _ = rdb.(*goredis.ClusterClient)
	s.countRoundTrips(rdb)
	s.group = grouper{s: s, pipeLine: pipeLine[*pendingEnqueue]{max: o.EnqueuePipelines}}
	s.shared = sharer{s: s, pipeLine: pipeLine[*pendingStep]{max: o.EnqueuePipelines}}

	pctx, pcancel := context.WithTimeout(ctx, dialTimeout+ioTimeout)
	err = s.Ping(pctx)
	pcancel()
	switch {
	case err == nil:
	case ctx.Err() != nil:
		cancel()
		_ = rdb.Close()
		return nil, fmt.Errorf("redis: open: %w", ctx.Err())
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		s.log.Warn("redis store: not reachable yet; calls fail until it is", "err", err)
	default:
		cancel()
		_ = rdb.Close()
		return nil, err
	}

	s.wg.Add(2)
	go s.reaper()
	go s.checkPersistence()
	return s, nil
}

// Prefix returns the key prefix the store uses.
func (s *Store) Prefix() string { return s.opts.Prefix }

// Ping reports whether Redis answers: the server, or every Cluster master
// (a master that is down makes part of the keyspace unavailable).
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	var err error
	if s.cluster != nil {
		err = s.cluster.ForEachMaster(ctx, func(ctx context.Context, c *goredis.Client) error {
			return c.Ping(ctx).Err()
		})
	} else {
		err = s.rdb.Ping(ctx).Err()
	}
	return s.fail(ctx, "ping", err)
}

// Close stops the listener and the reaper, wakes blocked Dequeue calls
// (they return ErrClosed) and closes the connections. Jobs in flight keep
// their leases; whichever process looks after they expire reclaims them.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	close(s.stop)
	s.cancel()
	s.subMu.Lock()
	if s.ps != nil {
		_ = s.ps.Close() // unblocks the listener's read
	}
	s.subMu.Unlock()
	s.wg.Wait()
	if err := s.rdb.Close(); err != nil {
		return fmt.Errorf("redis: close: %w", err)
	}
	return nil
}

// usable returns ErrClosed after Close and ctx's error when it has ended.
func (s *Store) usable(ctx context.Context) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	return ctx.Err()
}

// eval runs a script and returns its reply. Once sent, a script is waited
// for whatever ctx does (go-redis's timeouts still bound it): a write
// abandoned mid-flight may or may not have happened, and the caller must
// learn which (an Enqueue the webhook was not told about, a lease nobody
// holds).
func (s *Store) eval(ctx context.Context, sc *script, keys []string, args ...any) (any, error) {
	if err := s.usable(ctx); err != nil {
		return nil, err
	}
	var cmd *goredis.Cmd
	if err := s.shared.share(ctx, func(p goredis.Pipeliner) { cmd = sc.EvalSha(ctx, p, keys, args...) }); err != nil {
		return nil, err
	}
	v, err := cmd.Result()
	if isNoScript(err) {
		// The server has not seen the script yet (a restart, a new node):
		// EVAL sends it whole, and loads it for the next EVALSHA.
		v, err = sc.Eval(context.WithoutCancel(ctx), s.rdb, keys, args...).Result()
	}
	if err != nil {
		return nil, s.fail(ctx, sc.name, err)
	}
	return v, nil
}

// evalList runs a script that answers with a list whose first element is
// a status word.
func (s *Store) evalList(ctx context.Context, sc *script, keys []string, args ...any) (string, []any, error) {
	v, err := s.eval(ctx, sc, keys, args...)
	if err != nil {
		return "", nil, err
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return "", nil, fmt.Errorf("redis: %s: unexpected reply %T", sc.name, v)
	}
	status, _ := list[0].(string)
	return status, list[1:], nil
}

// fail wraps a go-redis error for callers: the caller's own cancellation
// stays what it is, a closed client is ErrClosed, and anything that means
// "Redis cannot serve right now" wraps store.ErrUnavailable so the gateway
// answers 503 and workers back off.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return fmt.Errorf("redis: %s: %w", op, cerr)
	}
	if errors.Is(err, goredis.ErrClosed) || s.closed.Load() {
		return fmt.Errorf("redis: %s: %w", op, store.ErrClosed)
	}
	if unavailable(err) {
		return fmt.Errorf("redis: %s: %w (%w)", op, store.ErrUnavailable, err)
	}
	return fmt.Errorf("redis: %s: %w", op, err)
}

// unavailable reports whether err means Redis cannot serve now (as
// opposed to a bug or a bad request): network trouble, timeouts, a pool
// exhausted, or a server that is loading, failing over or out of memory.
func unavailable(err error) bool {
	var ne net.Error
	switch {
	case errors.As(err, &ne), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, goredis.ErrPoolTimeout):
		return true
	}
	msg := err.Error()
	for _, p := range []string{"LOADING", "CLUSTERDOWN", "MASTERDOWN", "READONLY", "TRYAGAIN", "NOREPLICAS", "BUSY", "OOM"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return strings.Contains(msg, "connection refused") || strings.Contains(msg, "no such host") ||
		strings.Contains(msg, "i/o timeout")
}

// checkPersistence warns once about a Redis that answers but cannot keep
// the delivery promise (README, "Scaling out on Redis"): without an
// append-only file a Redis restart loses acknowledged jobs, and with an
// eviction policy Redis may drop job keys under memory pressure instead
// of refusing writes.
func (s *Store) checkPersistence() {
	defer s.wg.Done()
	for delay := time.Second; ; delay = min(2*delay, time.Minute) {
		ctx, cancel := context.WithTimeout(s.bg, ioTimeout)
		risks, err := s.durabilityRisks(ctx)
		cancel()
		if err == nil {
			for _, r := range risks {
				s.log.Warn("redis store: "+r.problem, "server", r.server)
			}
			return
		}
		select {
		case <-s.stop:
			return
		case <-time.After(delay):
		}
	}
}

type risk struct{ server, problem string }

// durabilityRisks reads INFO from the server (or every Cluster master).
// Managed services that hide INFO are given the benefit of the doubt.
func (s *Store) durabilityRisks(ctx context.Context) ([]risk, error) {
	var mu sync.Mutex
	var risks []risk
	check := func(ctx context.Context, c *goredis.Client) error {
		var info strings.Builder
		for _, section := range []string{"persistence", "memory"} {
			v, err := c.Info(ctx, section).Result()
			if err != nil {
				if unavailable(err) {
					return err
				}
				return nil
			}
			info.WriteString(v)
		}
		text := info.String()
		mu.Lock()
		defer mu.Unlock()
		addr := c.Options().Addr
		if strings.Contains(text, "aof_enabled:0") {
			risks = append(risks, risk{addr, "appendonly is off; acknowledged jobs are lost if Redis restarts (set appendonly yes)"})
		}
		if i := strings.Index(text, "maxmemory_policy:"); i >= 0 {
			policy, _, _ := strings.Cut(text[i+len("maxmemory_policy:"):], "\n")
			if policy = strings.TrimSpace(policy); policy != "noeviction" {
				risks = append(risks, risk{addr, "maxmemory-policy is " + policy + "; Redis may evict jobs under memory pressure (set noeviction)"})
			}
		}
		return nil
	}
	if s.cluster != nil {
		return risks, s.cluster.ForEachMaster(ctx, check)
	}
	c, ok := s.rdb.(*goredis.Client)
	if !ok {
		return nil, nil
	}
	return risks, check(ctx, c)
}

// token returns a lease token no other lease has had.
func (s *Store) token() string {
	return s.nonce + "." + strconv.FormatUint(s.leaseSeq.Add(1), 36)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
