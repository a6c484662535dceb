package portal_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/gateway/portal/portaltest"
	"github.com/dropgate/dropgate/gateway/ui"
)

// TestPortalAndDashboardSessionsAreSeparate: a portal session, presented
// under either cookie name, never opens the operator dashboard, and a
// dashboard session never opens the portal.
func TestPortalAndDashboardSessionsAreSeparate(t *testing.T) {
	f := newFixture(t)
	c := portaltest.New(t, f.srv.URL)
	c.MustLogin("ann@a.example", password)
	u, _ := url.Parse(f.srv.URL + "/portal/")
	var portalID string
	for _, ck := range c.HTTP.Jar.Cookies(u) {
		if ck.Name == "dropgate_portal" {
			portalID = ck.Value
		}
	}
	if portalID == "" {
		t.Fatal("no portal session cookie")
	}
	dash := (&ui.UI{Ops: &ops{}, Token: connector.Secret("admin-token")}).Handler()
	for _, name := range []string{ui.SessionCookie, "dropgate_portal"} {
		req := httptest.NewRequest(http.MethodGet, "/ui/", nil)
		req.AddCookie(&http.Cookie{Name: name, Value: portalID})
		rec := httptest.NewRecorder()
		dash.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/ui/login" {
			t.Errorf("portal session as %s opened /ui/: %d", name, rec.Code)
		}
	}

	// A dashboard session, shown to the portal.
	form := httptest.NewRecorder()
	dash.ServeHTTP(form, httptest.NewRequest(http.MethodGet, "/ui/login", nil))
	var loginTok *http.Cookie
	for _, ck := range form.Result().Cookies() {
		loginTok = ck
	}
	body := url.Values{"token": {"admin-token"}, "csrf": {loginTok.Value}}
	req := httptest.NewRequest(http.MethodPost, "/ui/login", strings.NewReader(body.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(loginTok)
	rec := httptest.NewRecorder()
	dash.ServeHTTP(rec, req)
	var uiID string
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == ui.SessionCookie {
			uiID = ck.Value
		}
	}
	if uiID == "" {
		t.Fatalf("dashboard login failed: %d", rec.Code)
	}
	for _, name := range []string{ui.SessionCookie, "dropgate_portal"} {
		req := httptest.NewRequest(http.MethodGet, "/portal/", nil)
		req.AddCookie(&http.Cookie{Name: name, Value: uiID})
		rec := httptest.NewRecorder()
		f.srv.Config.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/portal/login" {
			t.Errorf("dashboard session as %s opened /portal/: %d", name, rec.Code)
		}
	}
}
