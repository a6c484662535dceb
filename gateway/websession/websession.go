// Package websession is what the gateway's two browser faces — the
// operator dashboard (/ui/) and the supplier portal (/portal/) — share:
// an in-memory session store whose sessions each carry a CSRF token,
// random tokens, constant-time comparison, cookies set HttpOnly,
// SameSite=Strict and Secure over TLS, and the security headers of a
// server-rendered page. Each face keeps its own Store, its own cookie
// name and its own path, so a session of one never opens the other.
package websession

import (
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// Session is a live login: who (V), its CSRF token, when it ends.
type Session[V any] struct {
	V       V
	CSRF    string
	Expires time.Time
}

// Store keeps sessions in memory: a restart logs everyone out, which a
// dashboard and a portal can afford. The zero Store is ready.
type Store[V any] struct {
	mu sync.Mutex
	m  map[string]Session[V]
}

// Create starts a session for v lasting ttl and returns its id.
func (s *Store[V]) Create(v V, now time.Time, ttl time.Duration) (string, Session[V]) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]Session[V]{}
	}
	for k, x := range s.m { // forget expired sessions as new ones come
		if now.After(x.Expires) {
			delete(s.m, k)
		}
	}
	id := Token()
	sess := Session[V]{V: v, CSRF: Token(), Expires: now.Add(ttl)}
	s.m[id] = sess
	return id, sess
}

// Get returns the live session id names.
func (s *Store[V]) Get(id string, now time.Time) (Session[V], bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, ok := s.m[id]
	if !ok || now.After(x.Expires) {
		delete(s.m, id)
		return Session[V]{}, false
	}
	return x, true
}

// Drop ends a session.
func (s *Store[V]) Drop(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

// Token returns 256 random bits, URL-safe.
func Token() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error()) // the OS has no entropy: nothing is safe
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Equal compares a token given with the one expected in constant time; an
// empty token never matches.
func Equal(given, want string) bool {
	return given != "" && hmac.Equal([]byte(given), []byte(want))
}

// ClientIP is the request's peer address without its port.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SetCookie sets (maxAge > 0) or clears (maxAge < 0) a cookie scoped to
// path: HttpOnly, SameSite=Strict, Secure when the request came over TLS.
func SetCookie(w http.ResponseWriter, r *http.Request, path, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
}

// SecureHeaders adds the headers of a page that loads nothing from
// elsewhere and is never framed; csp is its Content-Security-Policy.
func SecureHeaders(h http.Handler, csp string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", csp)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}

// Templates parses one template per page of fsys's templates/*.html, each
// with templates/layout.html, which is not a page itself.
func Templates(fsys fs.FS, funcs template.FuncMap) map[string]*template.Template {
	out := map[string]*template.Template{}
	pages, _ := fs.Glob(fsys, "templates/*.html")
	for _, pg := range pages {
		name := strings.TrimSuffix(path.Base(pg), ".html")
		if name == "layout" {
			continue
		}
		out[name] = template.Must(template.New(name).Funcs(funcs).ParseFS(fsys, "templates/layout.html", pg))
	}
	return out
}
