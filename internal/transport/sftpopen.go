package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sync"

	"github.com/pkg/sftp"
)

// Open streams an inbox file rather than reading it whole as Get does: a
// supplier's stock feed can be hundreds of megabytes. A missing file is
// ErrNotExist. The transport's connection is reserved for the stream until
// Close, so other calls on this transport wait for it. Opening is bounded
// by the transport's timeout, reading only by ctx: ending ctx (or closing
// the transport) ends the stream by closing the connection.
func (t *SFTP) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	op := "open " + name
	select {
	case t.lock <- struct{}{}:
	case <-ctx.Done():
		return nil, t.opErr(op, context.Cause(ctx))
	case <-t.base.Done():
		return nil, t.opErr(op, errClosed)
	}
	for try := 0; ; try++ {
		f, sess, fresh, err := t.openOnce(ctx, name)
		if err == nil {
			stopCtx := context.AfterFunc(ctx, sess.close)
			stopBase := context.AfterFunc(t.base, sess.close)
			return &sftpStream{f: f, done: func() {
				stopCtx()
				stopBase()
				<-t.lock
			}}, nil
		}
		if sess == nil || errors.Is(err, ErrNotExist) || ctx.Err() != nil || !connectionLost(err, sess) || fresh || try > 0 {
			if sess != nil && (ctx.Err() != nil || !sess.alive()) {
				t.drop(sess)
			}
			<-t.lock
			if errors.Is(err, ErrNotExist) {
				return nil, err
			}
			return nil, t.opErr(op, err)
		}
		t.drop(sess) // a reused connection had died: once more on a new one
	}
}

// openOnce opens the file on the shared session within the timeout.
func (t *SFTP) openOnce(ctx context.Context, name string) (*sftp.File, *sftpSession, bool, error) {
	octx, cancel := context.WithTimeoutCause(ctx, t.timeout,
		fmt.Errorf("no answer within %s: %w", t.timeout, context.DeadlineExceeded))
	defer cancel()
	sess, fresh, err := t.session(octx)
	if err != nil {
		return nil, nil, false, err
	}
	var f *sftp.File
	err = runOn(octx, sess, func(_ context.Context, c *sftp.Client) error {
		var err error
		f, err = c.Open(path.Join(t.inbox, name))
		if errors.Is(err, fs.ErrNotExist) {
			return ErrNotExist
		}
		return err
	})
	if err != nil && octx.Err() != nil {
		err = context.Cause(octx)
	}
	return f, sess, fresh, err
}

// sftpStream is an open remote file holding the transport's connection.
type sftpStream struct {
	f    *sftp.File
	once sync.Once
	done func()
}

func (s *sftpStream) Read(p []byte) (int, error) { return s.f.Read(p) }

// Close closes the remote file and frees the connection for other calls.
func (s *sftpStream) Close() error {
	var err error
	s.once.Do(func() {
		err = s.f.Close()
		s.done()
	})
	return err
}
