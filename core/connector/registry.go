// Package connector is how dropgate talks to the outside world without the
// core knowing any platform: a connector is a set of small capabilities
// (receive webhooks, send a purchase order, push a fulfillment, …), it
// registers itself under a `type` name with its config spec and defaults,
// and the core asks an instance for the capabilities it needs with a type
// assertion (DESIGN §2.3).
//
// Registration happens in the connector package's init, like
// database/sql drivers; connectors/all imports every connector.
package connector

import (
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/store"
)

// Kind is which list of the config a connector belongs in.
type Kind string

// Connector kinds, matching the config's top-level lists.
const (
	KindChannel  Kind = "channel"
	KindSupplier Kind = "supplier"
	KindCarrier  Kind = "carrier"
	KindPayment  Kind = "payment"
	KindNotifier Kind = "notification"
)

// Spec declares a connector type.
type Spec struct {
	Type    string // the `type:` value in YAML
	Kind    Kind
	Summary string // one line for `validate` and the docs
	// NewConfig returns a pointer to a fresh config struct with its
	// defaults filled in. The loader decodes the connector's YAML keys into
	// it strictly (yaml tags; `required:"true"` marks required keys).
	NewConfig func() any
	// New builds an instance from a decoded config. It must not do I/O:
	// validation and start-up never touch the network.
	New func(env Env, cfg any) (Connector, error)
	// Defaults for the common keys a merchant may override.
	RateLimit store.Limit
	Retry     RetryPolicy
}

// RetryPolicy is how often and how far apart failed calls are retried
// (exponential backoff with full jitter, capped).
type RetryPolicy struct {
	MaxAttempts int           `yaml:"max_attempts" json:"max_attempts"`
	BaseDelay   time.Duration `yaml:"base_delay" json:"base_delay"`
	MaxDelay    time.Duration `yaml:"max_delay" json:"max_delay"`
}

// DefaultRetry is used when a connector declares none: 10 attempts over
// about four hours.
var DefaultRetry = RetryPolicy{MaxAttempts: 10, BaseDelay: 2 * time.Second, MaxDelay: time.Hour}

// Env is what an instance gets from the runtime: injected, never global.
type Env struct {
	Name      string // the instance name from the config
	Logger    *slog.Logger
	Clock     clock.Clock
	Store     store.Store // counters, blobs, claims, limiter
	RateLimit store.Limit // effective limit (spec default or YAML override)
	Retry     RetryPolicy
	ConfigDir string // relative paths in the config resolve against it
	// Calls is told how each outgoing call went (nil: not observed). A
	// connector hands it to the one HTTP client it builds.
	Calls CallObserver
}

// CallObserver is told about every outgoing call a connector makes, for
// the per-connector latency and error metrics (DESIGN §1.3 /metrics).
type CallObserver interface {
	// ObserveCall records one call of connector: outcome is one of the
	// Call* outcomes, took the time from request to response headers.
	ObserveCall(connector, outcome string, took time.Duration)
}

// Outcomes of an outgoing call.
const (
	CallOK           = "ok"            // any status below 400
	CallClientError  = "client_error"  // 4xx other than 429
	CallThrottled    = "throttled"     // 429
	CallServerError  = "server_error"  // 5xx
	CallNetworkError = "network_error" // no response: dial, TLS, reset, timeout
)

// CallOutcome classifies a response status (0: no response).
func CallOutcome(status int) string {
	switch {
	case status == 0:
		return CallNetworkError
	case status == 429:
		return CallThrottled
	case status >= 500:
		return CallServerError
	case status >= 400:
		return CallClientError
	}
	return CallOK
}

// Connector is the common face of every instance.
type Connector interface {
	Name() string
	Type() string
}

// Registry maps type names to specs. It refuses duplicates.
type Registry struct {
	mu    sync.RWMutex
	specs map[string]Spec
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{specs: map[string]Spec{}} }

// Register adds a spec; it panics on a duplicate or incomplete spec, since
// that is a programming error caught at start-up.
func (r *Registry) Register(s Spec) {
	if s.Type == "" || s.Kind == "" || s.NewConfig == nil || s.New == nil {
		panic(fmt.Sprintf("connector: incomplete spec %q", s.Type))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.specs[s.Type]; dup {
		panic(fmt.Sprintf("connector: type %q registered twice", s.Type))
	}
	r.specs[s.Type] = s
}

// Lookup returns the spec of a type.
func (r *Registry) Lookup(typ string) (Spec, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.specs[typ]
	return s, ok
}

// Types lists the registered types of a kind, sorted.
func (r *Registry) Types(kind Kind) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for t, s := range r.specs {
		if s.Kind == kind {
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

var defaultRegistry = NewRegistry()

// Register adds a spec to the default registry (called from init).
func Register(s Spec) { defaultRegistry.Register(s) }

// Default returns the process-wide registry connectors register into.
func Default() *Registry { return defaultRegistry }
