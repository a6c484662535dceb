package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/internal/testutil"
)

// benchProc is a server process of BenchmarkOrdersTo850, and the CPU
// profile it writes when it stops ("" for none).
type benchProc struct {
	*server
	role    string
	profile string
}

// startBenchServers starts one process (the embedded store), or a
// gateway and a worker (Redis); the gateway comes first. With profiles
// each writes a CPU profile, to $DROPGATE_BENCH_CPUPROFILE (with the
// role appended on Redis) or into dir.
func startBenchServers(b *testing.B, t *testing.T, dir string, redis, profiles bool) []benchProc {
	roles := []string{""}
	if redis {
		roles = []string{"gateway", "worker"}
	}
	var procs []benchProc
	for _, role := range roles {
		p := benchProc{role: role}
		if path := os.Getenv("DROPGATE_BENCH_CPUPROFILE"); path != "" {
			p.profile = path
			if role != "" {
				p.profile += "." + role
			}
		} else if profiles {
			p.profile = filepath.Join(dir, "cpu"+role+".pprof")
		}
		var env []string
		if p.profile != "" {
			env = append(env, "DROPGATE_CPUPROFILE="+p.profile)
		}
		if path := os.Getenv("DROPGATE_BENCH_TRACE"); path != "" {
			// An execution trace of the server (go tool trace); complete
			// once the benchmark stops it.
			if role != "" {
				path += "." + role
			}
			env = append(env, "DROPGATE_TRACE="+path)
		}
		p.server = startServerWith(t, dir, serveOpts{role: role, env: env})
		if p.server == nil || (role != "worker" && p.url == "") {
			b.Fatalf("dropgate serve --role %q did not start", role)
		}
		procs = append(procs, p)
	}
	return procs
}

// stopGracefully sends SIGTERM and waits for the process to exit (it
// writes its profile on the way out).
func (s *server) stopGracefully() error {
	if s.cmd.ProcessState != nil {
		return nil
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- err // kill9 and the cleanup may wait on it too
		return err
	case <-time.After(30 * time.Second):
		return fmt.Errorf("no exit 30s after SIGTERM")
	}
}

// procsCPU is the user + system CPU each process has used so far, from
// /proc (clock ticks of 10 ms).
func procsCPU(procs []benchProc) []time.Duration {
	out := make([]time.Duration, len(procs))
	for i, p := range procs {
		out[i] = processCPU(p.cmd.Process.Pid)
	}
	return out
}

func processCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which may hold spaces: state is
	// the first, utime the 12th and stime the 13th.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// procsWchar is the bytes the processes have passed to write syscalls so
// far (wchar of /proc/PID/io, summed); false where /proc has no io file.
func procsWchar(procs []benchProc) (int64, bool) {
	var sum int64
	for _, p := range procs {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", p.cmd.Process.Pid))
		if err != nil {
			return 0, false
		}
		found := false
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "wchar: "); ok {
				x, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				if err != nil {
					return 0, false
				}
				sum += x
				found = true
			}
		}
		if !found {
			return 0, false
		}
	}
	return sum, true
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// benchSend is what the open-loop sender achieved.
type benchSend struct {
	achieved float64 // posts started per second
	late     int     // posts started lateAfter or more after they were due
}

// lateAfter: a post started this much after it was due counts as late.
// Due times are 2 ms apart at 500/s; the sender's sleeps are good to a
// millisecond or two on an idle machine.
const lateAfter = 10 * time.Millisecond

// postOpenLoop posts ds at rate per second, each when it is due, whatever
// happened to earlier ones (as a platform's webhooks arrive), from as
// many goroutines as there are posts in flight (at most 1,024: a post
// that finds them all busy starts late). posted[i] is set to when post i
// was due, so latency includes any delay of the sender itself.
func postOpenLoop(b *testing.B, url string, ds []delivery, rate float64, start time.Time, posted []atomic.Int64) benchSend {
	p := newPlatform([]string{url})
	inFlight := make(chan struct{}, 1024)
	var wg sync.WaitGroup
	var out benchSend
	var first, last time.Duration
	for i := range ds {
		due := time.Duration(float64(i) * float64(time.Second) / rate)
		if d := due - time.Since(start); d > 0 {
			time.Sleep(d)
		}
		inFlight <- struct{}{}
		now := time.Since(start)
		if i == 0 {
			first = now
		}
		last = now
		if now-due >= lateAfter {
			out.late++
		}
		posted[i].Store(max(1, int64(due)))
		wg.Go(func() {
			defer func() { <-inFlight }()
			if code, err := p.post(ds[i], url); err != nil || code != 200 {
				b.Errorf("post %d: %d %v", i, code, err)
			}
		})
	}
	wg.Wait()
	if last > first {
		out.achieved = float64(len(ds)-1) / (last - first).Seconds()
	}
	return out
}

// benchRedis is the Redis a Redis variant runs on: $REDIS_URL (default
// redis://127.0.0.1:6379/0) under a key prefix of its own, deleted when
// the benchmark ends, so it shares a Redis with tests and other runs.
type benchRedis struct {
	url, prefix string
	rdb         *goredis.Client
}

func openBenchRedis(b *testing.B) *benchRedis {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := goredis.ParseURL(url)
	if err != nil {
		b.Fatal(err)
	}
	r := &benchRedis{url: url, prefix: "dgbench850-" + strconv.FormatInt(time.Now().UnixNano(), 36), rdb: goredis.NewClient(opt)}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := r.rdb.Ping(ctx).Err(); err != nil {
		r.rdb.Close()
		testutil.Unavailable(b, "redis at REDIS_URL=%s: %v", url, err)
	}
	b.Cleanup(func() {
		r.deletePrefix(b)
		r.rdb.Close()
	})
	return r
}

// commands is the server's total_commands_processed: the Redis commands
// per order of a run, on a Redis nothing else uses meanwhile.
func (r *benchRedis) commands(b *testing.B) float64 { return r.stat(b, "total_commands_processed:") }

// outBytes is the server's total_net_output_bytes: what Redis wrote to
// its clients (replies, Pub/Sub messages).
func (r *benchRedis) outBytes(b *testing.B) float64 { return r.stat(b, "total_net_output_bytes:") }

// stat reads one counter of INFO stats.
func (r *benchRedis) stat(b *testing.B, field string) float64 {
	info, err := r.rdb.Info(context.Background(), "stats").Result()
	if err != nil {
		b.Logf("redis INFO: %v", err)
		return 0
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return n
		}
	}
	return 0
}

// cpu is the redis-server process's CPU time so far (INFO cpu:
// used_cpu_sys + used_cpu_user) and that of its exited children (AOF
// rewrites, which the first leaves out), in ms: Redis's CPU per order of
// a run, on a Redis nothing else uses meanwhile.
func (r *benchRedis) cpu(b *testing.B) (self, children float64) {
	info, err := r.rdb.Info(context.Background(), "cpu").Result()
	if err != nil {
		b.Logf("redis INFO cpu: %v", err)
		return 0, 0
	}
	return testutil.RedisInfoCPU(info) * 1000, testutil.RedisInfoChildCPU(info) * 1000
}

// deletePrefix removes every key under the run's prefix, a page at a time.
func (r *benchRedis) deletePrefix(b *testing.B) {
	ctx := context.Background()
	var cursor uint64
	for {
		keys, next, err := r.rdb.Scan(ctx, cursor, r.prefix+":*", 1000).Result()
		if err != nil {
			b.Logf("cleaning up %s: %v", r.prefix, err)
			return
		}
		if len(keys) > 0 {
			r.rdb.Unlink(ctx, keys...)
		}
		if cursor = next; cursor == 0 {
			return
		}
	}
}
