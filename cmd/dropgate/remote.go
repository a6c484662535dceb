package main

import (
	"errors"
	"net"
	"strings"
	"syscall"

	"github.com/go-resty/resty/v2"

	"github.com/dropgate/dropgate/internal/config"
)

// Commands that work on the store (feed import, route --explain) run
// through a server when one owns it, and on the store directly otherwise.
// With the embedded store the file's lock says which: a server holds it
// for as long as it runs, so the command first tries the store and turns
// to the server only when the store is held; a server answering at the
// URL while the store is free belongs to another store. With redis (many
// servers share it) or an explicit --url/DROPGATE_URL the server is asked
// first and the store used only when no server answers.

// serverFirst reports whether to ask the server before the store.
func serverFirst(cfg *config.Config, explicitURL string) bool {
	return explicitURL != "" || cfg.Store.Driver != "embedded"
}

// serverClient is the admin API client for a command that has its config
// loaded: the URL from --url, DROPGATE_URL or server.listen, the token
// from --token, DROPGATE_ADMIN_TOKEN or server.admin_token.
func serverClient(cfgPath, url, token string) (*resty.Client, error) {
	f := adminFlags{url: url, token: token, config: cfgPath}
	return f.client()
}

// noClient is a failure to build the admin client (no token): there is
// no asking a server.
type noClient struct{ err error }

func (e noClient) Error() string { return e.err.Error() }
func (e noClient) Unwrap() error { return e.err }

// heldBy turns err, from asking the server that holds the store at path
// to do what (route, import), into what the user must know: that a
// server holds it, and why it could not be asked.
func heldBy(path, what string, err error) error {
	var nc noClient
	if errors.As(err, &nc) {
		return userErrorf("the store %s is held by a running dropgate server; to %s through it: %v", path, what, nc.err)
	}
	return err
}

// askedOr is the URL a command asked, or what it would have asked.
func askedOr(asked string) string {
	if asked != "" {
		return asked
	}
	return "the config's listen address"
}

// serverURL is the server's address, without the API path.
func serverURL(c *resty.Client) string { return strings.TrimSuffix(c.BaseURL, "/api/v1") }

// noServer reports whether err means nothing answered: no process listens
// at the address (connection refused) or it cannot be reached at all.
func noServer(err error) bool {
	if err == nil {
		return false
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}
