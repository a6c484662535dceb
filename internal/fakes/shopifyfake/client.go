package shopifyfake

import (
	"fmt"
	"net/http"
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
func (f *Fake) Transport() http.RoundTripper { return f.srv.Transport() }

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
