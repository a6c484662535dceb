package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/dropgate/dropgate/core/connector"
)

func openSFTP(t *testing.T, c Config) *SFTP {
	t.Helper()
	tr, err := NewSFTP(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

// hiddenFiles lists the dotfiles left in dir (temporary uploads).
func hiddenFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestSFTPPutIsAtomicAndReplaces(t *testing.T) {
	for _, posix := range []bool{true, false} {
		t.Run(fmt.Sprintf("posix-rename=%v", posix), func(t *testing.T) {
			var mu sync.Mutex
			var final string
			var complete [][]byte // versions the final name may hold
			var written []string  // server paths written to
			srv := newTestServer(t, func(s *testServer) {
				s.noPosixRename = !posix
				s.onWrite = func(p string) string {
					mu.Lock()
					defer mu.Unlock()
					written = append(written, p)
					b, err := os.ReadFile(final)
					if errors.Is(err, fs.ErrNotExist) {
						return ""
					}
					for _, v := range complete {
						if bytes.Equal(b, v) {
							return ""
						}
					}
					return fmt.Sprintf("final name holds a partial file (%d bytes) during an upload", len(b))
				}
			})
			final = srv.local("out/810_1.edi")
			tr := openSFTP(t, srv.config())
			ctx := context.Background()

			v1 := bytes.Repeat([]byte("ISA*00*first~"), 20000) // several write packets
			v2 := bytes.Repeat([]byte("ISA*00*second~"), 15000)
			for _, v := range [][]byte{v1, v2} {
				if err := tr.Put(ctx, "810_1.edi", v); err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(final)
				if err != nil || !bytes.Equal(got, v) {
					t.Fatalf("final file: %d bytes, err %v; want %d bytes", len(got), err, len(v))
				}
				mu.Lock()
				complete = append(complete, v)
				mu.Unlock()
			}
			if h := hiddenFiles(t, srv.local("out")); len(h) != 0 {
				t.Errorf("temporary files left behind: %v", h)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(written) < 2 {
				t.Fatalf("expected several writes, saw %d", len(written))
			}
			for _, p := range written {
				if !strings.HasPrefix(p, "/out/.810_1.edi.tmp-") {
					t.Fatalf("wrote to %s, want a hidden temporary name", p)
				}
			}
		})
	}
}

func TestSFTPListGetArchive(t *testing.T) {
	srv := newTestServer(t)
	tr := openSFTP(t, srv.config())
	ctx := context.Background()

	if files, err := tr.List(ctx); err != nil || len(files) != 0 {
		t.Fatalf("missing inbox: %v, %v; want empty", files, err)
	}
	in := srv.local("in")
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	for _, f := range []struct {
		name string
		age  time.Duration
	}{{"b.edi", 0}, {"a.edi", time.Minute}, {"c.edi", time.Minute}, {".partial", -time.Minute}} {
		writeFile(t, filepath.Join(in, f.name), "doc "+f.name)
		if err := os.Chtimes(filepath.Join(in, f.name), base.Add(f.age), base.Add(f.age)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(in, "sub.edi"), 0o755); err != nil {
		t.Fatal(err)
	}

	files, err := tr.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	if got, want := strings.Join(names, ","), "b.edi,a.edi,c.edi"; got != want {
		t.Fatalf("List = %s, want %s (oldest first, name within a second, no dotfiles or directories)", got, want)
	}
	if files[0].Size != int64(len("doc b.edi")) || !files[0].ModTime.Equal(base) {
		t.Errorf("b.edi: size %d mtime %v", files[0].Size, files[0].ModTime)
	}

	b, err := tr.Get(ctx, "a.edi")
	if err != nil || string(b) != "doc a.edi" {
		t.Fatalf("Get = %q, %v", b, err)
	}
	if _, err := tr.Get(ctx, "nope.edi"); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Get missing: %v, want ErrNotExist", err)
	}
	if _, err := tr.Get(ctx, "../out/x"); err == nil {
		t.Fatal("Get accepted a path escaping the inbox")
	}

	if err := tr.Archive(ctx, "a.edi"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(in, "a.edi"), "second a")
	if err := tr.Archive(ctx, "a.edi"); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"in/archive/a.edi": "doc a.edi", "in/archive/a.edi.1": "second a"} {
		if got, err := os.ReadFile(srv.local(name)); err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
	err = tr.Archive(ctx, "a.edi")
	if !errors.Is(err, ErrNotExist) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("archive of a file already gone: %v, want ErrNotExist", err)
	}
	if files, _ := tr.List(ctx); len(files) != 2 {
		t.Errorf("after archiving, List = %v", files)
	}

	// An explicit archive folder, nested and missing, is created.
	c := srv.config()
	c.Archive = "done/2024"
	tr2 := openSFTP(t, c)
	if err := tr2.Archive(ctx, "b.edi"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(srv.local("done/2024/b.edi")); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSFTPReconnects(t *testing.T) {
	ctx := context.Background()
	t.Run("between calls", func(t *testing.T) {
		srv := newTestServer(t)
		tr := openSFTP(t, srv.config())
		if err := tr.Put(ctx, "1.edi", []byte("one")); err != nil {
			t.Fatal(err)
		}
		srv.dropAll()
		if err := tr.Put(ctx, "2.edi", []byte("two")); err != nil {
			t.Fatalf("after the server dropped the connection: %v", err)
		}
		if n := srv.accepted.Load(); n != 2 {
			t.Errorf("%d connections, want 2", n)
		}
	})
	t.Run("during a call", func(t *testing.T) {
		var once sync.Once
		var srv *testServer
		srv = newTestServer(t, func(s *testServer) {
			s.onWrite = func(string) string {
				dropped := false
				once.Do(func() { srv.dropAll(); dropped = true })
				if dropped {
					return "connection dropped"
				}
				return ""
			}
		})
		tr := openSFTP(t, srv.config())
		if _, err := tr.List(ctx); err != nil { // the connection a later call reuses
			t.Fatal(err)
		}
		if err := tr.Put(ctx, "3.edi", []byte("three")); err != nil {
			t.Fatalf("Put after a drop mid-call: %v", err)
		}
		if got, err := os.ReadFile(srv.local("out/3.edi")); err != nil || string(got) != "three" {
			t.Fatalf("out/3.edi = %q, %v", got, err)
		}
	})
}

// hungListener accepts TCP connections and never speaks SSH: a dial that
// hangs in the handshake.
func hungListener(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().(*net.TCPAddr).Port
}

func TestSFTPContext(t *testing.T) {
	srv := newTestServer(t) // only for a valid host key and credentials
	hung := srv.config()
	hung.Port = hungListener(t)
	hung.HostKey = ssh.FingerprintSHA256(srv.HostKey.PublicKey())

	t.Run("cancel a hung connect", func(t *testing.T) {
		c := hung
		c.Timeout = time.Hour // only the cancel can end the call
		tr := openSFTP(t, c)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		listed := make(chan error, 1)
		go func() {
			_, err := tr.List(ctx)
			listed <- err
		}()
		select {
		case err := <-listed:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("List = %v, want context.Canceled", err)
			}
		case <-time.After(time.Minute):
			t.Fatal("List still hung a minute after its context was cancelled")
		}
	})
	t.Run("config timeout", func(t *testing.T) {
		c := hung
		c.Timeout = 150 * time.Millisecond
		tr := openSFTP(t, c)
		err := tr.Put(context.Background(), "x.edi", []byte("x"))
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer within 150ms") {
			t.Fatalf("Put = %v, want the timeout", err)
		}
	})
	t.Run("close ends a hung call", func(t *testing.T) {
		tr := openSFTP(t, hung)
		time.AfterFunc(100*time.Millisecond, func() { tr.Close() })
		_, err := tr.List(context.Background())
		if !errors.Is(err, errClosed) {
			t.Fatalf("List = %v, want transport closed", err)
		}
	})
	t.Run("cancel mid-upload then carry on", func(t *testing.T) {
		release := make(chan struct{})
		entered := make(chan struct{}, 1)
		var once sync.Once
		live := newTestServer(t, func(s *testServer) {
			s.onWrite = func(string) string {
				once.Do(func() {
					entered <- struct{}{}
					<-release
				})
				return ""
			}
		})
		tr := openSFTP(t, live.config())
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-entered
			cancel()
		}()
		err := tr.Put(ctx, "slow.edi", []byte("slow"))
		close(release)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Put = %v, want context.Canceled", err)
		}
		if _, err := os.Stat(live.local("out/slow.edi")); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("a cancelled Put left the final file: %v", err)
		}
		if err := tr.Put(context.Background(), "slow.edi", []byte("again")); err != nil {
			t.Fatalf("Put after a cancelled one: %v", err)
		}
	})
}

func TestSFTPHostKeyFormats(t *testing.T) {
	srv := newTestServer(t)
	key := srv.HostKey.PublicKey()
	_, other := newKey(t)
	name := knownhosts.Normalize("127.0.0.1:" + fmt.Sprint(srv.Port))
	bare := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key)))
	for label, hostKey := range map[string]string{
		"known_hosts line":        srv.knownHostsLine(),
		"hashed known_hosts line": knownhosts.HashHostname(name) + " " + bare,
		"wildcard known_hosts":    "[127.0.0.*]:*,example.com " + bare,
		"bare key with comment":   bare + " partner@sftp",
		"SHA256 fingerprint":      ssh.FingerprintSHA256(key),
		"MD5 fingerprint":         "MD5:" + ssh.FingerprintLegacyMD5(key),
		"ssh-keygen -lf line":     "256 " + ssh.FingerprintSHA256(key) + " root@partner (ED25519)",
		"keyscan output":          "# 127.0.0.1 SSH-2.0\n" + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(other.PublicKey()))) + "\n" + srv.knownHostsLine() + "\n",
	} {
		t.Run(label, func(t *testing.T) {
			c := srv.config()
			c.HostKey = hostKey
			if ps := c.Check("transport"); len(ps) != 0 {
				t.Fatalf("Check: %v", ps)
			}
			tr := openSFTP(t, c)
			if err := tr.Put(context.Background(), "ok.edi", []byte("ok")); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSFTPWrongHostKeyRefused(t *testing.T) {
	srv := newTestServer(t)
	presented := ssh.FingerprintSHA256(srv.HostKey.PublicKey())
	_, other := newKey(t)
	ok := other.PublicKey()
	expected := ssh.FingerprintSHA256(ok)
	for label, tc := range map[string]struct{ hostKey, expected string }{
		"known_hosts line": {knownhosts.Line([]string{"127.0.0.1:" + fmt.Sprint(srv.Port)}, ok), expected},
		"bare key":         {string(ssh.MarshalAuthorizedKey(ok)), expected},
		"SHA256":           {expected, expected},
		"MD5":              {"MD5:" + ssh.FingerprintLegacyMD5(ok), "MD5:" + ssh.FingerprintLegacyMD5(ok)},
	} {
		t.Run(label, func(t *testing.T) {
			c := srv.config()
			c.HostKey = tc.hostKey
			tr := openSFTP(t, c)
			err := tr.Put(context.Background(), "never.edi", []byte("x"))
			var mismatch *HostKeyMismatchError
			if !errors.As(err, &mismatch) {
				t.Fatalf("Put = %v, want a host key mismatch", err)
			}
			for _, want := range []string{presented, tc.expected, "host key mismatch"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %s", err, want)
				}
			}
			if _, err := os.Stat(srv.local("out")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("something was written despite the mismatch: %v", err)
			}
		})
	}
}

func TestSFTPAuth(t *testing.T) {
	srv := newTestServer(t)
	unknown, _ := newKey(t)
	ctx := context.Background()

	t.Run("private key", func(t *testing.T) {
		c := srv.config()
		c.Password = ""
		c.PrivateKey = srv.userKeyPEM(t)
		if ps := c.Check("transport"); len(ps) != 0 {
			t.Fatalf("Check: %v", ps)
		}
		if err := openSFTP(t, c).Put(ctx, "k.edi", []byte("k")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("passphrase-protected key", func(t *testing.T) {
		c := srv.config()
		c.Password = ""
		pub, key := legacyEncryptedKey(t, "open sesame")
		srv.authorize(pub)
		c.PrivateKey = connector.Secret(key)
		c.PrivateKeyPassphrase = "open sesame"
		if ps := c.Check("transport"); len(ps) != 0 {
			t.Fatalf("Check: %v", ps)
		}
		if err := openSFTP(t, c).Put(ctx, "p.edi", []byte("p")); err != nil {
			t.Fatal(err)
		}
	})
	for label, c := range map[string]Config{
		"wrong password": func() Config { c := srv.config(); c.Password = "not-the-password-123"; return c }(),
		"unknown key": func() Config {
			c := srv.config()
			c.Password = ""
			c.PrivateKey = connector.Secret(keyPEM(t, unknown, ""))
			return c
		}(),
	} {
		t.Run(label, func(t *testing.T) {
			err := openSFTP(t, c).Put(ctx, "no.edi", []byte("no"))
			if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
				t.Fatalf("Put = %v, want an authentication failure", err)
			}
			for _, secret := range []connector.Secret{c.Password, c.PrivateKey} {
				if !secret.IsZero() && strings.Contains(err.Error(), secret.Reveal()) {
					t.Fatalf("error leaks a secret: %v", err)
				}
			}
			if _, err := os.Stat(srv.local("out/no.edi")); err == nil {
				t.Fatal("file written without authentication")
			}
		})
	}
}

func TestSFTPConcurrentCalls(t *testing.T) {
	srv := newTestServer(t)
	tr := openSFTP(t, srv.config())
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs <- tr.Put(ctx, fmt.Sprintf("%d.edi", i), []byte(fmt.Sprint(i)))
		}()
		go func() {
			defer wg.Done()
			_, err := tr.List(ctx)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 8 {
		if b, err := os.ReadFile(srv.local(fmt.Sprintf("out/%d.edi", i))); err != nil || string(b) != fmt.Sprint(i) {
			t.Errorf("%d.edi = %q, %v", i, b, err)
		}
	}
	if n := srv.accepted.Load(); n != 1 {
		t.Errorf("%d connections for concurrent calls, want 1 shared", n)
	}
}
