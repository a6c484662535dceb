package kit

import (
	"maps"
	"net/http"
	"strings"
	"time"
)

// Outcome is what became of a request; Injected combines with Handled
// for a fault after handling, Dropped with either.
type Outcome int

// Outcomes.
const (
	Refused      Outcome = 1 << iota // by Before, or a body too large
	Unauthorized                     // by Auth
	Throttled                        // by the limiter: a quota violation
	Injected                         // answered by a fault
	Handled                          // reached a route
	Dropped                          // the connection was closed without an answer
)

func (o Outcome) String() string {
	var parts []string
	for _, x := range []struct {
		o    Outcome
		name string
	}{{Refused, "refused"}, {Unauthorized, "unauthorized"}, {Throttled, "throttled"},
		{Injected, "injected"}, {Handled, "handled"}, {Dropped, "dropped"}} {
		if o&x.o != 0 {
			parts = append(parts, x.name)
		}
	}
	return strings.Join(parts, "+")
}

// Request is one logged request.
type Request struct {
	Seq    int
	At     time.Time
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   []byte // the first LogBodyLimit bytes
	Scope  string
	// Route is the route pattern the request matches ("GET
	// /orders/v0/orders/{id}/orderItems"): the platform operation it is,
	// whatever became of it; "" when none does.
	Route     string
	Principal string
	Outcome   Outcome
	Fault     string // the injected fault's name
	// Status is what the client got (0 when dropped); Handled is what the
	// route answered (0 when it did not run): a request answered 503 by
	// a fault after handling has Handled 201 and Status 503.
	Status  int
	Handled int
}

// Succeeded reports whether the route ran and answered 2xx, whatever the
// client got: an effect on the fake.
func (r Request) Succeeded() bool { return r.Handled >= 200 && r.Handled < 300 }

// LogBodyLimit bounds the body kept per logged request.
const LogBodyLimit = 64 << 10

func logBody(b []byte) []byte {
	if len(b) > LogBodyLimit {
		b = b[:LogBodyLimit]
	}
	return append([]byte(nil), b...)
}

// Counters count requests of one scope by outcome.
type Counters struct {
	Requests        int // every request, whatever became of it
	Unauthorized    int
	QuotaViolations int // refused by the limiter: the client exceeded the quota
	Injected        int // answered by a fault
	Handled         int // reached a route
	Dropped         int
	ByFault         map[string]int // injected answers by fault name
	// ByRoute counts every request by the operation it is (Request.Route),
	// refused or not: what a client spends of each operation's quota.
	ByRoute map[string]int
}

func (s *Server) record(e Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.log) >= s.o.LogLimit {
		s.log = append(s.log[:0], s.log[len(s.log)/2:]...)
	}
	s.log = append(s.log, e)
	c := s.counters[e.Scope]
	if c == nil {
		c = &Counters{ByFault: map[string]int{}, ByRoute: map[string]int{}}
		s.counters[e.Scope] = c
	}
	c.Requests++
	c.ByRoute[e.Route]++
	if e.Outcome&Unauthorized != 0 {
		c.Unauthorized++
	}
	if e.Outcome&Throttled != 0 {
		c.QuotaViolations++
	}
	if e.Outcome&Injected != 0 {
		c.Injected++
		c.ByFault[e.Fault]++
	}
	if e.Outcome&Handled != 0 {
		c.Handled++
	}
	if e.Outcome&Dropped != 0 {
		c.Dropped++
	}
}

// Requests returns the logged requests, oldest first (copies).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// Since returns the requests logged after the one numbered seq (0: all);
// LastSeq gives a mark to pass later.
func (s *Server) Since(seq int) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Seq > seq {
			out = append(out, r)
		}
	}
	return out
}

// LastSeq is the number of the latest request received.
func (s *Server) LastSeq() int { return int(s.reqSeq.Load()) }

// Counters returns the counts of one scope ("" for a fake without
// scopes).
func (s *Server) Counters(scope string) Counters {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.counters[scope]
	if c == nil {
		return Counters{ByFault: map[string]int{}, ByRoute: map[string]int{}}
	}
	out := *c
	out.ByFault = maps.Clone(c.ByFault)
	out.ByRoute = maps.Clone(c.ByRoute)
	return out
}

// Total sums the counters of every scope.
func (s *Server) Total() Counters {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := Counters{ByFault: map[string]int{}, ByRoute: map[string]int{}}
	for _, c := range s.counters {
		t.Requests += c.Requests
		t.Unauthorized += c.Unauthorized
		t.QuotaViolations += c.QuotaViolations
		t.Injected += c.Injected
		t.Handled += c.Handled
		t.Dropped += c.Dropped
		for k, v := range c.ByFault {
			t.ByFault[k] += v
		}
		for k, v := range c.ByRoute {
			t.ByRoute[k] += v
		}
	}
	return t
}

// Calls counts the requests of every scope by operation (route
// pattern), refused ones included: the calls a client made of each.
func (s *Server) Calls() map[string]int { return s.Total().ByRoute }

// QuotaViolations counts, over every scope, the requests refused because
// the client exceeded the quota (never an injected 429). A well-behaved
// client keeps it at zero.
func (s *Server) QuotaViolations() int { return s.Total().QuotaViolations }

// ResetCounters zeroes one scope's counters (the log and the quotas are
// untouched).
func (s *Server) ResetCounters(scope string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.counters, scope)
}
