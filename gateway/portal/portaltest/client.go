// Package portaltest is a browser for tests of the supplier portal: it
// keeps cookies, does not follow redirects, and reads the CSRF token of
// the last page.
package portaltest

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Client is one browser session against a portal at Base.
type Client struct {
	T    testing.TB
	Base string
	HTTP *http.Client
	// CSRF is the token of the last page that had a form.
	CSRF string
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// New returns a browser with an empty cookie jar.
func New(t testing.TB, base string) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{T: t, Base: base, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Response is a status, a Location and a body.
type Response struct {
	Status   int
	Location string
	Body     string
	Header   http.Header
}

func (c *Client) do(req *http.Request) Response {
	c.T.Helper()
	res, err := c.HTTP.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if m := csrfRE.FindSubmatch(b); m != nil {
		c.CSRF = string(m[1])
	}
	return Response{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(b), Header: res.Header}
}

// Get fetches path.
func (c *Client) Get(path string) Response {
	c.T.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.Base+path, nil)
	return c.do(req)
}

// Post submits a form; the current CSRF token is added unless form has
// one (pass csrf="" to leave it out: set form["csrf"] = nil).
func (c *Client) Post(path string, form url.Values) Response {
	c.T.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, set := form["csrf"]; !set {
		form.Set("csrf", c.CSRF)
	}
	req, _ := http.NewRequest(http.MethodPost, c.Base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// Upload posts a multipart form with one file field "file".
func (c *Client) Upload(path string, form url.Values, fileName string, file []byte) Response {
	c.T.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if _, set := form["csrf"]; !set {
		_ = mw.WriteField("csrf", c.CSRF)
	}
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", fileName)
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.Base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// Login opens the login form and posts email and password.
func (c *Client) Login(email, password string) Response {
	c.T.Helper()
	c.Get("/portal/login")
	return c.Post("/portal/login", url.Values{"email": {email}, "password": {password}})
}

// MustLogin logs in or fails the test; the CSRF token of the PO list is
// kept.
func (c *Client) MustLogin(email, password string) {
	c.T.Helper()
	if r := c.Login(email, password); r.Status != http.StatusSeeOther || r.Location != "/portal/" {
		c.T.Fatalf("login %s: %d %s %s", email, r.Status, r.Location, r.Body)
	}
	if r := c.Get("/portal/"); r.Status != http.StatusOK {
		c.T.Fatalf("list after login: %d", r.Status)
	}
}
