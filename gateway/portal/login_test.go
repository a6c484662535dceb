package portal_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// loginFrom posts a login from a client address, with a valid login-form
// token, and returns the status.
func loginFrom(t *testing.T, h http.Handler, ip, email, pw string) int {
	t.Helper()
	form := httptest.NewRequest(http.MethodGet, "/portal/login", nil)
	form.RemoteAddr = ip + ":1234"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, form)
	var cookie *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == "dropgate_portal_login" {
			cookie = c
		}
	}
	if cookie == nil {
		t.Fatal("the login form set no token cookie")
	}
	body := url.Values{"email": {email}, "password": {pw}, "csrf": {cookie.Value}}
	req := httptest.NewRequest(http.MethodPost, "/portal/login", strings.NewReader(body.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = ip + ":1234"
	req.AddCookie(cookie)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}
