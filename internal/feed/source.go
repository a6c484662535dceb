package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path"
	"sync/atomic"
	"time"

	"github.com/dropgate/dropgate/core/clock"
	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/httpclient"
	"github.com/dropgate/dropgate/internal/transport"
)

// fetched is an opened feed source.
type fetched struct {
	body  io.ReadCloser // nil when unchanged
	name  string        // for messages: the file, the URL without its query, host:path
	total int64         // bytes to read; -1 unknown
	v     Validators    // identify this content
	// unchanged: the source says it is the content of prev (ETag, Last-
	// Modified, or size and time), so it was not read.
	unchanged bool
	// modTime is the source's own time (Last-Modified, file time), zero
	// when it has none: freshness of an unchanged feed.
	modTime time.Time
}

// sourceEnv is what opening a source needs.
type sourceEnv struct {
	supplier string
	store    store.Store // rate limiter of HTTP sources
	clock    clock.Clock
	log      *slog.Logger
	// transport overrides the HTTP transport (tests).
	transport http.RoundTripper
	calls     connector.CallObserver // the metrics of the fetch (nil: none)
}

// openSource opens the configured source, or file instead when set.
// With prev set (not forced) it first asks whether the content changed.
func openSource(ctx context.Context, env sourceEnv, src *Source, file string, prev *Validators) (*fetched, error) {
	switch {
	case file != "":
		return openFile(file, nil)
	case src.File != "":
		return openFile(src.File, prev)
	case src.URL != "":
		return openURL(ctx, env, src, prev)
	case src.SFTP != nil:
		return openSFTP(ctx, src, prev)
	}
	return nil, userErrorf("feed of %s has no source", env.supplier)
}

func openFile(name string, prev *Validators) (*fetched, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, userErrorf("feed file %s: %v", name, unwrapPath(err))
	}
	if fi.IsDir() {
		return nil, userErrorf("feed file %s is a directory", name)
	}
	f := &fetched{name: name, total: fi.Size(), modTime: fi.ModTime().UTC(), v: Validators{Size: fi.Size(), ModTime: fi.ModTime().UTC()}}
	if prev != nil && prev.Size == f.v.Size && prev.ModTime.Equal(f.v.ModTime) {
		f.unchanged = true
		return f, nil
	}
	h, err := os.Open(name)
	if err != nil {
		return nil, userErrorf("feed file %s: %v", name, unwrapPath(err))
	}
	f.body = h
	return f, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// openURL GETs the feed through dropgate's HTTP client, conditionally
// when validators of the last fetch are known: 304 means unchanged.
func openURL(ctx context.Context, env sourceEnv, src *Source, prev *Validators) (*fetched, error) {
	timeout := src.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	u, _ := url.Parse(src.URL)
	shown := u.Scheme + "://" + u.Host + u.Path // the query may carry a token
	client := httpclient.New(httpclient.Options{
		Name: env.supplier + "-feed", Limiter: env.store, Key: "feed:" + env.supplier, Timeout: timeout,
		Clock: env.clock, Logger: env.log, Transport: env.transport, Calls: env.calls,
	})
	req := client.R().SetContext(ctx).SetDoNotParseResponse(true)
	for k, v := range src.Headers {
		req.SetHeader(k, v.Reveal())
	}
	if prev != nil {
		if prev.ETag != "" {
			req.SetHeader("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			req.SetHeader("If-Modified-Since", prev.LastModified)
		}
	}
	resp, err := req.Get(src.URL)
	if err != nil {
		return nil, fault.Retryable(fmt.Errorf("GET %s: %w", shown, err))
	}
	raw := resp.RawResponse
	f := &fetched{name: shown, total: raw.ContentLength, v: Validators{ETag: raw.Header.Get("ETag"), LastModified: raw.Header.Get("Last-Modified")}}
	if t, err := http.ParseTime(f.v.LastModified); err == nil {
		f.modTime = t.UTC()
	}
	if raw.StatusCode == http.StatusNotModified {
		_ = raw.Body.Close()
		f.unchanged = true
		if prev != nil {
			// A 304 need not repeat the validators.
			if f.v.ETag == "" {
				f.v.ETag = prev.ETag
			}
			if f.v.LastModified == "" {
				f.v.LastModified = prev.LastModified
				if t, err := http.ParseTime(prev.LastModified); err == nil {
					f.modTime = t.UTC()
				}
			}
		}
		return f, nil
	}
	if raw.StatusCode >= 300 {
		body, _ := io.ReadAll(io.LimitReader(raw.Body, 4<<10))
		_ = raw.Body.Close()
		return nil, httpclient.StatusError("GET "+shown, raw, body, env.clock.Now())
	}
	f.body = raw.Body
	return f, nil
}

// openSFTP lists the feed's directory for its size and time, then streams
// the file when it changed.
func openSFTP(ctx context.Context, src *Source, prev *Validators) (*fetched, error) {
	dir, base := path.Split(src.Path)
	if dir == "" {
		dir = "."
	}
	t, err := transport.NewSFTP(src.SFTP.Transport(path.Clean(dir)))
	if err != nil {
		return nil, userErrorf("feed sftp: %v", err)
	}
	files, err := t.List(ctx)
	if err != nil {
		_ = t.Close()
		return nil, fault.Retryable(err)
	}
	f := &fetched{name: src.SFTP.Host + ":" + src.Path, total: -1}
	found := false
	for _, fi := range files {
		if fi.Name == base {
			found = true
			f.total, f.modTime = fi.Size, fi.ModTime.UTC()
			f.v = Validators{Size: fi.Size, ModTime: fi.ModTime.UTC()}
		}
	}
	if !found {
		_ = t.Close()
		// The supplier may be between deleting and uploading: retry.
		return nil, fault.Retryable(fmt.Errorf("feed %s: no such file on the server", f.name))
	}
	if prev != nil && prev.Size == f.v.Size && prev.ModTime.Equal(f.v.ModTime) {
		_ = t.Close()
		f.unchanged = true
		return f, nil
	}
	rc, err := t.Open(ctx, base)
	if err != nil {
		_ = t.Close()
		return nil, fault.Retryable(err)
	}
	f.body = &closeBoth{ReadCloser: rc, also: t}
	return f, nil
}

// closeBoth closes the stream, then the transport under it.
type closeBoth struct {
	io.ReadCloser
	also io.Closer
}

func (c *closeBoth) Close() error {
	return errors.Join(c.ReadCloser.Close(), c.also.Close())
}

// countingReader counts the bytes read through it, for progress.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
