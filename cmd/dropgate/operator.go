package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/dropgate/dropgate/internal/config"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// adminFlags are the flags every operator command shares.
type adminFlags struct {
	url, token, config string
	json               bool
}

func (f *adminFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "url", os.Getenv("DROPGATE_URL"), "server `URL` (default: the config's listen address, or http://127.0.0.1:8080)")
	fs.StringVar(&f.token, "token", "", "admin bearer `token` (default: $DROPGATE_ADMIN_TOKEN, or the config's server.admin_token)")
	fs.StringVar(&f.config, "config", os.Getenv("DROPGATE_CONFIG"), "config `file` to read the URL and token from")
	fs.BoolVar(&f.json, "json", false, "print the API's JSON")
}

// adminCommand parses an operator command's flags (with extra, its own),
// runs the checks of their values, and builds the client. help is true
// when -h was asked for: the caller returns at once, before any token is
// needed.
func adminCommand(path string, args []string, stderr io.Writer, extra func(*flag.FlagSet), checks ...func() error) (fs *flag.FlagSet, af *adminFlags, c *resty.Client, help bool, err error) {
	fs = newFlags(path, stderr)
	af = &adminFlags{}
	af.register(fs)
	if extra != nil {
		extra(fs)
	}
	if help, err = parse(fs, args); help || err != nil {
		return fs, af, nil, help, err
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return fs, af, nil, false, err
		}
	}
	c, err = af.client()
	return fs, af, c, false, err
}

// client builds the admin API client. The token comes from the flag, the
// environment or the config, never from a file the CLI writes.
func (f *adminFlags) client() (*resty.Client, error) {
	base, token := f.url, f.token
	if token == "" {
		token = os.Getenv("DROPGATE_ADMIN_TOKEN")
	}
	if f.config != "" && (base == "" || token == "") {
		cfg, err := clientConfig(f.config)
		if err != nil {
			return nil, err
		}
		if base == "" {
			base = "http://" + dialable(cfg.Server.Listen)
		}
		if token == "" {
			token = cfg.Server.AdminToken.Reveal()
		}
	}
	if base == "" {
		base = "http://127.0.0.1:8080"
	}
	if token == "" {
		return nil, userErrorf("no admin token: set DROPGATE_ADMIN_TOKEN, --token or --config")
	}
	who := "cli"
	if u, err := user.Current(); err == nil {
		who = "cli:" + u.Username
	}
	c := httpclient.New(httpclient.Options{Name: "admin-cli", Timeout: 30 * time.Second}).
		SetBaseURL(strings.TrimRight(base, "/")+"/api/v1").SetAuthToken(token).SetHeader("X-Dropgate-Actor", who)
	return c, nil
}

// clientConfig loads a config a client command reads the server's
// address (and token) from, quietly: problems make it unusable.
func clientConfig(path string) (*config.Config, error) {
	cfg, probs, err := config.Load(path, config.Options{})
	if err != nil {
		return nil, userError{err}
	}
	if len(probs.Errors()) > 0 {
		return nil, userErrorf("%s has problems; run dropgate validate", path)
	}
	return cfg, nil
}

// call does one request and decodes the answer; API errors become user
// errors (404, 409) or runtime errors.
func call(ctx context.Context, c *resty.Client, method, path string, out any) ([]byte, error) {
	return callWith(ctx, c, method, path, nil, out)
}

// callWith is call with a JSON request body.
func callWith(ctx context.Context, c *resty.Client, method, path string, reqBody, out any) ([]byte, error) {
	req := c.R().SetContext(ctx)
	if reqBody != nil {
		req.SetBody(reqBody)
	}
	resp, err := req.Execute(method, path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w (is dropgate serve running?)", method, path, err)
	}
	body := resp.Body()
	if resp.IsError() {
		var e struct{ Error string }
		_ = json.Unmarshal(body, &e)
		msg := firstNonEmptyStr(e.Error, strings.TrimSpace(string(body)))
		switch resp.StatusCode() {
		case 401:
			return nil, userErrorf("the server refused the admin token")
		case 404, 409, 400:
			return nil, userErrorf("%s", msg)
		}
		return nil, fmt.Errorf("%s %s: %s: %s", method, path, resp.Status(), msg)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return nil, fmt.Errorf("decoding %s: %w", path, err)
		}
	}
	return body, nil
}

// show prints an API answer: its JSON with --json, else what human
// prints from the decoded answer.
func show(ctx context.Context, c *resty.Client, af *adminFlags, stdout io.Writer, method, path string, reqBody, out any, human func() error) error {
	body, err := callWith(ctx, c, method, path, reqBody, out)
	if err != nil {
		return err
	}
	if af.json {
		printJSON(stdout, body)
		return nil
	}
	return human()
}

func firstNonEmptyStr(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
