package ui

import (
	"net/http"
	"sync"
	"time"

	"github.com/dropgate/dropgate/gateway/websession"
)

// Cookie names. The session cookie is HttpOnly, SameSite=Strict, scoped
// to /ui/, and Secure when the request came over TLS.
const (
	SessionCookie = "dropgate_session"
	loginCookie   = "dropgate_login" // double-submit CSRF token of the login form
	csrfField     = "csrf"
)

type session struct {
	csrf    string
	expires time.Time
}

// sessions keeps the live sessions in memory (websession.Store): a
// restart logs everyone out, which an operator dashboard can afford.
type sessions struct{ st websession.Store[struct{}] }

func randomToken() string { return websession.Token() }

func (s *sessions) create(now time.Time, ttl time.Duration) (string, session) {
	id, x := s.st.Create(struct{}{}, now, ttl)
	return id, session{csrf: x.CSRF, expires: x.Expires}
}

func (s *sessions) get(id string, now time.Time) (session, bool) {
	x, ok := s.st.Get(id, now)
	return session{csrf: x.CSRF, expires: x.Expires}, ok
}

func (s *sessions) drop(id string) { s.st.Drop(id) }

// limiter allows a few failed logins per client address per window.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
}

func (l *limiter) allowed(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(key, now)) < l.max
}

func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fails == nil {
		l.fails = map[string][]time.Time{}
	}
	l.fails[key] = append(l.recent(key, now), now)
}

func (l *limiter) recent(key string, now time.Time) []time.Time {
	var keep []time.Time
	for _, t := range l.fails[key] {
		if now.Sub(t) < l.window {
			keep = append(keep, t)
		}
	}
	if len(keep) == 0 {
		delete(l.fails, key)
	}
	return keep
}

func clientKey(r *http.Request) string { return websession.ClientIP(r) }

func equal(a, b string) bool { return websession.Equal(a, b) }

func (u *UI) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	websession.SetCookie(w, r, "/ui/", name, value, maxAge)
}
