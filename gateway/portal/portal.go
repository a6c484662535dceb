// Package portal is the supplier portal under /portal/ (DESIGN §1.3):
// each supplier's people log in with their own e-mail and password and see
// only their own purchase orders, which they acknowledge (or reject line
// by line), ship with carrier and tracking number, invoice, and download
// as CSV. Every action becomes the canonical document its EDI twin (855,
// 856, 810) would be and is applied by the same purchasing service, with
// "portal:<supplier>:<email>" as the timeline's cause.
//
// Security: passwords are bcrypt hashes from the YAML; failed logins are
// rate-limited per account and per client address; the session cookie is
// HttpOnly, SameSite=Strict, Secure over TLS and scoped to /portal/; every
// POST carries the session's CSRF token. Portal sessions live in their own
// store: they never open /ui/ or /api/v1/, and those never open this.
// Another supplier's PO is answered 404, exactly like one that does not
// exist.
package portal

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/app/ports"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/repo"
	"github.com/dropgate/dropgate/gateway/websession"
)

//go:embed assets templates
var files embed.FS

// User is one login: the supplier it acts for, its e-mail and its bcrypt
// password hash.
type User struct {
	Supplier, Email, PasswordHash string
}

// SubmitFunc applies a document a supplier entered as its EDI twin would
// be applied (purchasing.Service.SubmitAs). It returns ErrNotYours for a
// PO of another supplier.
type SubmitFunc func(ctx context.Context, supplier, actor string, d connector.InboundDoc) error

// ErrNotYours is what Submit returns for a PO the supplier may not touch.
var ErrNotYours = errors.New("no such purchase order")

// Reader is the part of the operator port (ports.Operator) the portal
// may use: reads only, so no operator action is reachable from it by
// construction. The portal filters by supplier before showing anything.
type Reader interface {
	Orders(ctx context.Context, where map[string]string, p repo.Page) ([]model.Aggregate, string, error)
	Order(ctx context.Context, id string) (*model.Aggregate, error)
	OrderOfPO(ctx context.Context, number string) (string, error)
}

var _ Reader = ports.Operator(nil)

// Portal serves /portal/.
type Portal struct {
	Ops    Reader
	Submit SubmitFunc
	Users  []User
	Log    *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// SessionTTL is how long a login lasts (8h when zero).
	SessionTTL time.Duration
	// LoginAttempts failed logins per account and per client address per
	// minute are allowed (5 when zero); then 429.
	LoginAttempts int
	// Scorecard, when set, shows a supplier its own scorecard.
	Scorecard ScorecardFunc
	// MaxUpload bounds an invoice CSV (256 KiB when zero).
	MaxUpload int64

	users    map[string]User // by lower-case e-mail
	sessions websession.Store[account]
	limit    *loginLimiter
	tmpl     map[string]*template.Template
}

type ctxKey struct{}

func (p *Portal) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Handler routes /portal/. It fails when an e-mail is listed for two
// suppliers: a login must name one supplier.
func (p *Portal) Handler() (http.Handler, error) {
	if p.Log == nil {
		p.Log = slog.Default()
	}
	if p.SessionTTL == 0 {
		p.SessionTTL = 8 * time.Hour
	}
	if p.MaxUpload == 0 {
		p.MaxUpload = 256 << 10
	}
	n := p.LoginAttempts
	if n == 0 {
		n = 5
	}
	p.limit = newLoginLimiter(n, time.Minute)
	p.users = map[string]User{}
	for _, u := range p.Users {
		k := strings.ToLower(u.Email)
		if prev, dup := p.users[k]; dup && prev.Supplier != u.Supplier {
			return nil, fmt.Errorf("portal: %s is a login of both %s and %s", u.Email, prev.Supplier, u.Supplier)
		}
		p.users[k] = u
	}
	p.tmpl = parseTemplates()
	static, _ := fs.Sub(files, "assets")

	mux := http.NewServeMux()
	mux.Handle("GET /portal/static/", http.StripPrefix("/portal/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /portal/login", p.loginForm)
	mux.HandleFunc("POST /portal/login", p.login)
	mux.Handle("POST /portal/logout", p.auth(http.HandlerFunc(p.logout)))
	mux.Handle("GET /portal/{$}", p.auth(http.HandlerFunc(p.list)))
	mux.Handle("GET /portal/pos/{number}", p.auth(http.HandlerFunc(p.poPage)))
	mux.Handle("GET /portal/pos/{number}/csv", p.auth(http.HandlerFunc(p.poCSV)))
	mux.Handle("GET /portal/pos/{number}/pdf", p.auth(http.HandlerFunc(p.poPDF)))
	mux.Handle("GET /portal/scorecard", p.auth(http.HandlerFunc(p.scorecard)))
	mux.Handle("POST /portal/pos/{number}/ack", p.auth(http.HandlerFunc(p.ack)))
	mux.Handle("POST /portal/pos/{number}/ship", p.auth(http.HandlerFunc(p.ship)))
	mux.Handle("POST /portal/pos/{number}/invoice", p.auth(http.HandlerFunc(p.invoice)))
	mux.Handle("/portal/", p.auth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.fail(w, r, http.StatusNotFound, "No such page.")
	})))
	return websession.SecureHeaders(mux, "default-src 'self'; frame-ancestors 'none'; form-action 'self'"), nil
}

// auth lets through requests with a live portal session, and POSTs only
// with its CSRF token (a form field, or the X-CSRF-Token header for a
// multipart upload read later).
func (p *Portal) auth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(SessionCookie)
		var sess session
		ok := err == nil
		if ok {
			sess, ok = p.sessions.Get(c.Value, p.now())
		}
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/portal/login", http.StatusSeeOther)
				return
			}
			http.Error(w, "not logged in", http.StatusForbidden)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			r.Body = http.MaxBytesReader(w, r.Body, p.MaxUpload+(64<<10))
			if !websession.Equal(csrfValue(r, p.MaxUpload), sess.CSRF) {
				http.Error(w, "missing or wrong CSRF token; reload the page", http.StatusForbidden)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess)))
	})
}

// csrfValue reads the token from a urlencoded or multipart form.
func csrfValue(r *http.Request, maxUpload int64) string {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(maxUpload); err != nil {
			return ""
		}
		return r.FormValue(csrfField)
	}
	return r.PostFormValue(csrfField)
}

func sessionOf(r *http.Request) session {
	s, _ := r.Context().Value(ctxKey{}).(session)
	return s
}

// actor names the logged-in user on timelines.
func actor(s session) string { return "portal:" + s.V.supplier + ":" + s.V.email }
