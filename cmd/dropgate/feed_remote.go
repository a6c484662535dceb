package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dropgate/dropgate/gateway"
	"github.com/dropgate/dropgate/internal/engine"
	"github.com/dropgate/dropgate/internal/feed"
	"github.com/dropgate/dropgate/internal/httpclient"
)

// feedRemoteTimeout bounds an import through the server: a large feed is
// uploaded and parsed in one request (the server allows 30 minutes).
const feedRemoteTimeout = 31 * time.Minute

// feedImport is one `dropgate feed import`, locally or through a server.
type feedImport struct {
	cfgPath, url, token string
	supplier            string
	opts                engine.FeedImport
	json                bool // --json: the result as JSON
	stdout, stderr      io.Writer
	asked               string // the server's URL, once asked
}

// remote runs the import in the server: POST
// /api/v1/feeds/{supplier}/import, --file sent as the body. A dial error
// (noServer) means nobody answered and nothing happened.
func (fi *feedImport) remote(ctx context.Context) error {
	c, err := serverClient(fi.cfgPath, fi.url, fi.token)
	if err != nil {
		return noClient{err}
	}
	fi.asked = serverURL(c)
	q := url.Values{}
	if fi.opts.DryRun {
		q.Set("dry_run", "true")
	}
	if fi.opts.Force {
		q.Set("force", "true")
	}
	var body io.Reader = http.NoBody
	var size int64
	if fi.opts.File != "" {
		f, err := os.Open(fi.opts.File)
		if err != nil {
			return userErrorf("--file: %v", err)
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return userErrorf("--file: %v", err)
		}
		body, size = f, st.Size() // streamed, not read into memory
		q.Set("filename", filepath.Base(fi.opts.File))
	}
	path := "/feeds/" + url.PathEscape(fi.supplier) + "/import?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+path, body)
	if err != nil {
		return err
	}
	req.ContentLength = size
	req.Header = c.Header.Clone()
	req.Header.Set("Authorization", "Bearer "+c.Token)
	hc := httpclient.NewHTTP(httpclient.Options{Name: "admin-cli", Timeout: feedRemoteTimeout})
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	fmt.Fprintf(fi.stderr, "feed import: through the server at %s, which holds the store\n", fi.asked)
	return fi.answer(resp)
}

// answer reports the server's answer as the local import would.
func (fi *feedImport) answer(resp *http.Response) error {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("reading the server's answer: %w", err)
	}
	var out gateway.FeedImportResponse
	if json.Unmarshal(raw, &out) != nil {
		return fmt.Errorf("the server answered %s: %s", resp.Status, strings.TrimSpace(string(raw)))
	}
	ok := resp.StatusCode == http.StatusOK
	fi.print(out.Result, out.Errors, !ok)
	switch resp.StatusCode {
	case http.StatusOK:
		return fi.quarantined(out.Result, out.Exception)
	case http.StatusUnauthorized:
		return userErrorf("the server at %s refused the admin token (set DROPGATE_ADMIN_TOKEN or --token)", fi.asked)
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusNotFound:
		return userErrorf("%s", out.Error)
	case http.StatusConflict:
		return fmt.Errorf("%s: wait for it to finish", out.Error)
	}
	return fmt.Errorf("the server answered %s: %s", resp.Status, out.Error)
}

// print writes the result; after a failure only when rows were read.
func (fi *feedImport) print(res *feed.Result, rowErrs []string, failed bool) {
	if res == nil || (failed && res.Rows == 0) {
		return
	}
	if fi.json {
		_ = writeJSON(fi.stdout, res)
		return
	}
	printFeedResult(fi.stdout, res, rowErrs)
}

// quarantined is exit 1 with the actions, for an import left in
// quarantine.
func (fi *feedImport) quarantined(res *feed.Result, exception string) error {
	if res == nil || !res.Quarantined || res.DryRun {
		return nil
	}
	return userErrorf("the import is quarantined; approve it with `dropgate exceptions approve %s` or drop it with "+
		"`dropgate exceptions discard %s` (admin API of a running server)", exception, exception)
}
