package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSFTPOpenStreams(t *testing.T) {
	srv := newTestServer(t)
	tr := openSFTP(t, srv.config())
	ctx := context.Background()
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB: many SFTP packets
	writeFile(t, filepath.Join(srv.local("in"), "feed.csv"), big)

	rc, err := tr.Open(ctx, "feed.csv")
	if err != nil {
		t.Fatal(err)
	}
	// Another call waits for the stream to close (one connection).
	listed := make(chan error, 1)
	go func() {
		_, err := tr.List(ctx)
		listed <- err
	}()
	var got bytes.Buffer
	if _, err := io.Copy(&got, rc); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-listed:
		t.Fatalf("List ran while the stream held the connection: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	if err := rc.Close(); err != nil {
		t.Fatal(err)
	}
	if err := rc.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := <-listed; err != nil {
		t.Fatalf("List after Close: %v", err)
	}
	if got.String() != big {
		t.Fatalf("read %d bytes, want %d", got.Len(), len(big))
	}

	if _, err := tr.Open(ctx, "missing.csv"); !errors.Is(err, ErrNotExist) {
		t.Errorf("missing: %v, want ErrNotExist", err)
	}
	if _, err := tr.Open(ctx, "../etc/passwd"); err == nil {
		t.Error("Open accepted a path escaping the inbox")
	}

	// Ending the context ends a stream in flight; the transport recovers.
	cctx, cancel := context.WithCancel(ctx)
	rc, err = tr.Open(cctx, "feed.csv")
	if err != nil {
		t.Fatal(err)
	}
	tr.mu.Lock()
	sess := tr.sess
	tr.mu.Unlock()
	cancel()
	select { // the connection is closed on the context's own goroutine
	case <-sess.dead:
	case <-time.After(5 * time.Second):
		t.Fatal("cancelling did not close the connection")
	}
	if _, err := io.Copy(io.Discard, rc); err == nil {
		t.Error("read after cancel succeeded")
	}
	_ = rc.Close()
	if b, err := tr.Get(ctx, "feed.csv"); err != nil || len(b) != len(big) {
		t.Errorf("Get after a cancelled stream: %d bytes, %v", len(b), err)
	}
}
