package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path"
	"strconv"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/dropgate/dropgate/core/connector"
)

// DefaultSFTPTimeout bounds an SFTP call when the config sets no timeout.
const DefaultSFTPTimeout = 30 * time.Second

// SFTP extensions used when the server announces them (OpenSSH does).
const (
	extPosixRename = "posix-rename@openssh.com" // rename over an existing file
	extFsync       = "fsync@openssh.com"        // flush an upload before it is renamed into view
)

// SFTP is a transport on a partner's SFTP server. Paths are the server's
// (forward slashes; relative ones start at the login directory). It
// connects on first use, keeps one connection for all calls and replaces
// it when it breaks. The server's host key must match the pinned one.
// The first Put sweeps the outbox of temporary files left by a writer
// that died (see stale.go).
type SFTP struct {
	addr, user             string
	outbox, inbox, archive string
	timeout                time.Duration
	config                 *ssh.ClientConfig
	dialer                 net.Dialer
	secrets                []connector.Secret // cut out of connection errors
	noPosixRename          bool               // tests: take the plain-rename path against OpenSSH

	lock chan struct{} // one call at a time; a channel so waiting honours ctx

	base     context.Context // cancelled by Close, ending calls in flight
	shutdown context.CancelFunc

	mu   sync.Mutex // guards sess
	sess *sftpSession

	sweeps sweeper // of stale temporary files in the outbox
}

var _ Transport = (*SFTP)(nil)

// NewSFTP returns an SFTP transport for the `transport:` block c. It parses
// the host key and the credentials but does no I/O. archive defaults to
// inbox/archive, port to 22, timeout to DefaultSFTPTimeout.
func NewSFTP(c Config) (*SFTP, error) {
	if c.Host == "" || c.User == "" {
		return nil, errors.New("sftp: host and user are required")
	}
	port := c.Port
	if port == 0 {
		port = 22
	}
	addr := net.JoinHostPort(c.Host, strconv.Itoa(port))
	pins, err := parseHostKeys(c.HostKey, c.Host, port)
	if err != nil {
		return nil, fmt.Errorf("sftp %s: host_key: %w", addr, err)
	}
	auth, err := authMethods(c)
	if err != nil {
		return nil, fmt.Errorf("sftp %s: %w", addr, err)
	}
	t := &SFTP{
		addr: addr, user: c.User,
		outbox: c.Outbox, inbox: c.Inbox, archive: c.Archive,
		timeout: c.Timeout,
		config: &ssh.ClientConfig{
			User:              c.User,
			Auth:              auth,
			HostKeyCallback:   pins.callback(addr),
			HostKeyAlgorithms: pins.algorithms(),
		},
		secrets: []connector.Secret{c.Password, c.PrivateKey, c.PrivateKeyPassphrase},
		lock:    make(chan struct{}, 1),
	}
	if t.archive == "" && t.inbox != "" {
		t.archive = path.Join(t.inbox, "archive")
	}
	if t.timeout <= 0 {
		t.timeout = DefaultSFTPTimeout
	}
	t.base, t.shutdown = context.WithCancel(context.Background())
	return t, nil
}

// Put uploads name into the outbox under a hidden temporary name, flushes
// it when the server can, then renames it to name, replacing a file left
// by an earlier attempt: the partner never sees a partial file.
func (t *SFTP) Put(ctx context.Context, name string, data []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	return t.do(ctx, "put "+name, func(_ context.Context, c *sftp.Client) error {
		if err := c.MkdirAll(t.outbox); err != nil {
			return fmt.Errorf("outbox %s: %w", t.outbox, err)
		}
		tmp := path.Join(t.outbox, tempName(name))
		if err := upload(c, tmp, data); err != nil {
			_ = c.Remove(tmp)
			return err
		}
		t.sweep(c, tmp)
		if err := replace(c, tmp, path.Join(t.outbox, name), !t.noPosixRename); err != nil {
			_ = c.Remove(tmp)
			return err
		}
		return nil
	})
}

func upload(c *sftp.Client, tmp string, data []byte) error {
	f, err := c.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL)
	if err != nil {
		return fmt.Errorf("create %s: %w", tmp, err)
	}
	_, werr := f.Write(data)
	var serr error
	if _, ok := c.HasExtension(extFsync); ok && werr == nil {
		serr = f.Sync()
	}
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	return nil
}

// replace renames tmp to final, over final if it exists. posix-rename does
// it in one step; plain SFTP rename refuses an existing target (OpenSSH
// links then unlinks), so without the extension the old file is removed
// first and the name is briefly absent — never partial.
func replace(c *sftp.Client, tmp, final string, posix bool) error {
	if _, ok := c.HasExtension(extPosixRename); ok && posix {
		err := c.PosixRename(tmp, final)
		if err == nil {
			return nil
		}
		var st *sftp.StatusError
		if !errors.As(err, &st) || st.FxCode() != sftp.ErrSSHFxOpUnsupported {
			return fmt.Errorf("rename %s to %s: %w", tmp, final, err)
		}
	}
	err := c.Rename(tmp, final)
	if err == nil {
		return nil
	}
	if _, serr := c.Lstat(final); serr != nil {
		return fmt.Errorf("rename %s to %s: %w", tmp, final, err)
	}
	if err := c.Remove(final); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("replace %s: %w", final, err)
	}
	if err := c.Rename(tmp, final); err != nil {
		return fmt.Errorf("rename %s to %s: %w", tmp, final, err)
	}
	return nil
}

// List returns regular, non-hidden inbox files, oldest first. A missing
// inbox is an empty one.
func (t *SFTP) List(ctx context.Context) ([]connector.InboxFile, error) {
	if t.inbox == "" {
		return nil, nil
	}
	var out []connector.InboxFile
	err := t.do(ctx, "list "+t.inbox, func(ctx context.Context, c *sftp.Client) error {
		out = nil
		entries, err := c.ReadDirContext(ctx, t.inbox)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, e := range entries {
			if !e.Mode().IsRegular() || e.Name() == "" || e.Name()[0] == '.' {
				continue
			}
			out = append(out, connector.InboxFile{Name: e.Name(), Size: e.Size(), ModTime: e.ModTime()})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortInbox(out)
	return out, nil
}

// Get reads an inbox file; a missing one is ErrNotExist. A name that
// fails CheckInboundName is moved to the archive's quarantine folder and
// reported as a permanent error.
func (t *SFTP) Get(ctx context.Context, name string) ([]byte, error) {
	if bad := CheckInboundName(name); bad != nil {
		dst, err := t.quarantine(ctx, name)
		return nil, quarantined(name, bad, dst, err)
	}
	var buf bytes.Buffer
	err := t.do(ctx, "get "+name, func(_ context.Context, c *sftp.Client) error {
		buf.Reset()
		f, err := c.Open(path.Join(t.inbox, name))
		if errors.Is(err, fs.ErrNotExist) {
			return ErrNotExist
		}
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = f.WriteTo(&buf)
		return err
	})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Archive moves an inbox file into the archive folder (created when
// missing); a file of the same name already archived is kept and the new
// one suffixed (see archiveCandidate). A file no longer in the inbox is
// ErrNotExist: another replica (or an earlier attempt whose answer was
// lost) moved it. A name failing CheckInboundName goes to the quarantine
// folder.
func (t *SFTP) Archive(ctx context.Context, name string) error {
	if bad := CheckInboundName(name); bad != nil {
		dst, err := t.quarantine(ctx, name)
		if err != nil {
			return quarantined(name, bad, dst, err)
		}
		return nil
	}
	return t.do(ctx, "archive "+name, func(_ context.Context, c *sftp.Client) error {
		_, err := t.move(c, name, t.archive, name)
		return err
	})
}

// quarantine moves an inbox file of an unusable name aside, when its name
// can be handed to the server at all, and returns where it went.
func (t *SFTP) quarantine(ctx context.Context, name string) (string, error) {
	if !addressable(name) {
		return "", errUnaddressable
	}
	q := path.Join(t.archive, quarantineName(name))
	var dst string
	err := t.do(ctx, "quarantine "+QuoteName(name), func(_ context.Context, c *sftp.Client) error {
		var err error
		dst, err = t.move(c, name, path.Dir(q), path.Base(q))
		return err
	})
	return dst, err
}

// move renames inbox/name to dir/as, or to the first free alternative of
// as, creating dir when missing, and returns where it went. A few rounds:
// another replica may take the free name between the look and the rename
// (OpenSSH's rename then fails rather than overwrite).
func (t *SFTP) move(c *sftp.Client, name, dir, as string) (string, error) {
	if err := c.MkdirAll(dir); err != nil {
		return "", fmt.Errorf("archive %s: %w", dir, err)
	}
	src := path.Join(t.inbox, name)
	for range 5 {
		dst, err := freeName(as, func(cand string) (bool, error) {
			return exists(c.Lstat(path.Join(dir, cand)))
		})
		if err != nil {
			return "", err
		}
		dst = path.Join(dir, dst)
		err = c.Rename(src, dst)
		if err == nil {
			return dst, nil
		}
		if _, serr := c.Lstat(src); errors.Is(serr, fs.ErrNotExist) {
			return "", ErrNotExist
		}
		if _, derr := c.Lstat(dst); derr != nil {
			return "", fmt.Errorf("rename %s to %s: %w", src, dst, err)
		}
	}
	return "", fmt.Errorf("rename %s: archive names keep being taken", src)
}

// sweep removes stale temporary files from the outbox when one is due,
// dating them by the server's clock: the time stamp of tmp, just written.
func (t *SFTP) sweep(c *sftp.Client, tmp string) {
	if !t.sweeps.due(time.Now()) {
		return
	}
	info, err := c.Lstat(tmp)
	if err == nil {
		err = sweepSFTP(c, t.outbox, info.ModTime(), max(sftpStaleMin, 4*t.timeout))
	}
	if err != nil {
		t.sweeps.again()
	}
}

// Close ends the connection and any call in flight; later calls fail.
func (t *SFTP) Close() error {
	t.shutdown()
	t.mu.Lock()
	sess := t.sess
	t.sess = nil
	t.mu.Unlock()
	if sess != nil {
		sess.close()
	}
	return nil
}
