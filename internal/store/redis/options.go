package redis

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/clock"
)

// Options configures Open. Exactly one of URL and Addrs is required.
type Options struct {
	// URL of a standalone Redis (or a proxy in front of one):
	// redis://[user:password@]host:port[/db], or rediss:// for TLS.
	URL string
	// Addrs of Redis Cluster nodes (any subset; the rest is discovered).
	// A non-empty list means Cluster, through redis.NewClusterClient.
	Addrs []string
	// Password overrides the URL's; for Cluster it is the only one.
	Password string
	// TLS for Cluster connections (a URL says rediss:// instead).
	TLS *tls.Config
	// Prefix of every key and channel (default "dg"). Several deployments
	// can share one Redis with different prefixes. No braces: the hash
	// tags come after it.
	Prefix string
	// Clock stamps jobs, leases, records and claims (default: the wall
	// clock). Replicas must agree on time to the millisecond or so (NTP):
	// a lease or a RunAt is compared with the clock of whoever looks. The
	// rate limiter is the exception: it uses the Redis server's TIME.
	Clock clock.Clock
	// Logger (default: discard).
	Logger *slog.Logger
	// MaxAttempts is what a job with MaxAttempts 0 gets (default 25).
	MaxAttempts int
	// DefaultLease is what Dequeue grants for a lease ≤ 0 (default 1m).
	DefaultLease time.Duration
	// LimitHeadroom is the share of every bucket's burst the limiter holds
	// back (default 0.1, rounded down to whole tokens; negative: none).
	// It absorbs what the limiter cannot see: requests in flight whose
	// arrival at the platform is jittered (see limiter.go).
	LimitHeadroom float64
	// ReapInterval bounds how long a lease that expired, or a delayed job
	// that came due, can go unnoticed when no notification announced it
	// (default 2s). Announced ones are handled at their due time.
	ReapInterval time.Duration
	// IdleRecheck is how often an idle Dequeue looks again even without a
	// notification, in case Pub/Sub lost one during a reconnect (default
	// 5s). Wake-ups normally come from Pub/Sub within milliseconds.
	IdleRecheck time.Duration
	// Partitions splits a queue into that many physical queues, each in
	// its own Cluster slot (see partition.go): queue name → N, "*" for
	// every queue not listed. Unset or 1: one physical queue.
	Partitions map[string]int
	// PoolSize is the connections per server (per Cluster node) the
	// client may hold (default: go-redis's, 10 per GOMAXPROCS). Concurrent
	// calls share pipelines and need few; the reaper, the wake-up
	// subscription and the calls that do not share (dead letters, record
	// listings, blobs and claims) hold their own.
	PoolSize int
	// EnqueuePipelines is how many pipelines of Enqueue calls may be in
	// flight at once (default 2): a call that finds one free sends at
	// once; the others wait for the next pipeline with whoever else
	// arrives meanwhile (group.go). The other calls that share pipelines
	// (record reads and writes, leases, acks and every script: share.go)
	// have as many of their own.
	EnqueuePipelines int
}

const (
	defaultPrefix       = "dg"
	defaultMaxAttempts  = 25
	defaultLease        = time.Minute
	defaultHeadroom     = 0.1
	defaultReapInterval = 2 * time.Second
	defaultIdleRecheck  = 5 * time.Second
	defaultPipelines    = 2
)

// withDefaults validates o and fills in what is unset.
func (o Options) withDefaults() (Options, error) {
	if o.URL == "" && len(o.Addrs) == 0 {
		return o, errors.New("redis: options need url (redis://…) or addrs (cluster)")
	}
	if o.URL != "" && len(o.Addrs) > 0 {
		return o, errors.New("redis: options have both url and addrs; use url for one server, addrs for a cluster")
	}
	if o.Prefix == "" {
		o.Prefix = defaultPrefix
	}
	if strings.ContainsAny(o.Prefix, "{}") {
		return o, fmt.Errorf("redis: prefix %q: braces would change the keys' hash tags", o.Prefix)
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = defaultMaxAttempts
	}
	if o.DefaultLease <= 0 {
		o.DefaultLease = defaultLease
	}
	switch {
	case o.LimitHeadroom == 0:
		o.LimitHeadroom = defaultHeadroom
	case o.LimitHeadroom < 0:
		o.LimitHeadroom = 0
	case o.LimitHeadroom >= 1:
		return o, fmt.Errorf("redis: limit headroom %g: must be below 1", o.LimitHeadroom)
	}
	if o.ReapInterval <= 0 {
		o.ReapInterval = defaultReapInterval
	}
	if o.IdleRecheck <= 0 {
		o.IdleRecheck = defaultIdleRecheck
	}
	if o.PoolSize < 0 {
		return o, fmt.Errorf("redis: pool size %d: must not be negative", o.PoolSize)
	}
	if o.EnqueuePipelines <= 0 {
		o.EnqueuePipelines = defaultPipelines
	}
	if err := checkPartitions(o.Partitions); err != nil {
		return o, err
	}
	return o, nil
}

// Connection settings. A store that cannot reach Redis must say so fast:
// the gateway answers 503 and workers back off instead of hanging, so
// dials and commands get short timeouts and few retries: a refused
// connection fails a call in milliseconds, an unroutable address in at
// most (1+maxRetries) × dialTimeout, and after PoolSize failed dials
// go-redis fails calls at once while it probes in the background.
// Retries are safe for our scripts: each checks before it writes (an
// Enqueue retried after a lost reply finds its own job; see Enqueue).
const (
	dialTimeout  = time.Second
	ioTimeout    = 3 * time.Second
	poolTimeout  = 4 * time.Second
	maxRetries   = 2
	dialAttempts = 1 // per command attempt; the command retries redial
)

// client builds the go-redis client o describes.
func (o Options) client() (goredis.UniversalClient, error) {
	if len(o.Addrs) > 0 {
		return goredis.NewClusterClient(&goredis.ClusterOptions{
			Addrs:                 o.Addrs,
			Password:              o.Password,
			TLSConfig:             o.TLS,
			Protocol:              2,
			DisableIdentity:       true,
			DialTimeout:           dialTimeout,
			DialerRetries:         dialAttempts,
			ReadTimeout:           ioTimeout,
			WriteTimeout:          ioTimeout,
			PoolTimeout:           poolTimeout,
			MaxRetries:            maxRetries,
			ContextTimeoutEnabled: true,
			PoolSize:              o.PoolSize,
		}), nil
	}
	opt, err := goredis.ParseURL(o.URL)
	if err != nil {
		// The URL may hold a password: say what is wrong, not what it is.
		return nil, fmt.Errorf("redis: url: %w", scrubURLError(err))
	}
	if o.Password != "" {
		opt.Password = o.Password
	}
	// RESP2: scripts and Pub/Sub behave the same on every Redis since 5.
	opt.Protocol = 2
	opt.DisableIdentity = true
	opt.DialTimeout = dialTimeout
	opt.DialerRetries = dialAttempts
	opt.ReadTimeout = ioTimeout
	opt.WriteTimeout = ioTimeout
	opt.PoolTimeout = poolTimeout
	opt.MaxRetries = maxRetries
	opt.ContextTimeoutEnabled = true
	if o.PoolSize > 0 {
		opt.PoolSize = o.PoolSize
	}
	return goredis.NewClient(opt), nil
}

// scrubURLError drops the URL from go-redis's parse errors, which can quote it.
func scrubURLError(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "://"); i >= 0 {
		return errors.New("invalid redis url (redis://host:port/db or rediss://…)")
	}
	return errors.New(msg)
}
