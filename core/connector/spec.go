package connector

import (
	"fmt"

	"github.com/dropgate/dropgate/core/store"
)

// Spec declares a connector type whose config is C. It is registered once,
// from the connector package's init, with Register; the registry keeps it
// type-erased so the config loader can decode any connector's YAML, and
// casts back to *C in one place (Registration.Build), so no connector ever
// casts an `any`.
type Spec[C any] struct {
	Type    string // the `type:` value in YAML
	Kind    Kind
	Summary string // one line for `validate`, `dropgate connectors` and the docs
	// Defaults returns a fresh config with its defaults filled in (nil: the
	// zero C). The loader decodes the connector's YAML keys into it
	// strictly (yaml tags; `required:"true"` marks required keys); a C
	// implementing Checker is then checked.
	Defaults func() *C
	// New builds an instance. It must not do I/O: validation and start-up
	// never touch the network. I/O that must happen once at start (open a
	// connection, clean an outbox) belongs in Start (see Starter).
	New func(env Env, cfg *C) (Connector, error)
	// Namespace prefixes the instance's state, counters and claims:
	// "<namespace>:<instance name>:". Default: Type. (EDI connectors keep
	// "x12", the name their control-number counters always had.)
	Namespace string
	// Defaults for the common keys a merchant may override per instance.
	RateLimit store.Limit
	Retry     RetryPolicy
}

// Register adds a connector type to the process-wide registry (from the
// connector package's init, like database/sql drivers). It panics on a
// duplicate or incomplete spec.
func Register[C any](s Spec[C]) { RegisterIn(defaultRegistry, s) }

// RegisterIn adds a connector type to r (tests use their own registry).
func RegisterIn[C any](r *Registry, s Spec[C]) {
	reg := Registration{Type: s.Type, Kind: s.Kind, Summary: s.Summary, Namespace: s.Namespace, RateLimit: s.RateLimit, Retry: s.Retry}
	if reg.Namespace == "" {
		reg.Namespace = s.Type
	}
	if s.New != nil {
		reg.newConfig = func() any {
			if s.Defaults != nil {
				if c := s.Defaults(); c != nil {
					return c
				}
			}
			return new(C)
		}
		reg.build = func(env Env, cfg any) (Connector, error) {
			c, ok := cfg.(*C)
			if !ok {
				return nil, fmt.Errorf("connector %s: config is %T, want %T", s.Type, cfg, (*C)(nil))
			}
			return s.New(env, c)
		}
	}
	r.add(reg)
}

// Registration is a registered connector type with its config type erased.
type Registration struct {
	Type      string
	Kind      Kind
	Summary   string
	Namespace string
	RateLimit store.Limit
	Retry     RetryPolicy

	newConfig func() any
	build     func(Env, any) (Connector, error)
}

// NewConfig returns a pointer to a fresh config with its defaults, for
// the loader to decode YAML into.
func (r Registration) NewConfig() any { return r.newConfig() }

// Build makes an instance from a config NewConfig returned.
func (r Registration) Build(env Env, cfg any) (Connector, error) { return r.build(env, cfg) }
