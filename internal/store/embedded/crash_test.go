package embedded

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// crashEnv names the store file when the test binary runs as the child
// that gets killed.
const crashEnv = "DROPGATE_EMBEDDED_CRASH_CHILD"

// crashCheckpointsEnv, set in the child, makes it checkpoint its log
// every millisecond, so the kill lands among checkpoints in flight.
const crashCheckpointsEnv = "DROPGATE_EMBEDDED_CRASH_CHECKPOINTS"

// TestCrashChild is the victim of TestKillRecovery; it does nothing in a
// normal run. It enqueues, leases and acknowledges jobs as fast as it can
// and reports each operation on stdout only after it returned, so every
// line is a promise the parent can hold the file to.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("only runs as TestKillRecovery's child")
	}
	var opts []Option
	if os.Getenv(crashCheckpointsEnv) != "" {
		opts = append(opts, withCheckpoints(time.Millisecond, 64<<10))
	}
	s, err := Open(path, opts...)
	if err != nil {
		fmt.Printf("ERR open: %v\n", err)
		os.Exit(2)
	}
	var out sync.Mutex
	say := func(format string, args ...any) {
		out.Lock()
		fmt.Printf(format+"\n", args...)
		out.Unlock()
	}
	ctx := context.Background()
	for p := range 4 {
		go func() {
			for i := 0; ; i++ {
				id, err := s.Enqueue(ctx, store.Job{Queue: "q", Payload: []byte(fmt.Sprintf("crash-%d-%d", p, i))})
				if err != nil {
					say("ERR enqueue: %v", err)
					return
				}
				say("E %s", id)
			}
		}()
	}
	for w := range 2 {
		go func() {
			for n := 0; ; n++ {
				j, err := s.Dequeue(ctx, []string{"q"}, time.Hour)
				if err != nil {
					say("ERR dequeue: %v", err)
					return
				}
				if n%3 == 0 { // keep it leased: the crash must give it back
					say("L %s", j.ID)
					continue
				}
				say("D %s", j.ID) // about to ack: gone or not after a kill
				ack := func() error { return s.Ack(ctx, j) }
				if w == 1 { // ack with a follow-up job: both or neither survive
					fx := &store.Effects{}
					_, _ = store.Deferring(s).Enqueue(store.WithEffects(ctx, fx), store.Job{Queue: "f", Payload: []byte("after " + j.ID)})
					ack = func() error { return s.Complete(ctx, j, fx) }
				}
				if err := ack(); err != nil {
					say("ERR ack: %v", err)
					return
				}
				if w == 1 {
					say("X %s", j.ID) // completed with its follow-up
				}
				say("A %s", j.ID)
			}
		}()
	}
	go func() {
		for {
			v, err := s.NextCounter(ctx, "isa", "")
			if err != nil {
				say("ERR counter: %v", err)
				return
			}
			say("C %d", v)
		}
	}()
	select {} // until killed
}

// readyJobs is how many jobs of queue are ready now.
func readyJobs(t *testing.T, s *Store, queue string) int64 {
	t.Helper()
	stats, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range stats {
		if st.Queue == queue {
			return st.Ready
		}
	}
	return 0
}

// TestKillRecovery kills a process mid-way with SIGKILL and checks that
// the file keeps every promise made: enqueued jobs not acknowledged are
// there, acknowledged ones are not, leased ones are ready again at once,
// and counters never go back.
func TestKillRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	t.Run("checkpoints=default", func(t *testing.T) { killRecovery(t, "") })
	t.Run("checkpoints=every-ms", func(t *testing.T) { killRecovery(t, crashCheckpointsEnv+"=1") })
}

func killRecovery(t *testing.T, env string) {
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path, env)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	enqueued, acking, acked, leased := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	completed := map[string]bool{}
	var maxCounter int64
	sc := bufio.NewScanner(stdout)
	killed := false
	for sc.Scan() {
		line := sc.Text()
		op, arg, _ := strings.Cut(line, " ")
		switch op {
		case "E":
			enqueued[arg] = true
		case "D":
			acking[arg] = true
		case "A":
			acked[arg] = true
		case "X":
			completed[arg] = true
		case "L":
			leased[arg] = true
		case "C":
			n, _ := strconv.ParseInt(arg, 10, 64)
			maxCounter = max(maxCounter, n)
		case "ERR":
			t.Fatalf("child: %s", line)
		}
		if !killed && len(enqueued) >= 300 && len(acked) >= 50 && len(leased) >= 20 {
			// Mid-way: producers, workers and the counter are all busy.
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child ended before it was killed: %v", err)
	}
	t.Logf("child killed after %d enqueued, %d acked, %d left leased, counter %d",
		len(enqueued), len(acked), len(leased), maxCounter)

	start := time.Now()
	s, err := Open(path)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()
	t.Logf("reopen took %s", time.Since(start))

	ctx := context.Background()
	delivered := map[string]*store.Job{}
	// Everything that comes back is ready at once (leases included), and
	// nothing else runs: drain until no job is ready.
	for readyJobs(t, s, "q") > 0 {
		dctx, cancel := context.WithTimeout(ctx, time.Minute) // a hang guard
		j, err := s.Dequeue(dctx, []string{"q"}, time.Hour)
		cancel()
		if err != nil {
			t.Fatalf("Dequeue of a ready job: %v", err)
		}
		if delivered[j.ID] != nil {
			t.Fatalf("job %s delivered twice", j.ID)
		}
		delivered[j.ID] = j
	}
	// A follow-up exists exactly for the completed jobs that stayed gone.
	followUps := map[string]bool{}
	for readyJobs(t, s, "f") > 0 {
		dctx, cancel := context.WithTimeout(ctx, time.Minute)
		j, err := s.Dequeue(dctx, []string{"f"}, time.Hour)
		cancel()
		if err != nil {
			t.Fatalf("Dequeue of a ready follow-up: %v", err)
		}
		parent := strings.TrimPrefix(string(j.Payload), "after ")
		if followUps[parent] {
			t.Errorf("job %s has two follow-ups", parent)
		}
		followUps[parent] = true
		if delivered[parent] != nil {
			t.Errorf("job %s came back, but its follow-up was enqueued", parent)
		}
	}
	for id := range completed {
		if !followUps[id] {
			t.Errorf("job %s was completed with a follow-up, which is gone", id)
		}
	}
	t.Logf("%d follow-ups, %d completions reported before the kill", len(followUps), len(completed))
	for id := range enqueued {
		// An Ack in progress at the kill may or may not have committed.
		if !acked[id] && !acking[id] && delivered[id] == nil {
			t.Errorf("job %s was enqueued and never acknowledged, but is gone", id)
		}
	}
	for id, j := range delivered {
		if acked[id] {
			t.Errorf("job %s was acknowledged but came back", id)
		}
		if !strings.HasPrefix(string(j.Payload), "crash-") {
			t.Errorf("job %s has payload %q", id, j.Payload)
		}
		if leased[id] && j.Attempt != 2 {
			t.Errorf("job %s leased before the kill comes back with attempt %d; want 2", id, j.Attempt)
		}
	}
	for id := range leased {
		if delivered[id] == nil {
			t.Errorf("job %s was leased at the kill and did not come back at once", id)
		}
	}
	if v, err := s.NextCounter(ctx, "isa", ""); err != nil || v <= maxCounter {
		t.Errorf("counter after the kill = %d, %v; it had reached %d", v, err, maxCounter)
	}
}
