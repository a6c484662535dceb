package kit

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
)

// Transport returns an http.RoundTripper that delivers every request to
// the server, whatever its URL says, keeping the Host it was addressed to
// (a fake that tells tenants apart by Host sees the right one). Before
// Start, requests are served in-process, with no socket; after Start they
// travel over loopback HTTP. It is how an SDK without a base-URL option
// (go-shopify) reaches a fake.
func (s *Server) Transport() http.RoundTripper { return transport{s: s} }

type transport struct{ s *Server }

// RoundTrip always closes the request body, directly or through the
// transport it delegates to.
func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.s.mu.Lock()
	srv := t.s.server
	t.s.mu.Unlock()
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

// viaServer rewrites only the URL's scheme and host; the Host header
// keeps naming the tenant.
func (t transport) viaServer(srv *httptest.Server, req *http.Request) (*http.Response, error) {
	base, err := url.Parse(srv.URL)
	if err != nil {
		return nil, fmt.Errorf("kit: server url: %w", err)
	}
	out := req.Clone(req.Context())
	out.Host = hostOf(req)
	out.URL.Scheme, out.URL.Host = base.Scheme, base.Host
	return srv.Client().Transport.RoundTrip(out)
}

// inProcessWriter is the ResponseWriter of an in-process round trip; a
// dropped answer marks it instead of hijacking a connection.
type inProcessWriter struct {
	*httptest.ResponseRecorder
	dropped bool
}

// inProcess hands the request to ServeHTTP as a server would receive it.
func (t transport) inProcess(req *http.Request) (*http.Response, error) {
	in := req.Clone(req.Context())
	in.Host = hostOf(req)
	in.RequestURI = req.URL.RequestURI()
	if in.Body == nil {
		in.Body = http.NoBody
	}
	w := &inProcessWriter{ResponseRecorder: httptest.NewRecorder()}
	t.s.ServeHTTP(w, in)
	if w.dropped {
		if err := req.Context().Err(); err != nil {
			return nil, err
		}
		return nil, ErrDropped
	}
	resp := w.Result()
	resp.Request = req
	return resp, nil
}

func hostOf(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	return req.URL.Host
}
