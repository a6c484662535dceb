package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/lifecycle"
	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/core/routing"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/gateway"
	"github.com/dropgate/dropgate/internal/app"
	"github.com/dropgate/dropgate/internal/config"
	"github.com/dropgate/dropgate/internal/feed"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// readerLockTimeout is how long route --explain waits for the embedded
// store's lock before concluding a server holds it.
const readerLockTimeout = 200 * time.Millisecond

// explainer is what route --explain needs to find the offers.
type explainer struct {
	cfg        *config.Config
	cfgPath    string
	url, token string
	stderr     io.Writer
	asked      string // the server's URL, once asked
}

// routeExplanation is a gateway.RouteExplanation with where its offers
// came from, for the person reading it.
type routeExplanation struct {
	gateway.RouteExplanation
	// Where is the server's URL or the store's path; Note says why feed
	// offers are left out, when they are.
	Where string `json:"where,omitempty"`
	Note  string `json:"note,omitempty"`
}

// explainOrder routes the order against the offers the server uses (see
// remote.go for the choice between the server and the store).
func explainOrder(ctx context.Context, x explainer, o *model.Order) (routeExplanation, error) {
	if serverFirst(x.cfg, x.url) {
		ex, err := x.fromServer(ctx, o)
		var nc noClient
		switch {
		case err == nil:
			return ex, nil
		case noServer(err), errors.As(err, &nc) && x.url == "":
			// Nobody to ask: the store has the same snapshots.
		default:
			return ex, err
		}
	}
	if x.cfg.Store.Driver != "embedded" {
		return x.fromRedis(ctx, o)
	}
	path := x.cfg.Resolve(x.cfg.Store.Path)
	rd, err := embedded.OpenReader(path, readerLockTimeout)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return x.local(ctx, o, nil, "", fmt.Sprintf("the store %s does not exist yet, so no feed snapshot is applied", path))
	case errors.Is(err, store.ErrUnavailable) && x.url == "":
		// A server holds the store: it has the offers.
		ex, serr := x.fromServer(ctx, o)
		if serr == nil || !noServer(serr) {
			return ex, heldBy(path, "route", serr)
		}
		return x.local(ctx, o, nil, "", fmt.Sprintf("the store %s is held by another dropgate process and no server answers at %s "+
			"(pass --url): feed offers are left out", path, askedOr(x.asked)))
	case err != nil:
		return x.local(ctx, o, nil, "", fmt.Sprintf("%v: feed offers are left out", err))
	}
	defer rd.Close()
	return x.local(ctx, o, rd, path, "")
}

// fromServer asks the server: POST /api/v1/route/explain.
func (x *explainer) fromServer(ctx context.Context, o *model.Order) (routeExplanation, error) {
	var ex routeExplanation
	c, err := serverClient(x.cfgPath, x.url, x.token)
	if err != nil {
		return ex, noClient{err}
	}
	x.asked = serverURL(c)
	if _, err := callWith(ctx, c, "POST", "/route/explain", o, &ex.RouteExplanation); err != nil {
		return ex, err
	}
	ex.Where = x.asked
	return ex, nil
}

// fromRedis reads the applied feed snapshots from the shared redis store.
func (x *explainer) fromRedis(ctx context.Context, o *model.Order) (routeExplanation, error) {
	st, err := app.OpenStore(ctx, x.cfg, clock.Real{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return x.local(ctx, o, nil, "", fmt.Sprintf("%v: feed offers are left out", err))
	}
	defer st.Close()
	return x.local(ctx, o, st, "redis "+x.cfg.Store.URL, "")
}

// local routes with the config's catalog files and, with st, the feed
// snapshots applied in it; note says why feeds are left out.
func (x *explainer) local(ctx context.Context, o *model.Order, st feed.Reader, where, note string) (routeExplanation, error) {
	cat, err := app.LoadCatalog(x.cfg, clock.Real{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return routeExplanation{}, userError{err}
	}
	source := gateway.SourceFiles
	switch {
	case !app.HasFeeds(x.cfg):
		note, where = "", "" // no feed: the files are all there is
	case st != nil:
		if err := app.LoadFeeds(ctx, x.cfg, cat, st); err != nil {
			return routeExplanation{}, fmt.Errorf("reading the feed snapshots applied in %s: %w", where, err)
		}
		source = gateway.SourceStore
	}
	router := &routing.Router{Config: x.cfg.Routing, Suppliers: app.Profiles(x.cfg), Catalog: cat}
	if n := localScores(ctx, x.cfg, router, st); n != "" {
		note = joinNotes(note, n)
	}
	ex := routeExplanation{RouteExplanation: gateway.RouteExplanation{
		Result: router.Route(routing.OrderRequest(o)), Source: source, Catalog: cat.Describe(), Holds: lifecycle.Validate(o),
	}, Where: where, Note: note}
	if note != "" {
		fmt.Fprintf(x.stderr, "warning: %s\n", note)
	}
	return ex, nil
}

// offersLine says where the offers came from.
func offersLine(ex routeExplanation) string {
	switch ex.Source {
	case gateway.SourceServer:
		return fmt.Sprintf("the live catalog of the server at %s — %s", ex.Where, ex.Catalog)
	case gateway.SourceStore:
		return fmt.Sprintf("catalog files and the feed snapshots applied in the store %s, which no server holds — %s", ex.Where, ex.Catalog)
	}
	return "catalog files only — " + ex.Catalog
}
