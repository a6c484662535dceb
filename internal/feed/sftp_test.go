package feed

import (
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// sftpServer is a minimal SSH server running pkg/sftp's server over a
// temporary directory (internal/transport's richer test server is not
// exported). It counts the files opened for reading.
type sftpServer struct {
	port    int
	root    string
	hostKey string // "ssh-ed25519 AAAA…"
	opened  atomic.Int32
}

func newSFTPServer(t *testing.T) *sftpServer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
		if c.User() == "feeds" && string(pw) == "pw" {
			return nil, nil
		}
		return nil, os.ErrPermission
	}}
	cfg.AddHostKey(signer)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sftpServer{port: ln.Addr().(*net.TCPAddr).Port, root: t.TempDir(),
		hostKey: strings.TrimSpace(string(ssh.MarshalAuthorizedKey(signer.PublicKey())))}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c, cfg)
		}
	}()
	return s
}

func (s *sftpServer) serve(c net.Conn, cfg *ssh.ServerConfig) {
	defer c.Close()
	_, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "no")
			continue
		}
		ch, chReqs, err := nc.Accept()
		if err != nil {
			return
		}
		go func() {
			for req := range chReqs {
				ok := req.Type == "subsystem" && len(req.Payload) >= 4 && string(req.Payload[4:]) == "sftp"
				_ = req.Reply(ok, nil)
				if ok {
					srv := sftp.NewRequestServer(ch, s.handlers())
					_ = srv.Serve()
					ch.Close()
				}
			}
		}()
	}
}

// handlers serve the root directory, counting reads.
func (s *sftpServer) handlers() sftp.Handlers {
	h := sftp.InMemHandler()
	fs := &dirFS{s: s}
	h.FileGet, h.FileList = fs, fs
	return h
}

type dirFS struct{ s *sftpServer }

func (d *dirFS) local(p string) string { return filepath.Join(d.s.root, filepath.FromSlash(p)) }

func (d *dirFS) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	d.s.opened.Add(1)
	return os.Open(d.local(r.Filepath))
}

func (d *dirFS) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	p := d.local(r.Filepath)
	if r.Method == "Stat" || r.Method == "Lstat" {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		return lister{fi}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, err
	}
	var out lister
	for _, e := range entries {
		if fi, err := e.Info(); err == nil {
			out = append(out, fi)
		}
	}
	return out, nil
}

type lister []os.FileInfo

func (l lister) ListAt(dst []os.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(dst, l[off:])
	if n < len(dst) {
		return n, io.EOF
	}
	return n, nil
}

func TestImportSFTP(t *testing.T) {
	srv := newSFTPServer(t)
	r := newRig(t)
	if err := os.MkdirAll(filepath.Join(srv.root, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	feedFile := filepath.Join(srv.root, "out", "stock.csv")
	if err := os.WriteFile(feedFile, []byte("supplier_sku,sku,qty,cost\nA-1,S-1,4,2.50\nA-2,S-2,0,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r.cfg.Source = Source{Path: "out/stock.csv", SFTP: &SFTPSource{Host: "127.0.0.1", Port: srv.port, User: "feeds", Password: "pw",
		HostKey: srv.hostKey, Timeout: time.Minute}} // a hang guard; the server answers at once
	if ps := r.cfg.Check(); len(ps) != 0 {
		t.Fatalf("config: %v", ps)
	}
	res := r.run(nil)
	if !res.Applied || res.Offers != 2 || res.Source != "127.0.0.1:out/stock.csv" || srv.opened.Load() != 1 {
		t.Fatalf("got %+v (opened %d)", res, srv.opened.Load())
	}
	// Same size and time on the server: not downloaded again.
	res = r.run(nil)
	if !res.Unchanged || srv.opened.Load() != 1 {
		t.Fatalf("second: %+v (opened %d)", res, srv.opened.Load())
	}
	// A missing file is retryable (the supplier may be uploading).
	if err := os.Remove(feedFile); err != nil {
		t.Fatal(err)
	}
	if _, err := Import(t.Context(), r.request()); err == nil || !strings.Contains(err.Error(), "no such file on the server") {
		t.Errorf("missing file: %v", err)
	}
}
