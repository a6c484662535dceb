package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/dropgate/dropgate/core/connector"
)

// runTrigger sends a correctly signed test webhook to a running gateway,
// like `stripe trigger`: from a built-in sample, or a file.
func runTrigger(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("trigger", stderr)
	cfgPath := fs.String("config", os.Getenv("DROPGATE_CONFIG"), "config `file`")
	name := fs.String("connector", "", "channel connector `name` (its webhook is /webhooks/NAME)")
	topic := fs.String("event", "", "event `topic`, e.g. orders/create")
	file := fs.String("file", "", "send this payload `file` instead of the built-in sample")
	url := fs.String("url", os.Getenv("DROPGATE_URL"), "gateway base `URL` (default: the configured listen address)")
	asJSON := fs.Bool("json", false, "print what was sent and the gateway's answer as JSON")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *name == "" || *topic == "" {
		return userErrorf("--connector and --event are required")
	}
	cfg, err := loadConfig(*cfgPath, stderr)
	if err != nil {
		return err
	}
	c := cfg.Find(*name)
	if c == nil {
		return userErrorf("no connector named %q in %s", *name, *cfgPath)
	}
	inst, err := c.Spec.Build(connector.Env{Name: c.Name, Logger: newLogger(io.Discard)}, c.Settings)
	if err != nil {
		return userErrorf("connector %s: %v", *name, err)
	}
	signer, ok := connector.As[connector.WebhookSigner](inst)
	if !ok {
		return userErrorf("connector %s (%s) does not receive webhooks", *name, c.Type)
	}
	var body []byte
	if *file != "" {
		if body, err = os.ReadFile(*file); err != nil {
			return userError{err}
		}
	} else if body, err = signer.SamplePayload(*topic); err != nil {
		return userError{err}
	}
	headers, err := signer.SignWebhook(*topic, body)
	if err != nil {
		return userError{err}
	}
	base := *url
	if base == "" {
		base = "http://" + dialable(cfg.Server.Listen)
	}
	target := strings.TrimRight(base, "/") + "/webhooks/" + *name
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return userError{err}
	}
	req.Header = headers
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("post %s: %w (is `dropgate serve` running?)", target, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if *asJSON {
		out := map[string]any{"url": target, "topic": *topic, "bytes": len(body), "status": resp.StatusCode, "answer": jsonOrText(answer)}
		if err := writeJSON(stdout, out); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(stdout, "POST %s (%s, %d bytes) → %s\n%s", target, *topic, len(body), resp.Status, answer)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("gateway answered %s", resp.Status)
	}
	return nil
}

// dialable turns a listen address into one a client can dial: ":8080" and
// "0.0.0.0:8080" become 127.0.0.1:8080.
func dialable(listen string) string {
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return listen
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
