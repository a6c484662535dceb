// Package connenv builds a connector instance's environment from the
// store: its state, counters, claims and blobs scoped to
// "<namespace>:<instance>:", so a connector sees only its own (DESIGN
// §2.3), and the store's shared rate limiter.
package connenv

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/store"
)

// Options are the instance-specific parts of an Env.
type Options struct {
	Name      string
	Namespace string // the type's namespace (Registration.Namespace); default "conn"
	Logger    *slog.Logger
	Clock     clock.Clock
	RateLimit store.Limit
	Retry     connector.RetryPolicy
	ConfigDir string
	Calls     connector.CallObserver // the metrics of outgoing calls (nil: none)
}

// New returns the Env of one instance on st.
func New(st store.Store, o Options) connector.Env {
	ns := o.Namespace
	if ns == "" {
		ns = "conn"
	}
	s := scope{st: st, prefix: ns + ":" + o.Name + ":"}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return connector.Env{
		Name: o.Name, Logger: o.Logger, Clock: o.Clock,
		State: s, Counters: s, Claims: s, Blobs: s, Limiter: st,
		RateLimit: o.RateLimit, Retry: o.Retry, ConfigDir: o.ConfigDir, Calls: o.Calls,
	}
}

// scope prefixes every name with its instance's prefix.
type scope struct {
	st     store.Store
	prefix string
}

func (s scope) GetRecord(ctx context.Context, kind, id string) (store.Record, error) {
	rec, err := s.st.GetRecord(ctx, s.prefix+kind, id)
	rec.Kind = kind
	return rec, err
}

func (s scope) PutRecord(ctx context.Context, rec store.Record) (int64, error) {
	rec.Kind = s.prefix + rec.Kind
	return s.st.PutRecord(ctx, rec)
}

func (s scope) DeleteRecord(ctx context.Context, kind, id string) error {
	return s.st.DeleteRecord(ctx, s.prefix+kind, id)
}

func (s scope) ListRecords(ctx context.Context, kind string, q store.Query) ([]store.Record, string, error) {
	recs, next, err := s.st.ListRecords(ctx, s.prefix+kind, q)
	for i := range recs {
		recs[i].Kind = strings.TrimPrefix(recs[i].Kind, s.prefix)
	}
	return recs, next, err
}

func (s scope) NextCounter(ctx context.Context, name, once string) (int64, error) {
	return s.st.NextCounter(ctx, s.prefix+name, once)
}

func (s scope) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	return s.st.Claim(ctx, s.prefix+key, ttl)
}

func (s scope) Release(ctx context.Context, key string) error {
	return s.st.Release(ctx, s.prefix+key)
}

func (s scope) PutBlob(ctx context.Context, key string, data []byte) error {
	return s.st.PutBlob(ctx, "conn/"+s.prefix+key, data)
}

func (s scope) GetBlob(ctx context.Context, key string) ([]byte, error) {
	return s.st.GetBlob(ctx, "conn/"+s.prefix+key)
}
