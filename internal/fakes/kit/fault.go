package kit

import (
	"errors"
	"net/http"
	"strings"
)

// Fault is an answer the fake gives instead of (or after) the real one,
// to test a client's handling of the platform's failures. It applies to
// authenticated requests matching Method and Path or PathPrefix (empty:
// any); faults are tried in the order they were injected, the first one
// that fires answers.
type Fault struct {
	Name       string // counted under this name (Injected); default the status
	Method     string
	Path       string // exact
	PathPrefix string
	// Skip lets the first Skip matching requests through.
	Skip int
	// Times is how many requests it answers; 0 means every matching
	// request until ClearFaults.
	Times int
	// Probability, between 0 and 1, makes it fire on a seeded random share
	// of the matching requests (Options.Seed); 0 means always.
	Probability float64

	// The answer: Status with Header, and Body (nil: the platform's error
	// body for Status).
	Status int
	Header http.Header
	Body   []byte

	// AfterHandling runs the real handler first and then replaces its
	// answer, if it was a success: the effect happened and the client
	// never learns it (a lost answer), which is what replay and
	// idempotency tests need.
	AfterHandling bool
	// Drop closes the connection without an answer instead of answering
	// Status (over a started server; in-process, the client's round trip
	// fails with ErrDropped).
	Drop bool
	// Stall holds the request, unhandled, until the client gives up (its
	// context ends) or the server closes; then it is dropped. A test
	// cancelling a call in flight waits on Signal, then cancels.
	Stall bool
	// Signal receives a value (without blocking) each time the fault
	// fires.
	Signal chan<- struct{}
}

// ErrDropped is what an in-process round trip returns for a dropped
// answer.
var ErrDropped = errors.New("kit: connection closed without an answer")

// armed is an injected fault with its counts.
type armed struct {
	Fault
	seen, fired int
}

func (f *armed) matches(r *http.Request, after bool) bool {
	switch {
	case f.AfterHandling != after,
		f.Method != "" && !strings.EqualFold(f.Method, r.Method),
		f.Path != "" && f.Path != r.URL.Path,
		f.PathPrefix != "" && !strings.HasPrefix(r.URL.Path, f.PathPrefix),
		f.Times > 0 && f.fired >= f.Times:
		return false
	}
	return true
}

// Inject arms a fault.
func (s *Server) Inject(f Fault) {
	if f.Name == "" {
		f.Name = http.StatusText(f.Status)
		if f.Drop || f.Stall {
			f.Name = "dropped"
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &armed{Fault: f})
}

// Fired counts the times faults named name fired, at the moment they
// fired (the log records a request when its answer is done, which for a
// stalled or dropped one over a real connection comes later).
func (s *Server) Fired(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fired[name]
}

// ClearFaults disarms every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// fault returns the fault that fires for r at this stage, if any.
func (s *Server) fault(r *http.Request, after bool) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if !f.matches(r, after) {
			continue
		}
		f.seen++
		if f.seen <= f.Skip {
			continue
		}
		if f.Probability > 0 && f.Probability < 1 && s.rng.Float64() >= f.Probability {
			continue
		}
		f.fired++
		s.fired[f.Name]++
		if f.Signal != nil {
			select {
			case f.Signal <- struct{}{}:
			default:
			}
		}
		fc := f.Fault
		return &fc
	}
	return nil
}

// inject answers with f (after the handler answered a, when
// AfterHandling).
func (s *Server) inject(w http.ResponseWriter, r *http.Request, f *Fault) answer {
	if f.Stall {
		select {
		case <-r.Context().Done():
		case <-s.closing:
		}
		return s.drop(w)
	}
	if f.Drop {
		return s.drop(w)
	}
	var resp *Response
	if f.Body != nil {
		resp = &Response{Status: f.Status, Raw: f.Body}
	} else {
		resp = s.Error(f.Status, codeFor(f.Status), http.StatusText(f.Status))
	}
	a := s.render(r, resp)
	mergeHeader(a.header, f.Header)
	return a
}

// drop closes the client's connection without a word, or tells the
// in-process transport to fail the round trip.
func (s *Server) drop(w http.ResponseWriter) answer {
	if d, ok := w.(*inProcessWriter); ok {
		d.dropped = true
		return answer{dropped: true}
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			return answer{dropped: true, hangUp: func() { conn.Close() }}
		}
	}
	// Neither: the closest thing is a bare 503.
	return answer{status: http.StatusServiceUnavailable, header: http.Header{}}
}

// codeFor is the kit's machine name for a status.
func codeFor(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "rate_limited"
	case http.StatusServiceUnavailable:
		return "unavailable"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusConflict:
		return "conflict"
	case http.StatusUnprocessableEntity:
		return "unprocessable"
	}
	if status >= 500 {
		return "server_error"
	}
	return "invalid_request"
}
