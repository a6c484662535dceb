package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/dropgate/dropgate/core/connector"
)

// errClosed ends the calls made on (or still running when) an SFTP
// transport is closed.
var errClosed = errors.New("transport closed")

// sftpSession is one SSH connection and the SFTP client running on it.
type sftpSession struct {
	ssh  *ssh.Client
	sftp *sftp.Client
	once sync.Once
	dead chan struct{} // closed when the connection ends, by either side
}

func newSFTPSession(sc *ssh.Client, fc *sftp.Client) *sftpSession {
	s := &sftpSession{ssh: sc, sftp: fc, dead: make(chan struct{})}
	go func() {
		_ = sc.Wait() // returns when the server or the network drops us
		s.markDead()
	}()
	return s
}

func (s *sftpSession) markDead() { s.once.Do(func() { close(s.dead) }) }

// alive reports whether the connection has not ended yet; a session that
// is not alive is replaced before the next call.
func (s *sftpSession) alive() bool {
	select {
	case <-s.dead:
		return false
	default:
		return true
	}
}

// close ends the session; it unblocks any call in flight on it. The SSH
// connection goes first: the SFTP client's Close waits for its reader,
// which only returns once the connection under it is gone. Even then
// pkg/sftp's Close was seen to wait forever under load (a full-suite run
// hung ten minutes in clientConn.Close's WaitGroup), so it runs on its own
// goroutine: the connection is already cut, and a caller must never hang
// on cleanup.
func (s *sftpSession) close() {
	s.markDead()
	_ = s.ssh.Close()
	go func() { _ = s.sftp.Close() }()
}

// do runs fn against the shared session, connecting first when there is
// none (Open does no I/O) or the last one died. Calls are serialised: the
// SFTP client itself is safe for concurrent use, but a call is cancelled by
// closing its connection, which must not take other callers' calls with it.
// A call failing because a reused connection turned out to be dead (the
// server dropped an idle client) is retried once on a new connection; every
// operation is safe to repeat (Put rewrites the same name, Archive of a file
// already moved reports ErrNotExist).
func (t *SFTP) do(ctx context.Context, op string, fn func(context.Context, *sftp.Client) error) error {
	ctx, cancel := context.WithTimeoutCause(ctx, t.timeout,
		fmt.Errorf("no answer within %s: %w", t.timeout, context.DeadlineExceeded))
	defer cancel()
	ctx, cancelClosed := context.WithCancelCause(ctx)
	defer cancelClosed(nil)
	defer context.AfterFunc(t.base, func() { cancelClosed(errClosed) })()

	select {
	case t.lock <- struct{}{}:
	case <-ctx.Done():
		return t.opErr(op, context.Cause(ctx))
	}
	defer func() { <-t.lock }()

	for try := 0; ; try++ {
		if ctx.Err() != nil {
			return t.opErr(op, context.Cause(ctx))
		}
		sess, fresh, err := t.session(ctx)
		if err != nil {
			return t.opErr(op, err)
		}
		err = runOn(ctx, sess, fn)
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			t.drop(sess) // runOn closed it to unblock the call
			return t.opErr(op, context.Cause(ctx))
		case !connectionLost(err, sess):
			return t.opErr(op, err)
		}
		t.drop(sess)
		if fresh || try > 0 {
			return t.opErr(op, err)
		}
	}
}

func (t *SFTP) opErr(op string, err error) error {
	return fmt.Errorf("sftp %s: %s: %w", t.addr, op, err)
}

// runOn runs fn on sess. Most pkg/sftp calls take no context, so ending
// ctx closes the connection, which is what returns them.
func runOn(ctx context.Context, sess *sftpSession, fn func(context.Context, *sftp.Client) error) error {
	stop := context.AfterFunc(ctx, sess.close)
	defer stop()
	return fn(ctx, sess.sftp)
}

// connectionLost reports whether err means the connection is gone rather
// than the server refusing the operation.
func connectionLost(err error, sess *sftpSession) bool {
	return !sess.alive() ||
		errors.Is(err, sftp.ErrSSHFxConnectionLost) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, io.ErrClosedPipe) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// session returns the live session, connecting when there is none; fresh
// tells whether it was made by this call.
func (t *SFTP) session(ctx context.Context) (sess *sftpSession, fresh bool, err error) {
	t.mu.Lock()
	sess = t.sess
	if sess != nil && !sess.alive() {
		sess.close()
		t.sess, sess = nil, nil
	}
	t.mu.Unlock()
	if sess != nil {
		return sess, false, nil
	}
	sess, err = t.connect(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("connect as %s: %w", t.user, err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.base.Err() != nil { // closed while we were connecting
		sess.close()
		return nil, false, errClosed
	}
	t.sess = sess
	return sess, true, nil
}

// drop forgets sess (closing it) so the next call connects anew.
func (t *SFTP) drop(sess *sftpSession) {
	sess.close()
	t.mu.Lock()
	if t.sess == sess {
		t.sess = nil
	}
	t.mu.Unlock()
}

// connect dials, checks the host key, authenticates and starts the SFTP
// subsystem, all within ctx.
func (t *SFTP) connect(ctx context.Context) (*sftpSession, error) {
	conn, err := t.dialer.DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return nil, err
	}
	// The SSH handshake and the SFTP init take no context: closing the
	// socket when ctx ends is what stops a server that accepted the TCP
	// connection but never answers.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	sess, err := t.handshake(conn)
	if !stop() {
		if sess != nil {
			sess.close()
		}
		return nil, context.Cause(ctx)
	}
	if err != nil {
		conn.Close()
		return nil, scrub(err, t.secrets...)
	}
	return sess, nil
}

func (t *SFTP) handshake(conn net.Conn) (*sftpSession, error) {
	c, chans, reqs, err := ssh.NewClientConn(conn, t.addr, t.config)
	if err != nil {
		return nil, err
	}
	client := ssh.NewClient(c, chans, reqs)
	fc, err := sftp.NewClient(client)
	if err != nil {
		client.Close()
		return nil, fmt.Errorf("start sftp subsystem: %w", err)
	}
	return newSFTPSession(client, fc), nil
}

// authMethods offers the private key first, then the password (also to
// servers that only allow keyboard-interactive, which is how many present
// their password prompt).
func authMethods(c Config) ([]ssh.AuthMethod, error) {
	var ms []ssh.AuthMethod
	if !c.PrivateKey.IsZero() {
		signer, err := parsePrivateKey(c.PrivateKey, c.PrivateKeyPassphrase)
		if err != nil {
			return nil, err
		}
		ms = append(ms, ssh.PublicKeys(signer))
	}
	if pw := c.Password; !pw.IsZero() {
		ms = append(ms, ssh.Password(pw.Reveal()),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, echos []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range questions {
					if !echos[i] { // a hidden answer is the password prompt
						answers[i] = pw.Reveal()
					}
				}
				return answers, nil
			}))
	}
	if len(ms) == 0 {
		return nil, errors.New("set password or private_key")
	}
	return ms, nil
}

// parsePrivateKey reads a PEM (PKCS#1, PKCS#8, SEC 1) or OpenSSH private
// key, decrypting it with passphrase when it is protected. A key pasted
// into an environment variable with literal "\n" is accepted too.
func parsePrivateKey(key, passphrase connector.Secret) (ssh.Signer, error) {
	text := key.Reveal()
	if !strings.Contains(text, "\n") && strings.Contains(text, `\n`) {
		text = strings.ReplaceAll(text, `\n`, "\n")
	}
	pemBytes := []byte(text)
	signer, err := ssh.ParsePrivateKey(pemBytes)
	var missing *ssh.PassphraseMissingError
	switch {
	case err == nil:
		return signer, nil
	case !errors.As(err, &missing):
		return nil, fmt.Errorf("private key (PEM or OpenSSH format): %w", scrub(err, key, passphrase))
	case passphrase.IsZero():
		return nil, errors.New("private key is passphrase protected: set private_key_passphrase")
	}
	signer, err = ssh.ParsePrivateKeyWithPassphrase(pemBytes, []byte(passphrase.Reveal()))
	if err != nil {
		return nil, fmt.Errorf("decrypt private key with private_key_passphrase: %w", scrub(err, key, passphrase))
	}
	return signer, nil
}

// scrub makes sure no secret value appears in err's message. The libraries
// are not known to echo credentials, but an error travels to logs and the
// admin API, so this is not left to trust.
func scrub(err error, secrets ...connector.Secret) error {
	msg := err.Error()
	for _, s := range secrets {
		// Shorter values would redact common substrings for nothing: a
		// secret that short is not protected by hiding it anyway.
		if v := s.Reveal(); len(v) >= 4 {
			msg = strings.ReplaceAll(msg, v, "[redacted]")
		}
	}
	if msg == err.Error() {
		return err
	}
	return &scrubbedError{msg: msg, err: err}
}

// scrubbedError is err with secrets cut out of its message; it still
// unwraps so errors.Is/As classify it.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }
