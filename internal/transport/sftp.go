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

// Get reads an inbox file; a missing one is ErrNotExist.
func (t *SFTP) Get(ctx context.Context, name string) ([]byte, error) {
	if err := checkName(name); err != nil {
		return nil, err
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
// one suffixed ".1", ".2"… A file no longer in the inbox is ErrNotExist:
// another replica (or an earlier attempt whose answer was lost) moved it.
func (t *SFTP) Archive(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	src := path.Join(t.inbox, name)
	return t.do(ctx, "archive "+name, func(_ context.Context, c *sftp.Client) error {
		if err := c.MkdirAll(t.archive); err != nil {
			return fmt.Errorf("archive %s: %w", t.archive, err)
		}
		// A few rounds: another replica may take the free name between
		// the look and the rename (OpenSSH's rename then fails rather
		// than overwrite).
		for range 5 {
			dst, err := freeName(c, t.archive, name)
			if err != nil {
				return err
			}
			err = c.Rename(src, dst)
			if err == nil {
				return nil
			}
			if _, serr := c.Lstat(src); errors.Is(serr, fs.ErrNotExist) {
				return ErrNotExist
			}
			if _, derr := c.Lstat(dst); derr != nil {
				return fmt.Errorf("rename %s to %s: %w", src, dst, err)
			}
		}
		return fmt.Errorf("rename %s: archive names keep being taken", src)
	})
}

// freeName returns dir/name, or dir/name.N for the first N not taken.
func freeName(c *sftp.Client, dir, name string) (string, error) {
	dst := path.Join(dir, name)
	for i := 1; ; i++ {
		_, err := c.Lstat(dst)
		if errors.Is(err, fs.ErrNotExist) {
			return dst, nil
		}
		if err != nil {
			return "", fmt.Errorf("stat %s: %w", dst, err)
		}
		dst = path.Join(dir, name+"."+strconv.Itoa(i))
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
