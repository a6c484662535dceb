package httpclient

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/dropgate/dropgate/core/connector"
)

// BaseURL reads a connector's base URL (base_url, auth_url…): an absolute
// http(s) URL, kept without a trailing slash so paths append to it.
func BaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%q is not an http(s) URL", raw)
	}
	return u, nil
}

// CheckURL is the config check of an optional URL key at path: no
// problem when raw is empty or an http(s) URL.
func CheckURL(path, raw string) []connector.Problem {
	if raw == "" {
		return nil
	}
	if _, err := BaseURL(raw); err != nil {
		return []connector.Problem{{Path: path, Message: err.Error()}}
	}
	return nil
}
