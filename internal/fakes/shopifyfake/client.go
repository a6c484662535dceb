package shopifyfake

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	goshopify "github.com/bold-commerce/go-shopify/v4"
)

// Transport returns an http.RoundTripper that delivers every request to
// the fake, whatever its URL says, keeping the Host (and so the shop) it
// was addressed to. Before Start, requests are served in-process; after
// Start they travel over loopback HTTP to the started server.
//
// It exists because go-shopify v4 cannot be given a base URL: NewClient
// always targets https://{shop}.myshopify.com, and WithHTTPClient is the
// only way in.
func (f *Fake) Transport() http.RoundTripper { return transport{f: f} }

type transport struct{ f *Fake }

// RoundTrip follows the RoundTripper contract: it always closes the
// request body, directly or through the transport it delegates to.
func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.f.mu.Lock()
	srv := t.f.server
	t.f.mu.Unlock()
	if srv != nil {
		return t.viaServer(srv, req)
	}
	if req.Body != nil {
		defer req.Body.Close()
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	return t.inProcess(req)
}

// viaServer rewrites only the URL's scheme and host; the Host header keeps
// naming the shop.
func (t transport) viaServer(srv *httptest.Server, req *http.Request) (*http.Response, error) {
	base, err := url.Parse(srv.URL)
	if err != nil {
		return nil, fmt.Errorf("shopifyfake: server url: %w", err)
	}
	out := req.Clone(req.Context())
	out.Host = hostOf(req)
	out.URL.Scheme, out.URL.Host = base.Scheme, base.Host
	return srv.Client().Transport.RoundTrip(out)
}

// inProcess hands the request to ServeHTTP as a server would receive it.
func (t transport) inProcess(req *http.Request) (*http.Response, error) {
	in := req.Clone(req.Context())
	in.Host = hostOf(req)
	in.RequestURI = req.URL.RequestURI()
	if in.Body == nil {
		in.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.f.ServeHTTP(rec, in)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func hostOf(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	return req.URL.Host
}

// Client returns a go-shopify client for a shop ("" for the default one)
// using the shop's first token, pinned to version ("" leaves go-shopify's
// default, the unversioned path, which the fake serves as its oldest
// version), and wired to the fake through Transport. opts are applied
// after the fake's own, so a test may add goshopify.WithRetry; it should
// not replace the HTTP client.
func (f *Fake) Client(shop, version string, opts ...goshopify.Option) (*goshopify.Client, error) {
	s := f.Shop(shop)
	if s == nil {
		return nil, fmt.Errorf("shopifyfake: client: unknown shop %q", shop)
	}
	all := []goshopify.Option{
		goshopify.WithHTTPClient(&http.Client{Transport: f.Transport(), Timeout: 10 * time.Second}),
	}
	if version != "" {
		all = append(all, goshopify.WithVersion(version))
	}
	c, err := goshopify.NewClient(goshopify.App{}, s.domain, s.Token(), append(all, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("shopifyfake: client for %s: %w", s.domain, err)
	}
	return c, nil
}
