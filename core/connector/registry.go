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
	"sort"
	"sync"
	"time"
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

// Connector is the common face of every instance.
type Connector interface {
	Name() string
	Type() string
}

// Registry maps type names to registrations. It refuses duplicates.
type Registry struct {
	mu    sync.RWMutex
	specs map[string]Registration
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{specs: map[string]Registration{}} }

// add registers reg; it panics on a duplicate or incomplete spec, since
// that is a programming error caught at start-up.
func (r *Registry) add(reg Registration) {
	if reg.Type == "" || reg.Kind == "" || reg.newConfig == nil || reg.build == nil {
		panic(fmt.Sprintf("connector: incomplete spec %q", reg.Type))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.specs[reg.Type]; dup {
		panic(fmt.Sprintf("connector: type %q registered twice", reg.Type))
	}
	r.specs[reg.Type] = reg
}

// Lookup returns the registration of a type.
func (r *Registry) Lookup(typ string) (Registration, bool) {
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

// Default returns the process-wide registry connectors register into.
func Default() *Registry { return defaultRegistry }
