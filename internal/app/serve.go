package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// serveHTTP serves h on ln until ctx ends, then shuts the server down
// within server.shutdown_timeout.
func (a *App) serveHTTP(ctx context.Context, wg *sync.WaitGroup, errc chan<- error, ln net.Listener, h http.Handler) {
	grace := a.Config.Server.ShutdownTimeout
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       a.Config.Server.ReadTimeout,
		WriteTimeout:      a.Config.Server.ReadTimeout + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	go func() {
		defer wg.Done()
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			a.Log.Warn("http shutdown", "err", err)
		}
	}()
}

// serveOps gives a worker replica /healthz, /readyz and /metrics on its
// listen address, so an orchestrator can probe it and Prometheus can
// scrape its job counters (a worker's own; the gateway's show ingest
// only). A worker started beside a gateway on one host with the same
// config finds the port taken: it says so and works on without them,
// since its jobs matter more than its metrics; --listen gives it a port.
func (a *App) serveOps(ctx context.Context, wg *sync.WaitGroup, errc chan<- error) {
	ln := a.ln
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", a.Listen); err != nil {
			a.Log.Warn("worker serves no health or metrics: its listen address is taken (give it --listen or DROPGATE_LISTEN)", "addr", a.Listen, "err", err)
			return
		}
	}
	a.addr <- ln.Addr()
	a.Log.Info("worker health and metrics listening", "addr", ln.Addr().String())
	a.serveHTTP(ctx, wg, errc, ln, a.Gateway.OpsHandler())
}
