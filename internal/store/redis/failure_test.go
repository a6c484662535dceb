package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/testutil"
)

// TestRedisDownIsUnavailable: with nothing listening, Open still returns
// (a replica may start before Redis) and every call fails on its own with
// store.ErrUnavailable, which the gateway turns into 503: not by running
// into its caller's deadline (the calls get a context without one), nor
// by hanging (a guard of a minute). How long each took is logged.
func TestRedisDownIsUnavailable(t *testing.T) {
	addr := testutil.ClosedAddr(t)
	for _, o := range []Options{{URL: "redis://" + addr + "/0"}, {Addrs: []string{addr}}} {
		name := "standalone"
		if len(o.Addrs) > 0 {
			name = "cluster"
		}
		t.Run(name, func(t *testing.T) {
			var s *Store
			if d, err := returnsWithin(time.Minute, func() error {
				var err error
				s, err = Open(context.Background(), o)
				return err
			}); err != nil {
				t.Fatalf("Open with Redis down (%s): %v; want a store that reports unavailable", d, err)
			}
			defer s.Close()
			j := &store.Job{ID: "x", Queue: "q", Lease: "l"}
			var slowest time.Duration
			for _, op := range []struct {
				name string
				call func(ctx context.Context) error
			}{
				{"Ping", s.Ping},
				{"Enqueue", func(ctx context.Context) error { _, err := s.Enqueue(ctx, store.Job{Queue: "q"}); return err }},
				{"Dequeue", func(ctx context.Context) error { _, err := s.Dequeue(ctx, []string{"q"}, time.Minute); return err }},
				{"Ack", func(ctx context.Context) error { return s.Ack(ctx, j) }},
				{"Stats", func(ctx context.Context) error { _, err := s.Stats(ctx); return err }},
				{"DeadLetters", func(ctx context.Context) error { _, _, err := s.DeadLetters(ctx, "", 10); return err }},
				{"PutRecord", func(ctx context.Context) error {
					_, err := s.PutRecord(ctx, store.Record{Kind: "order", ID: "1"})
					return err
				}},
				{"NextCounter", func(ctx context.Context) error { _, err := s.NextCounter(ctx, "isa", ""); return err }},
				{"GetBlob", func(ctx context.Context) error { _, err := s.GetBlob(ctx, "b"); return err }},
				{"Claim", func(ctx context.Context) error { _, err := s.Claim(ctx, "c", time.Minute); return err }},
				{"Take", func(ctx context.Context) error {
					_, err := s.Take(ctx, "shop", 1, store.Limit{Rate: 2, Burst: 40})
					return err
				}},
			} {
				d, err := returnsWithin(time.Minute, func() error { return op.call(context.Background()) })
				if !errors.Is(err, store.ErrUnavailable) {
					t.Errorf("%s with Redis down: %v (after %s); want store.ErrUnavailable", op.name, err, d)
				}
				slowest = max(slowest, d)
			}
			t.Logf("slowest call to fail: %s", slowest)
		})
	}
}

// returnsWithin runs call and returns its error and duration, or an error
// of its own if call has not returned after guard (a hang guard: the call
// is left running).
func returnsWithin(guard time.Duration, call func() error) (time.Duration, error) {
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return time.Since(start), err
	case <-time.After(guard):
		return guard, fmt.Errorf("still blocked after %s", guard)
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	for _, o := range []Options{
		{},
		{URL: "redis://127.0.0.1:6379", Addrs: []string{"127.0.0.1:7000"}},
		{URL: "redis://127.0.0.1:6379", Prefix: "dg{x}"},
		{URL: "http://user:secret@127.0.0.1:6379"},
		{URL: "redis://127.0.0.1:6379", LimitHeadroom: 1.5},
	} {
		s, err := Open(context.Background(), o)
		if err == nil {
			s.Close()
			t.Errorf("Open(%+v) succeeded", o)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("error quotes the password: %v", err)
		}
	}
}

// TestRestartKeepsAcknowledgedJobs kills a Redis that runs with AOF
// (appendfsync always) mid-work with SIGKILL and restarts it: every job
// whose Enqueue returned is still there, acknowledged jobs stay gone,
// jobs that were in flight come back after their lease, and the same
// Store keeps working once Redis is back (calls in between fail with
// ErrUnavailable).
func TestRestartKeepsAcknowledgedJobs(t *testing.T) {
	dir := t.TempDir()
	srv := startRedis(t, dir, "--appendonly", "yes", "--appendfsync", "always")
	addr := srv.addr

	ctx := context.Background()
	s := openTest(t, Options{URL: "redis://" + addr + "/0"})
	defer s.Close()
	const total = 60
	want := map[string]bool{}
	for i := range total {
		j := store.Job{Queue: "q", Kind: "k", Payload: []byte(strconv.Itoa(i))}
		if i%3 == 0 {
			j.Group = fmt.Sprintf("order-%d", i%4)
		}
		id, err := s.Enqueue(ctx, j)
		if err != nil {
			t.Fatalf("Enqueue: %v", err)
		}
		want[id] = true
	}
	for range 20 {
		j, err := s.Dequeue(ctx, []string{"q"}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Ack(ctx, j); err != nil {
			t.Fatal(err)
		}
		delete(want, j.ID)
	}
	inFlight := map[string]bool{}
	for range 5 {
		j, err := s.Dequeue(ctx, []string{"q"}, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		inFlight[j.ID] = true
	}

	srv.kill() // SIGKILL: no shutdown, no final fsync
	if _, err := s.Enqueue(ctx, store.Job{Queue: "q"}); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Enqueue with Redis down: %v; want ErrUnavailable", err)
	}
	srv.restart(t)

	got := map[string]bool{}
	deadline := time.Now().Add(30 * time.Second)
	for len(got) < len(want) && time.Now().Before(deadline) {
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		j, err := s.Dequeue(dctx, []string{"q"}, time.Minute)
		cancel()
		if errors.Is(err, store.ErrUnavailable) {
			time.Sleep(100 * time.Millisecond) // a worker backs off
			continue
		}
		if err != nil {
			t.Fatalf("Dequeue after restart: %v (got %d of %d)", err, len(got), len(want))
		}
		if !want[j.ID] || got[j.ID] {
			t.Fatalf("after restart delivered %s (wanted %v, got before %v)", j.ID, want[j.ID], got[j.ID])
		}
		got[j.ID] = true
		if inFlight[j.ID] && j.Attempt != 2 {
			t.Errorf("job in flight at the crash redelivered with attempt %d; want 2", j.Attempt)
		}
		if err := s.Ack(ctx, j); err != nil {
			t.Fatalf("Ack after restart: %v", err)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("after restart got %d of the %d unacknowledged jobs", len(got), len(want))
	}
}

// TestDurabilityWarnings: the store names a Redis that cannot keep the
// delivery promise, and stays quiet about one that can.
func TestDurabilityWarnings(t *testing.T) {
	safe := startRedis(t, t.TempDir(), "--appendonly", "yes", "--maxmemory-policy", "noeviction")
	risky := startRedis(t, t.TempDir(), "--appendonly", "no", "--maxmemory-policy", "allkeys-lru")
	ctx := context.Background()
	for _, tc := range []struct {
		srv  *redisServer
		want []string
	}{
		{safe, nil},
		{risky, []string{"appendonly is off", "maxmemory-policy is allkeys-lru"}},
	} {
		s := openTest(t, Options{URL: "redis://" + tc.srv.addr + "/0"})
		risks, err := s.durabilityRisks(ctx)
		s.Close()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range risks {
			got = append(got, r.problem)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("risks of %s = %q; want %q", tc.srv.args, got, tc.want)
		}
		for i := range got {
			if !strings.HasPrefix(got[i], tc.want[i]) {
				t.Errorf("risk %q; want %q…", got[i], tc.want[i])
			}
		}
	}
}

// redisServer is a private redis-server the test started (and kills).
type redisServer struct {
	bin, addr, dir string
	args           []string
	cmd            *exec.Cmd
}

// startRedis starts redis-server on a free loopback port with its files
// in dir, skipping the test (failing it in CI) when it is not installed.
func startRedis(t *testing.T, dir string, args ...string) *redisServer {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		testutil.Unavailable(t, "redis-server is not installed")
	}
	srv := &redisServer{bin: bin, addr: testutil.ClosedAddr(t), dir: dir, args: args}
	srv.restart(t)
	t.Cleanup(srv.kill)
	return srv
}

func (r *redisServer) restart(t *testing.T) {
	t.Helper()
	_, port, _ := net.SplitHostPort(r.addr)
	args := append([]string{"--port", port, "--bind", "127.0.0.1", "--dir", r.dir, "--save", "", "--daemonize", "no"}, r.args...)
	r.cmd = exec.Command(r.bin, args...)
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", r.addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatal("redis-server did not listen within a minute")
}

// kill sends SIGKILL to the server this test started and reaps it.
func (r *redisServer) kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_, _ = r.cmd.Process.Wait()
		r.cmd = nil
	}
}

// TestOpenWithWrongPassword: a refusal no waiting will cure fails Open
// (the operator must fix the config), without quoting the password, and
// is not mistaken for an outage.
func TestOpenWithWrongPassword(t *testing.T) {
	srv := startRedis(t, t.TempDir(), "--requirepass", "right-horse-battery")
	s, err := Open(context.Background(), Options{URL: "redis://:wrong-staple@" + srv.addr + "/0"})
	if err == nil {
		s.Close()
		t.Fatal("Open with a wrong password succeeded")
	}
	if errors.Is(err, store.ErrUnavailable) || strings.Contains(err.Error(), "wrong-staple") {
		t.Fatalf("Open: %v; want a plain error that does not quote the password", err)
	}
	s, err = Open(context.Background(), Options{URL: "redis://" + srv.addr + "/0", Password: "right-horse-battery"})
	if err != nil {
		t.Fatalf("Open with Options.Password: %v", err)
	}
	defer s.Close()
	if err := s.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}
