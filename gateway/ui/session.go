package ui

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"net"
	"net/http"
	"sync"
	"time"
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

// sessions keeps the live sessions in memory: a restart logs everyone
// out, which an operator dashboard can afford.
type sessions struct {
	mu sync.Mutex
	m  map[string]session
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error()) // the OS has no entropy: nothing is safe
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) create(now time.Time, ttl time.Duration) (id string, sess session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]session{}
	}
	for k, v := range s.m { // forget expired sessions as new ones come
		if now.After(v.expires) {
			delete(s.m, k)
		}
	}
	id = randomToken()
	sess = session{csrf: randomToken(), expires: now.Add(ttl)}
	s.m[id] = sess
	return id, sess
}

func (s *sessions) get(id string, now time.Time) (session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[id]
	if !ok || now.After(v.expires) {
		delete(s.m, id)
		return session{}, false
	}
	return v, true
}

func (s *sessions) drop(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

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

func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func equal(a, b string) bool {
	return a != "" && hmac.Equal([]byte(a), []byte(b))
}

func (u *UI) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/ui/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
}
