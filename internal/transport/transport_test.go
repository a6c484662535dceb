package transport

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/dropgate/dropgate/core/connector"
)

func TestCheckSFTP(t *testing.T) {
	_, hostKey := newKey(t)
	priv, _ := newKey(t)
	_, encrypted := legacyEncryptedKey(t, "correct horse")
	valid := Config{
		Type: "sftp", Host: "sftp.example.com", User: "acme", Outbox: "/in", Inbox: "/out",
		Password: "hunter2-hunter2",
		HostKey:  "sftp.example.com " + string(ssh.MarshalAuthorizedKey(hostKey.PublicKey())),
	}
	for _, tc := range []struct {
		name   string
		modify func(*Config)
		want   []string // "path: message substring"
	}{
		{"valid", func(*Config) {}, nil},
		{"private key only", func(c *Config) { c.Password = ""; c.PrivateKey = connector.Secret(keyPEM(t, priv, "")) }, nil},
		{"key with literal \\n", func(c *Config) {
			c.PrivateKey = connector.Secret(strings.ReplaceAll(keyPEM(t, priv, ""), "\n", `\n`))
		}, nil},
		{"encrypted key", func(c *Config) { c.PrivateKey = connector.Secret(encrypted); c.PrivateKeyPassphrase = "correct horse" }, nil},
		{"missing", func(c *Config) { *c = Config{Type: "sftp"} }, []string{
			"t.host: missing", "t.user: missing", "t.outbox: missing", "t.host_key: missing", "t.password: set password or private_key",
		}},
		{"bad host key", func(c *Config) { c.HostKey = "SHA256:nope" }, []string{"t.host_key: invalid SHA256 fingerprint"}},
		{"host key for another port", func(c *Config) { c.Port = 2222 }, []string{"t.host_key: known_hosts line is for sftp.example.com, not for [sftp.example.com]:2222"}},
		{"port", func(c *Config) { c.Port = 70000; c.HostKey = ssh.FingerprintSHA256(hostKey.PublicKey()) }, []string{"t.port: port 70000 out of range"}},
		{"timeout", func(c *Config) { c.Timeout = -time.Second }, []string{"t.timeout: must not be negative"}},
		{"garbage key", func(c *Config) { c.PrivateKey = "not a key at all" }, []string{"t.private_key: private key (PEM or OpenSSH format): ssh: no key found"}},
		{"passphrase missing", func(c *Config) { c.PrivateKey = connector.Secret(encrypted) }, []string{"t.private_key: private key is passphrase protected: set private_key_passphrase"}},
		{"wrong passphrase", func(c *Config) { c.PrivateKey = connector.Secret(encrypted); c.PrivateKeyPassphrase = "wrong battery" }, []string{"t.private_key: decrypt private key"}},
		{"passphrase alone", func(c *Config) { c.PrivateKeyPassphrase = "lonely one" }, []string{"t.private_key_passphrase: set without private_key"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := valid
			tc.modify(&c)
			var got []string
			for _, p := range c.Check("t") {
				got = append(got, p.Path+": "+p.Message)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q, want %q", got, tc.want)
			}
			for i, want := range tc.want {
				if !strings.HasPrefix(got[i], want) {
					t.Errorf("problem %q, want %q", got[i], want)
				}
				for _, secret := range []connector.Secret{c.Password, c.PrivateKey, c.PrivateKeyPassphrase} {
					if !secret.IsZero() && strings.Contains(got[i], secret.Reveal()) {
						t.Errorf("problem %q leaks a secret", got[i])
					}
				}
			}
		})
	}
	if s := fmt.Sprintf("%+v", valid); strings.Contains(s, "hunter2") {
		t.Errorf("config prints its password: %s", s)
	}
}

// TestOpenSFTPDoesNoIO: Open and Close never connect. The server is a
// local listener; after them the test connects once itself, and accepts
// are first come first served, so a connection Open had made would be
// accepted before the test's own.
func TestOpenSFTPDoesNoIO(t *testing.T) {
	_, hostKey := newKey(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	c := Config{
		Type: "sftp", Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, User: "acme", Outbox: "in", Password: "pw-pw-pw",
		HostKey: string(ssh.MarshalAuthorizedKey(hostKey.PublicKey())),
	}
	tr, err := Open(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tr.(*SFTP); !ok {
		t.Fatalf("Open returned %T", tr)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	mine, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close()
	first := <-accepted
	defer first.Close()
	if first.RemoteAddr().String() != mine.LocalAddr().String() {
		t.Fatalf("Open or Close connected to the server (from %s)", first.RemoteAddr())
	}
	c.HostKey = "nonsense"
	if tr, err := Open(c); err == nil || tr != nil || !strings.Contains(err.Error(), "host_key") {
		t.Fatalf("Open with a bad host key: %v, %v", tr, err)
	}
}
