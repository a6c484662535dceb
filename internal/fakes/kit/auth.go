package kit

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
)

// Auth checks a request's credentials (with its body, for signed
// requests) and names the principal: a token, a user, an app key. The
// principal keys the quota (per app on Shopify) and is logged.
type Auth interface {
	Check(r *http.Request, body []byte) (principal string, ok bool)
}

// AuthFunc adapts a function to Auth (a fake whose tokens depend on the
// tenant: a Shopify token opens one shop only).
type AuthFunc func(r *http.Request, body []byte) (string, bool)

// Check calls f.
func (f AuthFunc) Check(r *http.Request, body []byte) (string, bool) { return f(r, body) }

// Equal compares secrets in constant time.
func Equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// oneOf returns the token matching got, comparing every candidate in
// constant time.
func oneOf(got string, tokens []string) (string, bool) {
	found := ""
	for _, t := range tokens {
		if got != "" && Equal(got, t) {
			found = t
		}
	}
	return found, found != ""
}

// Bearer accepts "Authorization: Bearer <token>" with one of tokens
// (Magento, eBay, supplier APIs).
func Bearer(tokens ...string) Auth {
	return AuthFunc(func(r *http.Request, _ []byte) (string, bool) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			return "", false
		}
		return oneOf(tok, tokens)
	})
}

// HeaderToken accepts a token in a header of its own (Shopify's
// X-Shopify-Access-Token, BigCommerce's X-Auth-Token, Amazon's
// x-amz-access-token, Walmart's WM_SEC.ACCESS_TOKEN).
func HeaderToken(header string, tokens ...string) Auth {
	return AuthFunc(func(r *http.Request, _ []byte) (string, bool) {
		return oneOf(r.Header.Get(header), tokens)
	})
}

// Basic accepts HTTP Basic credentials user:pass, or with query set the
// same pair as query parameters (WooCommerce's consumer_key and
// consumer_secret, for servers that strip Authorization).
func Basic(user, pass string, query ...string) Auth {
	return AuthFunc(func(r *http.Request, _ []byte) (string, bool) {
		u, p, ok := r.BasicAuth()
		if !ok && len(query) == 2 {
			q := r.URL.Query()
			u, p, ok = q.Get(query[0]), q.Get(query[1]), q.Has(query[0])
		}
		if !ok || !Equal(u, user) || !Equal(p, pass) {
			return "", false
		}
		return u, true
	})
}

// Encoding is how a signature is written in its header.
type Encoding int

// Signature encodings.
const (
	Base64 Encoding = iota // Shopify, WooCommerce, Walmart
	Hex                    // many supplier APIs, often behind "sha256="
)

// HMAC accepts a request whose header carries HMAC-SHA256(secret, body),
// encoded as enc after an optional prefix ("sha256="): signed requests
// and webhook deliveries (a fake of a platform that pushes to us checks
// what our sender signs). The principal is the header's name.
func HMAC(header, prefix string, secret []byte, enc Encoding) Auth {
	return AuthFunc(func(r *http.Request, body []byte) (string, bool) {
		got, ok := strings.CutPrefix(strings.TrimSpace(r.Header.Get(header)), prefix)
		if !ok || got == "" {
			return "", false
		}
		var sig []byte
		var err error
		if enc == Hex {
			sig, err = hex.DecodeString(got)
		} else {
			sig, err = base64.StdEncoding.DecodeString(got)
		}
		if err != nil {
			return "", false
		}
		m := hmac.New(sha256.New, secret)
		m.Write(body)
		return header, hmac.Equal(sig, m.Sum(nil))
	})
}

// Sign computes the header value HMAC expects, for tests of the fake and
// for a fake that signs what it sends.
func Sign(secret, body []byte, prefix string, enc Encoding) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	if enc == Hex {
		return prefix + hex.EncodeToString(m.Sum(nil))
	}
	return prefix + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// AllOf accepts a request every check accepts (Etsy wants an x-api-key
// and a bearer token); the principal is the first check's.
func AllOf(checks ...Auth) Auth {
	return AuthFunc(func(r *http.Request, body []byte) (string, bool) {
		first := ""
		for i, c := range checks {
			p, ok := c.Check(r, body)
			if !ok {
				return "", false
			}
			if i == 0 {
				first = p
			}
		}
		return first, true
	})
}
