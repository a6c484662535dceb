// Package ui is the operator's web dashboard under /ui/ (DESIGN §1.3):
// server-rendered pages over the application's operator port, the same
// reads and actions the admin API offers. A login form takes the admin
// token and sets an HttpOnly, SameSite=Strict session cookie (Secure over
// TLS); every POST carries the session's CSRF token; failed logins are
// rate-limited per client address. The token never travels in a URL.
package ui

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/connector"
)

//go:embed assets templates
var files embed.FS

// Connector names a configured connector for the suppliers and health
// tables.
type Connector struct {
	Name, Type, Kind string
}

// UI serves the dashboard.
type UI struct {
	Ops        ports.Operator
	Token      connector.Secret
	Connectors []Connector
	Log        *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// SessionTTL is how long a login lasts (12h when zero).
	SessionTTL time.Duration
	// LoginAttempts failed logins per client per minute are allowed (5
	// when zero); then 429 until the minute passes.
	LoginAttempts int
	// Replay serves the what-if replay page (replay.go); nil: the page
	// says the server does not replay.
	Replay ReplayFunc

	sessions sessions
	limit    *limiter
	tmpl     map[string]*template.Template
}

type ctxKey struct{}

func (u *UI) now() time.Time {
	if u.Now != nil {
		return u.Now()
	}
	return time.Now()
}

// Handler routes /ui/.
func (u *UI) Handler() http.Handler {
	if u.Log == nil {
		u.Log = slog.Default()
	}
	if u.SessionTTL == 0 {
		u.SessionTTL = 12 * time.Hour
	}
	n := u.LoginAttempts
	if n == 0 {
		n = 5
	}
	u.limit = &limiter{max: n, window: time.Minute}
	u.tmpl = parseTemplates()
	static, _ := fs.Sub(files, "assets")

	mux := http.NewServeMux()
	mux.Handle("GET /ui/static/", http.StripPrefix("/ui/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /ui/login", u.loginForm)
	mux.HandleFunc("POST /ui/login", u.login)
	mux.Handle("POST /ui/logout", u.auth(http.HandlerFunc(u.logout)))
	mux.Handle("GET /ui/{$}", u.auth(http.HandlerFunc(u.overview)))
	mux.Handle("GET /ui/orders", u.auth(http.HandlerFunc(u.orders)))
	mux.Handle("GET /ui/orders/{id}", u.auth(http.HandlerFunc(u.order)))
	mux.Handle("POST /ui/orders/{id}/reroute", u.auth(http.HandlerFunc(u.reroute)))
	mux.Handle("POST /ui/orders/{id}/release", u.auth(http.HandlerFunc(u.release)))
	mux.Handle("POST /ui/orders/{id}/cancel", u.auth(http.HandlerFunc(u.cancel)))
	mux.Handle("POST /ui/orders/{id}/returns", u.auth(http.HandlerFunc(u.openReturn)))
	mux.Handle("POST /ui/returns/{id}/{action}", u.auth(http.HandlerFunc(u.decideReturn)))
	mux.Handle("GET /ui/exceptions", u.auth(http.HandlerFunc(u.exceptions)))
	mux.Handle("POST /ui/exceptions/{id}/{action}", u.auth(http.HandlerFunc(u.resolve)))
	mux.Handle("GET /ui/dead-letters", u.auth(http.HandlerFunc(u.deadLetters)))
	mux.Handle("GET /ui/dead-letters/{id}", u.auth(http.HandlerFunc(u.deadLetter)))
	mux.Handle("POST /ui/dead-letters/{id}/{action}", u.auth(http.HandlerFunc(u.actOnDead)))
	mux.Handle("GET /ui/feeds", u.auth(http.HandlerFunc(u.feeds)))
	mux.Handle("GET /ui/suppliers", u.auth(http.HandlerFunc(u.suppliers)))
	mux.Handle("GET /ui/suppliers/{name}/scorecard", u.auth(http.HandlerFunc(u.scorecard)))
	mux.Handle("GET /ui/reports/margin", u.auth(http.HandlerFunc(u.marginReport)))
	mux.Handle("GET /ui/replay", u.auth(http.HandlerFunc(u.replayForm)))
	mux.Handle("POST /ui/replay", u.auth(http.HandlerFunc(u.replayRun)))
	mux.Handle("/ui/", u.auth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.fail(w, r, http.StatusNotFound, "No such page.")
	})))
	return secureHeaders(mux)
}

func secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}

// auth lets through requests with a live session, and POSTs only with
// its CSRF token; others go to the login form (GET) or get 403 (POST).
func (u *UI) auth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(SessionCookie)
		var sess session
		ok := err == nil
		if ok {
			sess, ok = u.sessions.get(c.Value, u.now())
		}
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
				return
			}
			http.Error(w, "not logged in", http.StatusForbidden)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if !equal(r.PostFormValue(csrfField), sess.csrf) {
				http.Error(w, "missing or wrong CSRF token", http.StatusForbidden)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)))
	})
}

func csrfOf(r *http.Request) string {
	s, _ := r.Context().Value(ctxKey{}).(session)
	return s.csrf
}

func (u *UI) loginForm(w http.ResponseWriter, r *http.Request) {
	tok := randomToken()
	u.setCookie(w, r, loginCookie, tok, 600)
	w.Header().Set("Cache-Control", "no-store")
	u.render(w, r, "login", map[string]any{"CSRF": tok, "Error": r.URL.Query().Get("e") != ""})
}

// login checks the admin token posted by the form (never a URL).
func (u *UI) login(w http.ResponseWriter, r *http.Request) {
	key := clientKey(r)
	now := u.now()
	if !u.limit.allowed(key, now) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many failed logins; wait a minute", http.StatusTooManyRequests)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	c, err := r.Cookie(loginCookie)
	if err != nil || !equal(r.PostFormValue(csrfField), c.Value) {
		http.Error(w, "missing or wrong CSRF token; reload the login page", http.StatusForbidden)
		return
	}
	if u.Token.Reveal() == "" || !equal(r.PostFormValue("token"), u.Token.Reveal()) {
		u.limit.fail(key, now)
		u.Log.Warn("ui login failed", "remote", key)
		http.Redirect(w, r, "/ui/login?e=1", http.StatusSeeOther)
		return
	}
	id, _ := u.sessions.create(now, u.SessionTTL)
	u.setCookie(w, r, loginCookie, "", -1)
	u.setCookie(w, r, SessionCookie, id, int(u.SessionTTL/time.Second))
	http.Redirect(w, r, "/ui/", http.StatusSeeOther)
}

func (u *UI) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		u.sessions.drop(c.Value)
	}
	u.setCookie(w, r, SessionCookie, "", -1)
	http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
}
