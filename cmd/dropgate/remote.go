package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/go-resty/resty/v2"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/app"
	"github.com/dropgate/dropgate/internal/config"
	"github.com/dropgate/dropgate/internal/store/embedded"
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

// storeOrServer runs a read-only command over the stored orders (route
// --replay, reports margin) where they are: remote asks the server, local
// reads the store. The server is asked first when serverFirst says so,
// and whenever the embedded store is held; what names the command in
// messages. It returns where it ran.
func storeOrServer[T any](ctx context.Context, cfg *config.Config, explicitURL, what string,
	remote func() (T, string, error), local func(app.ReplaySource) (T, error)) (T, string, error) {
	var zero T
	if serverFirst(cfg, explicitURL) {
		v, where, err := remote()
		var nc noClient
		switch {
		case err == nil:
			return v, where, nil
		case noServer(err), errors.As(err, &nc) && explicitURL == "":
		default:
			return zero, "", err
		}
	}
	if cfg.Store.Driver != "embedded" {
		st, err := app.OpenStore(ctx, cfg, clock.Real{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			return zero, "", err
		}
		defer st.Close()
		v, err := local(st)
		return v, "redis " + cfg.Store.URL, err
	}
	path := cfg.Resolve(cfg.Store.Path)
	rd, err := embedded.OpenReader(path, readerLockTimeout)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return zero, "", userErrorf("the store %s does not exist: no order to %s", path, what)
	case errors.Is(err, store.ErrUnavailable) && explicitURL == "":
		v, where, serr := remote()
		if serr != nil {
			return zero, "", heldBy(path, what, serr)
		}
		return v, where, nil
	case err != nil:
		return zero, "", err
	}
	defer rd.Close()
	v, err := local(rd)
	return v, "the store " + path, err
}
