package http_api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strings"
	"text/template"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
)

// endpoint is a compiled request template.
type endpoint struct {
	name    string // the YAML key, for messages: "create_order"
	method  string
	url     *template.Template
	body    *template.Template // nil: no body
	headers []plainHeader
	secrets []secretHeader
	query   []secretParam
}

type plainHeader struct {
	name  string
	value *template.Template
}

type secretHeader struct {
	name  string
	value connector.Secret
}

type secretParam struct {
	name  string
	value connector.Secret
}

// request is an endpoint rendered for one call.
type request struct {
	method string
	url    string
	header http.Header
	body   []byte
}

// render executes the endpoint's templates. A body must be valid JSON:
// a template that built something else is a configuration error, and an
// API would answer it with a 400 anyway.
func (e *endpoint) render(d *Data) (*request, error) {
	raw, err := execute(e.url, d)
	if err != nil {
		return nil, &renderError{"url", err}
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, &renderError{"url", fmt.Errorf("url renders to %q, which is not an absolute http(s) URL", raw)}
	}
	if len(e.query) > 0 {
		q := u.Query()
		for _, p := range e.query {
			q.Set(p.name, p.value.Reveal())
		}
		u.RawQuery = q.Encode()
	}
	r := &request{method: e.method, url: u.String(), header: http.Header{}}
	for _, h := range e.headers {
		v, err := execute(h.value, d)
		if err == nil && strings.ContainsAny(v, "\r\n") {
			err = fmt.Errorf("header %s renders to a value with a line break", h.name)
		}
		if err != nil {
			return nil, &renderError{"headers." + h.name, err}
		}
		r.header.Set(h.name, v)
	}
	for _, h := range e.secrets {
		r.header.Set(h.name, h.value.Reveal())
	}
	r.header.Set("Accept", firstNonEmpty(r.header.Get("Accept"), "application/json"))
	if e.body != nil {
		b, err := execute(e.body, d)
		if err != nil {
			return nil, &renderError{"body", err}
		}
		if err := validJSON(b); err != nil {
			return nil, &renderError{"body", fmt.Errorf("body does not render to JSON (%v); pass text through the json function, as in {{ json .PO.ShipTo.Name }}", err)}
		}
		r.body = []byte(b)
		r.header.Set("Content-Type", firstNonEmpty(r.header.Get("Content-Type"), "application/json"))
	}
	return r, nil
}

// renderError is a template that failed, with the key it came from
// ("body", "url", "headers.X-Client"), so validate points at its line.
type renderError struct {
	part string
	err  error
}

func (e *renderError) Error() string { return e.err.Error() }
func (e *renderError) Unwrap() error { return e.err }

// validJSON reports where a rendered body stops being JSON.
func validJSON(s string) error {
	_, err := decodeJSON([]byte(s))
	return err
}

// compileEndpoint compiles ep (at YAML path at) on top of the
// connector-wide headers, collecting problems instead of stopping.
// sample says what the endpoint's templates get: .PO and .Order
// (sampleOrder), the PO only (samplePO: the status poll), or a return
// too (sampleReturn). The connector-wide headers are checked once,
// by checkHeaders, not here for every endpoint.
func compileEndpoint(at string, ep Endpoint, defMethod string, cfg *Config, sample sampleKind) (*endpoint, []connector.Problem) {
	var ps []connector.Problem
	add := func(path, format string, args ...any) {
		ps = append(ps, connector.Problem{Path: join(at, path), Message: fmt.Sprintf(format, args...)})
	}
	e := &endpoint{name: at, method: strings.ToUpper(firstNonEmpty(ep.Method, defMethod))}
	switch e.method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		add("method", "must be GET, POST, PUT, PATCH or DELETE, got %q", ep.Method)
	}
	broken := false // a template that did not parse: nothing to render
	var err error
	if strings.TrimSpace(ep.URL) == "" {
		add("url", "missing required key")
		broken = true
	} else if e.url, err = parseTemplate(at+".url", ep.URL); err != nil {
		add("url", "%v", err)
		broken = true
	}
	if strings.TrimSpace(ep.Body) != "" {
		if e.method == http.MethodGet {
			add("body", "a GET request has no body")
		}
		if e.body, err = parseTemplate(at+".body", ep.Body); err != nil {
			add("body", "%v", err)
			broken = true
		}
	}
	ps = append(ps, checkHeaders(at, ep.Headers, ep.SecretHeaders)...)
	// Connector-wide headers first, then the endpoint's, which override
	// them by (canonical) name whichever kind they are.
	plain, secret := map[string]string{}, map[string]connector.Secret{}
	for _, layer := range []struct {
		hs map[string]string
		ss map[string]connector.Secret
	}{{cfg.Headers, cfg.SecretHeaders}, {ep.Headers, ep.SecretHeaders}} {
		for name, v := range layer.hs {
			key := textproto.CanonicalMIMEHeaderKey(name)
			delete(secret, key)
			plain[key] = v
		}
		for name, v := range layer.ss {
			key := textproto.CanonicalMIMEHeaderKey(name)
			delete(plain, key)
			secret[key] = v
		}
	}
	for _, name := range sortedKeys(plain) {
		t, err := parseTemplate(at+".headers."+name, plain[name])
		if err != nil {
			broken = true // reported by checkHeaders
			continue
		}
		e.headers = append(e.headers, plainHeader{name: name, value: t})
	}
	for _, name := range sortedKeys(secret) {
		e.secrets = append(e.secrets, secretHeader{name: name, value: secret[name]})
	}
	for _, name := range sortedKeys(cfg.SecretQuery) {
		e.query = append(e.query, secretParam{name: name, value: cfg.SecretQuery[name]})
	}
	if !broken {
		// Render against the sample PO: the errors a real PO would hit
		// (a missing function argument, a body that is not JSON) show
		// up in `dropgate validate`, not at 3 a.m.
		ps = append(ps, e.checkSample(at, cfg, sample)...)
	}
	return e, ps
}

// checkSample renders e for the sample PO and checks the URL carries no
// credential in plain sight.
func (e *endpoint) checkSample(at string, cfg *Config, sample sampleKind) []connector.Problem {
	d := sampleData()
	switch sample {
	case samplePO:
		d.Order = nil
	case sampleReturn:
		d.Return = sampleReturnOf(d.PO)
	}
	req, err := e.render(d)
	if err != nil {
		path := at
		var re *renderError
		if errors.As(err, &re) && !strings.HasPrefix(re.part, "headers.") {
			path = join(at, re.part) // a connector-wide header has no line under at
		}
		return []connector.Problem{{Path: path, Message: fmt.Sprintf("does not render for a sample purchase order: %v", err)}}
	}
	var ps []connector.Problem
	if u, err := url.Parse(req.url); err == nil {
		for _, name := range sortedKeys(u.Query()) {
			if _, secret := cfg.SecretQuery[name]; !secret && credentialName(name) {
				ps = append(ps, connector.Problem{Path: join(at, "url"),
					Message: fmt.Sprintf("query parameter %q looks like a credential: move it to secret_query (as ${ENV_VAR}) so it is kept out of logs and errors", name)})
			}
		}
	}
	return ps
}

// checkHeaders checks one level of headers (the connector's, prefix "",
// or an endpoint's): templates parse, no credential in plain headers, no
// name both plain and secret.
func checkHeaders(prefix string, hs map[string]string, ss map[string]connector.Secret) []connector.Problem {
	var ps []connector.Problem
	for _, name := range sortedKeys(hs) {
		path := join(prefix, "headers."+name)
		if _, dup := ss[name]; dup {
			ps = append(ps, connector.Problem{Path: path, Message: "also set in secret_headers"})
		}
		if credentialName(name) {
			ps = append(ps, connector.Problem{Path: path,
				Message: "looks like a credential: move it to secret_headers (as ${ENV_VAR}) so it is kept out of logs and errors"})
		}
		if _, err := parseTemplate(path, hs[name]); err != nil {
			ps = append(ps, connector.Problem{Path: path, Message: err.Error()})
		}
	}
	return ps
}

// credentialName reports whether a header or query parameter name says
// it carries a credential, which must not sit in plain `headers` or a URL.
func credentialName(name string) bool {
	n := strings.ToLower(name)
	if strings.Contains(n, "idempotency") {
		return false
	}
	for _, w := range []string{"auth", "token", "secret", "password", "passwd", "key", "cookie", "signature"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "." + b
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// redactor removes secret values from error text. Every error the
// connector returns passes through it: a transport error quotes the URL
// (which may carry a secret query parameter), and suppliers have been
// known to echo a request's headers in an error body.
type redactor struct {
	secrets []string // longest first, so a value hides before its parts
}

// minSecretLen keeps one- and two-character values (nobody's real token)
// from blanking every such letter pair in a message.
const minSecretLen = 3

func newRedactor(cfg *Config, eps ...Endpoint) redactor {
	var r redactor
	addValue := func(v string) {
		v = strings.TrimSpace(v)
		if len(v) < minSecretLen {
			return
		}
		r.secrets = append(r.secrets, v, url.QueryEscape(v), url.PathEscape(v))
		// "Bearer abc…": the credential alone, as an API may quote it.
		if f := strings.Fields(v); len(f) > 1 && len(f[len(f)-1]) >= minSecretLen {
			r.secrets = append(r.secrets, f[len(f)-1])
		}
	}
	for _, v := range cfg.SecretHeaders {
		addValue(v.Reveal())
	}
	for _, v := range cfg.SecretQuery {
		addValue(v.Reveal())
	}
	for _, ep := range eps {
		for _, v := range ep.SecretHeaders {
			addValue(v.Reveal())
		}
	}
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
	return r
}

// string replaces every secret in s.
func (r redactor) string(s string) string {
	for _, v := range r.secrets {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, "[redacted]")
		}
	}
	return s
}

// err returns err unchanged when its text holds no secret; otherwise an
// error of the same class (permanent, retryable not before the same
// time) with the text redacted. The original is dropped, since anything
// that unwrapped it could print the secret; only a context's end is
// kept, for errors.Is.
func (r redactor) err(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := r.string(msg)
	if clean == msg {
		return err
	}
	s := &scrubbed{msg: clean}
	switch {
	case errors.Is(err, context.Canceled):
		s.cause = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		s.cause = context.DeadlineExceeded
	}
	switch class, notBefore := fault.Classify(err); class {
	case fault.ClassPermanent, fault.ClassPartial:
		return fault.Permanent(s)
	case fault.ClassThrottled:
		var th *fault.ThrottledError
		errors.As(err, &th)
		return fault.Throttled(r.string(th.Key), notBefore)
	default:
		if notBefore.IsZero() {
			return fault.Retryable(s)
		}
		return fault.RetryAfter(s, notBefore)
	}
}

// scrubbed is an error whose text had secrets removed.
type scrubbed struct {
	msg   string
	cause error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.cause }

// sampleKind is what an endpoint's templates are checked against.
type sampleKind int

// Sample kinds.
const (
	sampleOrder  sampleKind = iota // .PO and .Order
	samplePO                       // .PO only
	sampleReturn                   // .PO, .Order and .Return
)
