package app

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net"

	"github.com/dropgate/dropgate/internal/config"
)

// ErrDemoTokenExposed refuses to serve the admin API to the network with
// the token everyone can read in configs/demo.yaml.
var ErrDemoTokenExposed = errors.New("the admin token is the published demo token")

// CheckExposure returns ErrDemoTokenExposed (wrapped, with what to do)
// when the gateway would listen beyond loopback with the demo's admin
// token, unless allow says the operator wants exactly that (a throwaway
// container on a private network).
func CheckExposure(listen, token string, allow bool) error {
	if allow || subtle.ConstantTimeCompare([]byte(token), []byte(config.DemoAdminToken)) != 1 || Loopback(listen) {
		return nil
	}
	return fmt.Errorf("%w, and the gateway would listen on %s, beyond this machine: anyone who can reach it could "+
		"run the admin API. Set DROPGATE_ADMIN_TOKEN to a secret of your own (for example `openssl rand -hex 32`), "+
		"listen on 127.0.0.1, or allow it explicitly with --allow-demo-token (DROPGATE_ALLOW_DEMO_TOKEN=true)",
		ErrDemoTokenExposed, listen)
}

// Loopback reports whether a listen address only accepts connections from
// this machine: 127.0.0.0/8, ::1 or localhost. An empty host (":8080")
// and 0.0.0.0 listen everywhere; any other name might resolve anywhere.
func Loopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
