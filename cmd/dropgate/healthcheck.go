package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/dropgate/dropgate/internal/httpclient"
)

// runHealthcheck is `dropgate healthcheck`: the container's health probe
// (the image has no shell and no curl). It asks /readyz (or /healthz with
// --live) and exits 0 when the server says yes, 1 otherwise: Docker's
// HEALTHCHECK contract, in which 2 is reserved.
func runHealthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("healthcheck", stderr)
	u := fs.String("url", "", "server base `URL` (default: $DROPGATE_URL, else the address of $DROPGATE_LISTEN or of --config's server.listen, else http://127.0.0.1:8080)")
	cfgPath := fs.String("config", os.Getenv("DROPGATE_CONFIG"), "config `file` to read server.listen from")
	live := fs.Bool("live", false, "check liveness (/healthz) rather than readiness (/readyz: the store answers)")
	timeout := fs.Duration("timeout", 5*time.Second, "give up after `D`")
	asJSON := fs.Bool("json", false, "print the probe and the server's answer as JSON")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	base, err := probeBase(*u, *cfgPath)
	if err != nil {
		return err
	}
	path := "/readyz"
	if *live {
		path = "/healthz"
	}
	target := strings.TrimRight(base, "/") + path
	status, answer, err := probe(ctx, target, *timeout)
	if *asJSON {
		out := map[string]any{"url": target, "status": status, "healthy": err == nil && status == http.StatusOK, "answer": jsonOrText(answer)}
		if err != nil {
			out["error"] = err.Error()
		}
		_ = writeJSON(stdout, out)
	}
	switch {
	case err != nil:
		return exitError{exitUser, fmt.Errorf("%s: %w", target, err)}
	case status != http.StatusOK:
		return exitError{exitUser, fmt.Errorf("%s answered %d: %s", target, status, strings.TrimSpace(string(answer)))}
	}
	if !*asJSON {
		fmt.Fprintf(stdout, "ok: %s answered %d %s\n", target, status, strings.TrimSpace(string(answer)))
	}
	return nil
}

// probeBase finds the server to probe; inside the image DROPGATE_LISTEN
// (0.0.0.0:8080) is what serve listens on.
func probeBase(flagURL, cfgPath string) (string, error) {
	if flagURL != "" {
		return flagURL, nil
	}
	if v := os.Getenv("DROPGATE_URL"); v != "" {
		return v, nil
	}
	if v := os.Getenv("DROPGATE_LISTEN"); v != "" {
		return "http://" + dialable(v), nil
	}
	if cfgPath != "" {
		cfg, err := clientConfig(cfgPath)
		if err != nil {
			return "", err
		}
		return "http://" + dialable(cfg.Server.Listen), nil
	}
	return "http://127.0.0.1:8080", nil
}

// probe GETs target once; no retries: the container runtime asks again.
func probe(ctx context.Context, target string, timeout time.Duration) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, nil, userError{err}
	}
	hc := httpclient.NewHTTP(httpclient.Options{Name: "healthcheck", Timeout: timeout, Retries: -1})
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	return resp.StatusCode, answer, nil
}
