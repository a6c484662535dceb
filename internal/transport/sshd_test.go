package transport

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/internal/testutil"
)

// openSSH is a real sshd (the distribution's OpenSSH) serving internal-sftp
// on 127.0.0.1, started by the test as the current user.
type openSSH struct {
	dir     string
	port    int
	user    string
	hostKey ssh.PublicKey
	keyPEM  string           // the authorised client key, unencrypted OpenSSH format
	stderr  *testutil.Buffer // sshd's log, for the failure message
}

// findSSHD returns sshd's absolute path (it re-executes itself, which it
// refuses to do from a relative one), or skips/fails via testutil.
func findSSHD(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("sshd")
	if err != nil {
		p = "/usr/sbin/sshd" // not on a normal user's PATH
	}
	if _, err := os.Stat(p); err != nil {
		testutil.Unavailable(t, "sshd not installed (apt-get install openssh-server; .ci/services.sh start_sshd_prereqs)")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

// startOpenSSH writes a host key, a client key and an sshd_config into a
// temporary directory and runs sshd in the foreground until the test ends.
func startOpenSSH(t *testing.T) *openSSH {
	t.Helper()
	bin := findSSHD(t)
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		// Run as root, sshd insists on its privilege separation directory,
		// which the distribution's service unit would have made.
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s := &openSSH{dir: t.TempDir(), user: u.Username, stderr: &testutil.Buffer{}}
	hostPriv, hostSigner := newKey(t)
	s.hostKey = hostSigner.PublicKey()
	userPriv, userSigner := newKey(t)
	s.keyPEM = keyPEM(t, userPriv, "")
	writeSecret(t, filepath.Join(s.dir, "host_ed25519"), keyPEM(t, hostPriv, ""))
	authorized := ssh.MarshalAuthorizedKey(userSigner.PublicKey())
	if err := os.WriteFile(filepath.Join(s.dir, "authorized_keys"), authorized, 0o600); err != nil {
		t.Fatal(err)
	}

	// The port is found free and then handed to sshd, so another process
	// may take it in between: try again on a bind failure.
	for attempt := 0; ; attempt++ {
		s.port = freePort(t)
		cfg := filepath.Join(s.dir, "sshd_config")
		if err := os.WriteFile(cfg, []byte(s.config()), 0o600); err != nil {
			t.Fatal(err)
		}
		err := s.run(t, bin, cfg)
		if err == nil {
			return s
		}
		if attempt == 2 || !strings.Contains(s.stderr.String(), "Address already in use") {
			t.Fatalf("sshd: %v\n%s", err, s.stderr)
		}
	}
}

func (s *openSSH) config() string {
	return strings.Join([]string{
		fmt.Sprintf("ListenAddress 127.0.0.1:%d", s.port),
		"HostKey " + filepath.Join(s.dir, "host_ed25519"),
		"PidFile " + filepath.Join(s.dir, "sshd.pid"),
		"AuthorizedKeysFile " + filepath.Join(s.dir, "authorized_keys"),
		"StrictModes no", // the temporary directory's modes are not sshd's business
		"PubkeyAuthentication yes",
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PermitRootLogin prohibit-password", // the tests may run as root
		"AllowUsers " + s.user,
		"UsePAM yes", // without PAM, sshd refuses users whose password is locked ("*", "!"), as service and CI users' are
		"Subsystem sftp internal-sftp",
		"LogLevel VERBOSE",
		"",
	}, "\n")
}

// run starts sshd and waits until it answers with an SSH banner, or
// returns an error if it exits first.
func (s *openSSH) run(t *testing.T, bin, cfg string) error {
	cmd := exec.Command(bin, "-D", "-e", "-f", cfg)
	cmd.Stdout, cmd.Stderr = s.stderr, s.stderr
	// Its own process group, so whatever it runs in it goes with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		// The per-connection children (each in its own session, out of
		// reach of the group signal) end once the clients have closed,
		// which subtests do first; let sshd reap them rather than leave
		// them to init.
		for end := time.Now().Add(2 * time.Second); hasChildren(cmd.Process.Pid) && time.Now().Before(end); {
			time.Sleep(10 * time.Millisecond)
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(3 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
	}
	deadline := time.Now().Add(time.Minute) // a hang guard
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("exited before listening: %v", err)
		default:
		}
		if banner(s.port) {
			t.Cleanup(stop)
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	return errors.New("not listening after a minute")
}

// hasChildren reports whether any process has pid as its parent (Linux
// /proc; elsewhere it answers false and sshd is stopped at once).
func hasChildren(pid int) bool {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// "pid (comm) state ppid …"; comm may hold spaces and parentheses.
		rest := string(stat[bytes.LastIndexByte(stat, ')')+1:])
		if f := strings.Fields(rest); len(f) > 1 && f[1] == strconv.Itoa(pid) {
			return true
		}
	}
	return false
}

// banner reports whether an OpenSSH server answers on port.
func banner(port int) bool {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	line, _ := bufio.NewReader(c).ReadString('\n')
	return strings.HasPrefix(line, "SSH-2.0-OpenSSH")
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func writeSecret(t *testing.T, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// transportConfig pins the server's key with a known_hosts line and logs in
// with the client key; the boxes are absolute paths in the test directory.
func (s *openSSH) transportConfig() Config {
	return Config{
		Type: "sftp", Host: "127.0.0.1", Port: s.port, User: s.user,
		PrivateKey: connector.Secret(s.keyPEM),
		HostKey:    knownhosts.Line([]string{fmt.Sprintf("127.0.0.1:%d", s.port)}, s.hostKey),
		Outbox:     filepath.Join(s.dir, "out"),
		Inbox:      filepath.Join(s.dir, "in"),
		Timeout:    time.Minute, // a hang guard; the calls answer at once
	}
}

func TestOpenSSH(t *testing.T) {
	s := startOpenSSH(t)
	ctx := context.Background()
	fail := func(t *testing.T, format string, args ...any) {
		t.Helper()
		t.Fatalf(format+"\nsshd log:\n%s", append(args, s.stderr)...)
	}

	t.Run("put replaces atomically", func(t *testing.T) {
		for _, posix := range []bool{true, false} {
			c := s.transportConfig()
			if ps := c.Check("transport"); len(ps) != 0 {
				t.Fatalf("Check: %v", ps)
			}
			tr := openSFTP(t, c)
			tr.noPosixRename = !posix // plain SFTP rename refuses an existing target on OpenSSH
			for _, v := range []string{"first version", "second, longer version"} {
				if err := tr.Put(ctx, "850_1.edi", []byte(v)); err != nil {
					fail(t, "Put (posix-rename %v): %v", posix, err)
				}
				if got, err := os.ReadFile(filepath.Join(s.dir, "out", "850_1.edi")); err != nil || string(got) != v {
					t.Fatalf("out/850_1.edi = %q, %v; want %q", got, err, v)
				}
			}
			if h := hiddenFiles(t, filepath.Join(s.dir, "out")); len(h) != 0 {
				t.Fatalf("temporary files left: %v", h)
			}
		}
	})

	t.Run("list get archive", func(t *testing.T) {
		tr := openSFTP(t, s.transportConfig())
		in := filepath.Join(s.dir, "in")
		old := time.Now().Add(-time.Hour)
		writeFile(t, filepath.Join(in, "new.edi"), "new")
		writeFile(t, filepath.Join(in, "old.edi"), "old")
		writeFile(t, filepath.Join(in, ".incoming"), "partial")
		if err := os.Chtimes(filepath.Join(in, "old.edi"), old, old); err != nil {
			t.Fatal(err)
		}
		files, err := tr.List(ctx)
		if err != nil {
			fail(t, "List: %v", err)
		}
		if len(files) != 2 || files[0].Name != "old.edi" || files[1].Name != "new.edi" {
			t.Fatalf("List = %+v, want old.edi then new.edi", files)
		}
		if b, err := tr.Get(ctx, "old.edi"); err != nil || string(b) != "old" {
			t.Fatalf("Get = %q, %v", b, err)
		}
		if err := tr.Archive(ctx, "old.edi"); err != nil {
			fail(t, "Archive: %v", err)
		}
		writeFile(t, filepath.Join(in, "old.edi"), "old again")
		if err := tr.Archive(ctx, "old.edi"); err != nil {
			fail(t, "Archive (clash): %v", err)
		}
		if b, err := os.ReadFile(filepath.Join(in, "archive", "old.edi.1")); err != nil || string(b) != "old again" {
			t.Fatalf("archive/old.edi.1 = %q, %v", b, err)
		}
		if err := tr.Archive(ctx, "old.edi"); !errors.Is(err, ErrNotExist) {
			t.Fatalf("Archive of a file already gone: %v, want ErrNotExist", err)
		}
		if _, err := tr.Get(ctx, "old.edi"); !errors.Is(err, ErrNotExist) {
			t.Fatalf("Get of a file gone: %v, want ErrNotExist", err)
		}
	})

	t.Run("file names and leftovers", func(t *testing.T) {
		c := s.transportConfig()
		c.Outbox, c.Inbox = filepath.Join(s.dir, "names-out"), filepath.Join(s.dir, "names-in")
		tr := openSFTP(t, c)
		l := leaveTempFiles(t, c.Outbox)
		if err := tr.Put(ctx, "PO-1003-1.850.x12", []byte("next PO")); err != nil {
			fail(t, "Put: %v", err)
		}
		l.check(t)
		checkLongNameArchive(t, tr, c.Inbox, filepath.Join(c.Inbox, "archive"))
		checkQuarantine(t, tr, c.Inbox, filepath.Join(c.Inbox, "archive"))
	})

	t.Run("wrong host key refused", func(t *testing.T) {
		_, other := newKey(t)
		c := s.transportConfig()
		c.Outbox = filepath.Join(s.dir, "never")
		c.HostKey = string(ssh.MarshalAuthorizedKey(other.PublicKey()))
		err := openSFTP(t, c).Put(ctx, "x.edi", []byte("x"))
		var mismatch *HostKeyMismatchError
		if !errors.As(err, &mismatch) {
			fail(t, "Put = %v, want a host key mismatch", err)
		}
		for _, want := range []string{ssh.FingerprintSHA256(s.hostKey), ssh.FingerprintSHA256(other.PublicKey())} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q does not mention %s", err, want)
			}
		}
		if _, err := os.Stat(c.Outbox); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("outbox created despite the mismatch: %v", err)
		}
	})

	t.Run("passphrase-protected OpenSSH key", func(t *testing.T) {
		keygen, err := exec.LookPath("ssh-keygen")
		if err != nil {
			testutil.Unavailable(t, "ssh-keygen not installed (openssh-client)")
		}
		key := filepath.Join(t.TempDir(), "id_ed25519")
		// -a 2: the bcrypt KDF at its default cost takes seconds here.
		out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-a", "2", "-N", "pass phrase", "-C", "test", "-f", key).CombinedOutput()
		if err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
		pem, _ := os.ReadFile(key)
		pub, _ := os.ReadFile(key + ".pub")
		f, err := os.OpenFile(filepath.Join(s.dir, "authorized_keys"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = f.Write(pub)
		f.Close()
		c := s.transportConfig()
		c.PrivateKey, c.PrivateKeyPassphrase = connector.Secret(pem), "pass phrase"
		c.HostKey = ssh.FingerprintSHA256(s.hostKey) // and the fingerprint form against OpenSSH
		if ps := c.Check("transport"); len(ps) != 0 {
			t.Fatalf("Check: %v", ps)
		}
		if err := openSFTP(t, c).Put(ctx, "enc.edi", []byte("enc")); err != nil {
			fail(t, "Put: %v", err)
		}
	})
}
