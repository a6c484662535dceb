package transport

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/dropgate/dropgate/core/connector"
)

// testServer is a real SSH server running the SFTP subsystem in the test
// process, on 127.0.0.1, serving a temporary directory as its root. It
// renames the way OpenSSH does (a plain rename refuses an existing target)
// so the client's fallback is exercised as it would be against OpenSSH.
type testServer struct {
	Port     int
	Root     string
	HostKey  ssh.Signer
	User     string
	Password string
	UserKey  ssh.Signer // accepted for public-key auth
	userPriv ed25519.PrivateKey

	// Set before start.
	noPosixRename bool                  // answer posix-rename with "unsupported"
	onWrite       func(p string) string // before each write to p (server path); non-empty = fail it

	ln         net.Listener
	wg         sync.WaitGroup
	mu         sync.Mutex
	conns      map[net.Conn]struct{}
	authorized []ssh.PublicKey
	accepted   atomic.Int32
}

// newTestServer starts a server; configure, if given, runs before it
// accepts connections.
func newTestServer(t *testing.T, configure ...func(*testServer)) *testServer {
	t.Helper()
	_, hostKey := newKey(t)
	userPriv, userKey := newKey(t)
	s := &testServer{
		Root: t.TempDir(), HostKey: hostKey, UserKey: userKey, userPriv: userPriv,
		User: "partner", Password: "s3cret-pass-word",
		conns:      map[net.Conn]struct{}{},
		authorized: []ssh.PublicKey{userKey.PublicKey()},
	}
	for _, f := range configure {
		f(s)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.ln = ln
	s.Port = ln.Addr().(*net.TCPAddr).Port
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(func() {
		ln.Close()
		s.dropAll()
		s.wg.Wait()
	})
	return s
}

// newKey returns a fresh ed25519 key.
func newKey(t testing.TB) (ed25519.PrivateKey, ssh.Signer) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return priv, signer
}

// keyPEM is priv in OpenSSH format, protected by passphrase when it is
// not empty.
func keyPEM(t testing.TB, priv ed25519.PrivateKey, passphrase string) string {
	t.Helper()
	var block *pem.Block
	var err error
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "test")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "test", []byte(passphrase))
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(block))
}

// knownHostsLine is the server's line as ssh-keyscan would print it.
func (s *testServer) knownHostsLine() string {
	return knownhosts.Line([]string{"127.0.0.1:" + strconv.Itoa(s.Port)}, s.HostKey.PublicKey())
}

// config is a transport block for this server, password auth, outbox
// "out", inbox "in".
func (s *testServer) config() Config {
	return Config{
		Type: "sftp", Host: "127.0.0.1", Port: s.Port, User: s.User,
		Password: connector.Secret(s.Password),
		Outbox:   "out", Inbox: "in",
		HostKey: s.knownHostsLine(),
		Timeout: time.Minute, // a hang guard; the calls answer at once
	}
}

// userKeyPEM is the accepted user key as a config's private_key.
func (s *testServer) userKeyPEM(t testing.TB) connector.Secret {
	return connector.Secret(keyPEM(t, s.userPriv, ""))
}

// authorize accepts one more user key.
func (s *testServer) authorize(key ssh.PublicKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authorized = append(s.authorized, key)
}

// legacyEncryptedKey returns an ECDSA key as a passphrase-encrypted
// traditional PEM ("Proc-Type: 4,ENCRYPTED"), quick to decrypt; OpenSSH's
// own encrypted format costs a bcrypt KDF of seconds on a busy machine at
// the default cost, so it is tested against sshd with a key made cheap.
func legacyEncryptedKey(t testing.TB, passphrase string) (ssh.PublicKey, string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 weak legacy encryption, but partners' keys still come this way and it is what is under test
	block, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", der, []byte(passphrase), x509.PEMCipherAES256) //nolint:staticcheck
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ssh.NewPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pub, string(pem.EncodeToMemory(block))
}

// local maps a server path to the file system.
func (s *testServer) local(p string) string {
	return filepath.Join(s.Root, filepath.FromSlash(path.Clean("/"+p)))
}

// dropAll cuts every connection, as a server restart or a NAT timeout would.
func (s *testServer) dropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

func (s *testServer) serve() {
	defer s.wg.Done()
	cfg := &ssh.ServerConfig{
		PasswordCallback: func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if c.User() == s.User && string(pw) == s.Password {
				return nil, nil
			}
			return nil, errors.New("wrong password")
		},
		PublicKeyCallback: func(c ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			for _, k := range s.authorized {
				if c.User() == s.User && bytes.Equal(key.Marshal(), k.Marshal()) {
					return nil, nil
				}
			}
			return nil, errors.New("unknown key")
		},
	}
	cfg.AddHostKey(s.HostKey)
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.accepted.Add(1)
		s.mu.Lock()
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(c, cfg)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

func (s *testServer) handle(c net.Conn, cfg *ssh.ServerConfig) {
	defer c.Close()
	sc, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	var wg sync.WaitGroup
	defer wg.Wait()
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "sessions only")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.session(ch, creqs)
		}()
	}
}

// session serves the "sftp" subsystem request and refuses anything else.
func (s *testServer) session(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	var wg sync.WaitGroup
	defer wg.Wait()
	for req := range reqs {
		ok := req.Type == "subsystem" && len(req.Payload) > 4 && string(req.Payload[4:]) == "sftp"
		_ = req.Reply(ok, nil)
		if !ok {
			continue
		}
		fs := &rootFS{s: s}
		srv := sftp.NewRequestServer(ch, sftp.Handlers{FileGet: fs, FilePut: fs, FileCmd: fs, FileList: fs})
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = srv.Serve()
			srv.Close()
			ch.Close()
		}()
	}
}

// rootFS serves testServer.Root through pkg/sftp's request server.
type rootFS struct{ s *testServer }

var (
	_ sftp.PosixRenameFileCmder = (*rootFS)(nil)
	_ sftp.LstatFileLister      = (*rootFS)(nil)
)

func (h *rootFS) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	return os.Open(h.s.local(r.Filepath))
}

func (h *rootFS) Filewrite(r *sftp.Request) (io.WriterAt, error) {
	fl := r.Pflags()
	flags := os.O_WRONLY
	if fl.Creat {
		flags |= os.O_CREATE
	}
	if fl.Trunc {
		flags |= os.O_TRUNC
	}
	if fl.Excl {
		flags |= os.O_EXCL
	}
	f, err := os.OpenFile(h.s.local(r.Filepath), flags, 0o644)
	if err != nil {
		return nil, err
	}
	return &hookedFile{File: f, path: r.Filepath, hook: h.s.onWrite}, nil
}

// hookedFile lets a test look at (or break) the server between writes.
type hookedFile struct {
	*os.File
	path string
	hook func(string) string
}

func (f *hookedFile) WriteAt(b []byte, off int64) (int, error) {
	if f.hook != nil {
		if msg := f.hook(f.path); msg != "" {
			return 0, errors.New(msg)
		}
	}
	return f.File.WriteAt(b, off)
}

func (h *rootFS) Filecmd(r *sftp.Request) error {
	p := h.s.local(r.Filepath)
	switch r.Method {
	case "Rename":
		// OpenSSH renames with link+unlink: an existing target is an error.
		if _, err := os.Lstat(h.s.local(r.Target)); err == nil {
			return os.ErrExist
		}
		return os.Rename(p, h.s.local(r.Target))
	case "Remove", "Rmdir":
		return os.Remove(p)
	case "Mkdir":
		return os.Mkdir(p, 0o755)
	case "Setstat":
		return nil
	}
	return sftp.ErrSSHFxOpUnsupported
}

func (h *rootFS) PosixRename(r *sftp.Request) error {
	if h.s.noPosixRename {
		return sftp.ErrSSHFxOpUnsupported
	}
	return os.Rename(h.s.local(r.Filepath), h.s.local(r.Target))
}

func (h *rootFS) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	p := h.s.local(r.Filepath)
	switch r.Method {
	case "List":
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		var infos listerAt
		for _, e := range entries {
			if info, err := e.Info(); err == nil {
				infos = append(infos, info)
			}
		}
		return infos, nil
	case "Stat":
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		return listerAt{info}, nil
	}
	return nil, sftp.ErrSSHFxOpUnsupported
}

func (h *rootFS) Lstat(r *sftp.Request) (sftp.ListerAt, error) {
	info, err := os.Lstat(h.s.local(r.Filepath))
	if err != nil {
		return nil, err
	}
	return listerAt{info}, nil
}

type listerAt []os.FileInfo

func (l listerAt) ListAt(dst []os.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(dst, l[off:])
	if n < len(dst) {
		return n, io.EOF
	}
	return n, nil
}
