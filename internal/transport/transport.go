// Package transport moves supplier documents: a local directory, SFTP or
// AS2. A supplier connector writes its rendered document through Put and
// reads its inbox through List/Get/Archive, whatever the wire.
package transport

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"time"

	"github.com/dropgate/dropgate/core/connector"
)

// Transport is a supplier's outbox and inbox.
type Transport interface {
	// Put delivers a file atomically: the partner never sees a partial
	// file, and putting the same name again replaces it (a retry rewrites
	// the same file rather than adding one).
	Put(ctx context.Context, name string, data []byte) error
	// List returns the files waiting in the inbox, oldest first.
	List(ctx context.Context) ([]connector.InboxFile, error)
	// Get reads one inbox file; a missing one is ErrNotExist.
	Get(ctx context.Context, name string) ([]byte, error)
	// Archive moves a processed inbox file out of the inbox. A file no
	// longer there is ErrNotExist: another replica (or a retried attempt)
	// archived it, which the caller can count as done.
	Archive(ctx context.Context, name string) error
	// Close releases connections.
	Close() error
}

// ErrNotExist reports that the named inbox file is not there (any more):
// from Get, and from Archive when another replica archived it first, which
// callers can treat as done. It also matches fs.ErrNotExist and
// connector.ErrGone, which is how the core recognises it.
var ErrNotExist error = notExistError{}

type notExistError struct{}

func (notExistError) Error() string { return "file does not exist" }
func (notExistError) Is(target error) bool {
	return target == fs.ErrNotExist || target == connector.ErrGone
}

// Config is the `transport:` block of an EDI supplier.
type Config struct {
	Type    string `yaml:"type" required:"true"` // directory, sftp
	Outbox  string `yaml:"outbox"`               // where our documents go
	Inbox   string `yaml:"inbox"`                // where the partner's documents arrive
	Archive string `yaml:"archive"`              // where processed inbox files go (default inbox/archive)
	// SFTP.
	Host       string           `yaml:"host"`
	Port       int              `yaml:"port"`
	User       string           `yaml:"user"`
	Password   connector.Secret `yaml:"password"`
	PrivateKey connector.Secret `yaml:"private_key"` // PEM or OpenSSH format, usually ${SUPPLIER_SFTP_KEY}
	// PrivateKeyPassphrase decrypts a passphrase-protected private_key.
	PrivateKeyPassphrase connector.Secret `yaml:"private_key_passphrase"`
	// HostKey pins the server's key: an OpenSSH known_hosts line (plain,
	// hashed "|1|…" or "[host]:port"), a public key ("ssh-ed25519 AAAA…")
	// or a fingerprint ("SHA256:…" as ssh-keygen -lf prints it, or
	// "MD5:aa:bb:…"); several lines pin several keys (ssh-keyscan output).
	// Required: a server whose key does not match is refused. Prefer a
	// whole key to a fingerprint: with a key the client asks the server
	// for that key type, with a fingerprint it takes the server's
	// preferred one, which must then be the key fingerprinted.
	HostKey string `yaml:"host_key"`
	// Timeout bounds each SFTP call, connecting included (default 30s).
	Timeout time.Duration `yaml:"timeout"`
}

// Check validates the block without I/O; prefix is the block's key path.
func (c *Config) Check(prefix string) []connector.Problem {
	var ps []connector.Problem
	add := func(k, msg string) { ps = append(ps, connector.Problem{Path: prefix + "." + k, Message: msg}) }
	switch c.Type {
	case "directory":
		if c.Outbox == "" {
			add("outbox", "missing required key")
		}
	case "sftp":
		if c.Host == "" {
			add("host", "missing required key")
		}
		if c.User == "" {
			add("user", "missing required key")
		}
		if c.Outbox == "" {
			add("outbox", "missing required key (\".\" for the login directory)")
		}
		if c.Port < 0 || c.Port > 65535 {
			add("port", fmt.Sprintf("port %d out of range", c.Port))
		}
		if c.Timeout < 0 {
			add("timeout", "must not be negative")
		}
		if c.HostKey == "" {
			add("host_key", "missing required key: the server's host key must be pinned (known_hosts line, public key or SHA256 fingerprint)")
		} else if _, err := parseHostKeys(c.HostKey, c.Host, c.Port); err != nil {
			add("host_key", err.Error())
		}
		if c.Password.IsZero() && c.PrivateKey.IsZero() {
			add("password", "set password or private_key")
		}
		if !c.PrivateKey.IsZero() {
			if _, err := parsePrivateKey(c.PrivateKey, c.PrivateKeyPassphrase); err != nil {
				add("private_key", err.Error())
			}
		} else if !c.PrivateKeyPassphrase.IsZero() {
			add("private_key_passphrase", "set without private_key")
		}
	case "":
	default:
		add("type", fmt.Sprintf("unknown transport %q (known: directory, sftp)", c.Type))
	}
	return ps
}

// Open builds the transport; it does no I/O (SFTP connects on first use).
func Open(c Config) (Transport, error) {
	switch c.Type {
	case "directory":
		return NewDirectory(c.Outbox, c.Inbox, c.Archive), nil
	case "sftp":
		t, err := NewSFTP(c)
		if err != nil {
			return nil, err // not a typed nil in a non-nil interface
		}
		return t, nil
	}
	return nil, fmt.Errorf("transport %q is not available", c.Type)
}

// sortInbox orders inbox files oldest first, by name within a second
// (SFTP reports whole seconds, so ties are common).
func sortInbox(files []connector.InboxFile) {
	sort.Slice(files, func(i, j int) bool {
		if files[i].ModTime.Equal(files[j].ModTime) {
			return files[i].Name < files[j].Name
		}
		return files[i].ModTime.Before(files[j].ModTime)
	})
}

// Configured is implemented by the configs of file-based supplier
// connectors, so tools (the demo's simulated partners) can find where a
// supplier's documents go without knowing its type.
type Configured interface {
	TransportConfig() Config
}
