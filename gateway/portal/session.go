package portal

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/time/rate"

	"github.com/dropgate/dropgate/gateway/websession"
)

// Cookie names: distinct from the operator dashboard's, and scoped to
// /portal/, so neither session is ever presented to the other.
const (
	SessionCookie = "dropgate_portal"
	loginCookie   = "dropgate_portal_login" // double-submit CSRF token of the login form
	csrfField     = "csrf"
)

// account is who a portal session is for.
type account struct{ supplier, email string }

type session = websession.Session[account]

// loginLimiter spends a token of the account's and of the address's
// bucket on each failed login; a login is heard only while both have a
// token left. Guessing one account from many addresses, or many accounts
// from one address, is slowed either way.
type loginLimiter struct {
	mu    sync.Mutex
	every rate.Limit
	burst int
	m     map[string]*rate.Limiter
}

func newLoginLimiter(perWindow int, window time.Duration) *loginLimiter {
	return &loginLimiter{every: rate.Every(window / time.Duration(perWindow)), burst: perWindow, m: map[string]*rate.Limiter{}}
}

func (l *loginLimiter) bucket(key string, now time.Time) *rate.Limiter {
	b, ok := l.m[key]
	if !ok {
		if len(l.m) > 100_000 { // a flood of addresses: forget the full buckets
			for k, v := range l.m {
				if v.TokensAt(now) >= float64(l.burst) {
					delete(l.m, k)
				}
			}
		}
		b = rate.NewLimiter(l.every, l.burst)
		l.m[key] = b
	}
	return b
}

func (l *loginLimiter) allowed(now time.Time, keys ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if l.bucket(k, now).TokensAt(now) < 1 {
			return false
		}
	}
	return true
}

func (l *loginLimiter) fail(now time.Time, keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		l.bucket(k, now).AllowN(now, 1)
	}
}

func (p *Portal) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	websession.SetCookie(w, r, "/portal/", name, value, maxAge)
}

func (p *Portal) loginForm(w http.ResponseWriter, r *http.Request) {
	tok := websession.Token()
	p.setCookie(w, r, loginCookie, tok, 600)
	w.Header().Set("Cache-Control", "no-store")
	p.render(w, r, "login", map[string]any{"CSRF": tok, "Error": r.URL.Query().Get("e") != ""})
}

// dummyHash is compared against when the e-mail is unknown, so that an
// unknown account costs as much time as a wrong password. It is made on
// first use: every dropgate command links this package.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("dropgate-portal-dummy"), 12)
	return h
})

// login checks an e-mail and password posted by the form.
func (p *Portal) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	keys := []string{"ip:" + websession.ClientIP(r), "account:" + email}
	now := p.now()
	if !p.limit.allowed(now, keys...) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many failed logins; wait a minute", http.StatusTooManyRequests)
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || !websession.Equal(r.PostFormValue(csrfField), c.Value) {
		http.Error(w, "missing or wrong CSRF token; reload the login page", http.StatusForbidden)
		return
	}
	u, known := p.users[email]
	var hash []byte
	if !known {
		hash = dummyHash()
	} else {
		hash = []byte(u.PasswordHash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(r.PostFormValue("password"))) != nil || !known {
		p.limit.fail(now, keys...)
		p.Log.Warn("portal login failed", "remote", websession.ClientIP(r), "email_known", known)
		http.Redirect(w, r, "/portal/login?e=1", http.StatusSeeOther)
		return
	}
	id, _ := p.sessions.Create(account{supplier: u.Supplier, email: u.Email}, now, p.SessionTTL)
	p.Log.Info("portal login", "supplier", u.Supplier, "email", u.Email)
	p.setCookie(w, r, loginCookie, "", -1)
	p.setCookie(w, r, SessionCookie, id, int(p.SessionTTL/time.Second))
	http.Redirect(w, r, "/portal/", http.StatusSeeOther)
}

func (p *Portal) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		p.sessions.Drop(c.Value)
	}
	p.setCookie(w, r, SessionCookie, "", -1)
	http.Redirect(w, r, "/portal/login", http.StatusSeeOther)
}
