package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dropgate/dropgate/internal/testutil"
)

// redisServer is a private redis-server for one test: its own loopback
// port and data directory, so a test can kill and restart it without
// touching anyone else's Redis.
type redisServer struct {
	t    *testing.T
	bin  string
	dir  string
	port int
	aof  bool
	cmd  *exec.Cmd
	done chan error
}

// startRedis starts a private redis-server. With aof, every write is
// fsynced to an append-only file before Redis replies (appendfsync
// always), which is what the README asks of a deployment that must keep
// acknowledged webhooks across a Redis crash; without it, nothing is
// persisted.
func startRedis(t *testing.T, aof bool) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		testutil.Unavailable(t, "redis-server is not installed (Debian: apt-get install redis-server): %v", err)
	}
	r := &redisServer{t: t, bin: bin, dir: t.TempDir(), aof: aof}
	// A free port can be taken between our probe and Redis's bind: try a
	// few.
	for attempt := 1; ; attempt++ {
		r.port = freePort(t)
		err := r.start()
		if err == nil {
			break
		}
		if attempt == 5 {
			t.Fatalf("redis-server: %v", err)
		}
	}
	t.Cleanup(func() {
		r.stop(syscall.SIGKILL)
		if t.Failed() {
			t.Logf("redis-server log (tail):\n%s", r.logTail(30))
		}
	})
	return r
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

// url is the Redis URL dropgate's config takes.
func (r *redisServer) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *redisServer) addr() string { return fmt.Sprintf("127.0.0.1:%d", r.port) }

// start runs redis-server on r's port and directory and waits until it
// answers PING (after loading its append-only file, on a restart).
func (r *redisServer) start() error {
	args := []string{
		"--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--daemonize", "no", "--logfile", "redis.log", "--save", "",
		"--maxmemory-policy", "noeviction",
		// No background AOF rewrite: a forked child must not outlive a
		// SIGKILLed server, and the test's AOF stays far below the size
		// where a rewrite would matter.
		"--auto-aof-rewrite-percentage", "0",
	}
	if r.aof {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	cmd := exec.Command(r.bin, args...)
	cmd.Dir = r.dir
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if r.ping() == nil {
			r.cmd, r.done = cmd, done
			return nil
		}
		select {
		case err := <-done:
			return fmt.Errorf("exited (%v); log:\n%s", err, r.logTail(10))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-done
			return fmt.Errorf("not answering PING after 15s; log:\n%s", r.logTail(10))
		}
	}
}

// ping speaks just enough RESP to tell a ready server from one that is
// absent or still loading (-LOADING).
func (r *redisServer) ping() error {
	c, err := net.DialTimeout("tcp", r.addr(), time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("PING: %s", strings.TrimSpace(line))
	}
	return nil
}

// stop sends sig and waits for the server to exit (SIGKILL after 10s).
func (r *redisServer) stop(sig syscall.Signal) {
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Signal(sig)
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
	r.cmd = nil
}

// restart starts the server again on the same port and directory, so it
// loads what it had persisted.
func (r *redisServer) restart() error {
	if err := r.start(); err != nil {
		return fmt.Errorf("redis-server restart: %w", err)
	}
	return nil
}

func (r *redisServer) logTail(n int) string {
	b, _ := os.ReadFile(filepath.Join(r.dir, "redis.log"))
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
