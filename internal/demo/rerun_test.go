package demo

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
	"github.com/dropgate/dropgate/internal/config"
	"github.com/dropgate/dropgate/internal/engine"
	"github.com/dropgate/dropgate/internal/store/embedded"
)

// inDemoDir copies the repository's demo config into a fresh directory
// and makes it the working directory, as a newcomer's clone would be.
func inDemoDir(t *testing.T) string {
	t.Helper()
	repo, _ := filepath.Abs("../..")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "configs"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"demo.yaml", "demo-catalog.csv"} {
		b, err := os.ReadFile(filepath.Join(repo, "configs", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "configs", f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DROPGATE_ADMIN_TOKEN", "")
	return dir
}

// freeAddr is a loopback address nobody listens on (for the store, so
// tests stay off the demo's well-known ports).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// demoRun is one `dropgate demo` as cmd/dropgate runs it: a fresh run
// directory under var/demo, the config loaded for it.
func demoRun(t *testing.T, o Options) (string, string, error) {
	t.Helper()
	dir, err := NewRunDir(filepath.Join("var", "demo"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cfg, probs, err := config.Load("configs/demo.yaml", config.Options{Lookup: Lookup(dir)})
	if err != nil || len(probs.Errors()) > 0 {
		t.Fatalf("demo config: %v %v", err, probs)
	}
	var out bytes.Buffer
	o.Config, o.Dir, o.Out = cfg, dir, &out
	if o.ShipAfter == 0 {
		o.ShipAfter = 300 * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	err = Run(ctx, o)
	return dir, out.String(), err
}

var eventRE = regexp.MustCompile(`(?m)^  \+\s*(\d+\.\d)s  (\S+)`)

// cleanStory is the timeline of the demo order when nothing else is going
// on, as a multiset: the supplier's 997, 855 and 856 are parsed by
// concurrent jobs, so their events may interleave differently.
var cleanStory = []string{
	"fulfillment.created", "line.routed", "line.routed", "order.received", "po.acknowledged", "po.created",
	"po.functional_ack_accepted", "po.line_accepted", "po.line_accepted", "po.sent", "po.shipped", "routing.decided", "shipment.created",
}

// TestDemoRunsCleanThreeTimes is `dropgate demo` three times in a row in
// the same directory. Before each run had its own data directory, the
// simulated supplier answered every earlier 850 again, its control
// numbers collided with the earlier runs', the new order's 855 was
// dropped as a duplicate, and exceptions nobody caused appeared.
func TestDemoRunsCleanThreeTimes(t *testing.T) {
	inDemoDir(t)
	t.Setenv("SHOPIFY_BASE_URL", "http://"+freeAddr(t))
	var dirs []string
	for run := 1; run <= 3; run++ {
		dir, story, err := demoRun(t, Options{Listen: "127.0.0.1:0", ListenGiven: true})
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, story)
		}
		dirs = append(dirs, dir)
		var events []string
		for _, m := range eventRE.FindAllStringSubmatch(story, -1) {
			events = append(events, m[2])
			if strings.HasPrefix(m[1], "-") {
				t.Errorf("run %d: negative offset %s", run, m[0])
			}
		}
		if !strings.HasPrefix(strings.Join(events, " "), "order.received po.created line.routed line.routed routing.decided po.sent ") ||
			events[len(events)-1] != "fulfillment.created" {
			t.Errorf("run %d: the story is not received → routed → sent → … → fulfilled: %v\n%s", run, events, story)
		}
		slices.Sort(events)
		if !slices.Equal(events, cleanStory) {
			t.Errorf("run %d told a different story:\n got %v\nwant %v\n%s", run, events, cleanStory, story)
		}
		if !strings.Contains(story, "✔ nothing for an operator: no exceptions, no dead letters") {
			t.Errorf("run %d left work for an operator:\n%s", run, story)
		}
		if n := countOperatorWork(t, filepath.Join(dir, "dropgate.db")); n != 0 {
			t.Errorf("run %d: the store holds %d exceptions and dead letters", run, n)
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "outbox", "acme", "PO*.850.x12")); len(files) != 1 {
			t.Errorf("run %d: 850s in its outbox: %v", run, files)
		}
	}
	// Only the last run's directory is left: each run cleared the ones
	// before it (no process used them any more).
	left, _ := filepath.Glob(filepath.Join("var", "demo", "run-*"))
	if len(left) != 1 || left[0] != dirs[2] {
		t.Errorf("run directories left: %v, want only %s", left, dirs[2])
	}
}

// countOperatorWork opens a finished run's store and counts every
// exception (open or not) and dead letter in it.
func countOperatorWork(t *testing.T, path string) int {
	t.Helper()
	st, err := embedded.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	xs, _, err := st.ListRecords(ctx, engine.RecException, store.Query{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	dead, _, err := st.DeadLetters(ctx, "", 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range xs {
		t.Logf("exception: %s", x.Data)
	}
	for _, d := range dead {
		t.Logf("dead letter: %s %v", d.Kind, d.Errors)
	}
	return len(xs) + len(dead)
}

// TestBusyPortsMoveAndSaySo: with the gateway's and the store's default
// ports taken (another demo running), the demo takes free ones, says so,
// and still ships the order.
func TestBusyPortsMoveAndSaySo(t *testing.T) {
	inDemoDir(t)
	var taken []string
	for i := 0; i < 2; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		taken = append(taken, ln.Addr().String())
	}
	t.Setenv("SHOPIFY_BASE_URL", "http://"+taken[0])
	_, story, err := demoRun(t, Options{Listen: taken[1]})
	if err != nil {
		t.Fatalf("demo with busy ports: %v\n%s", err, story)
	}
	for _, addr := range taken {
		_, port, _ := net.SplitHostPort(addr)
		if !strings.Contains(story, fmt.Sprintf("▸ port %s is busy", port)) {
			t.Errorf("nothing said about the busy port %s:\n%s", port, story)
		}
	}
	if !strings.Contains(story, "✔ order #1001: shipped") {
		t.Errorf("the order did not ship:\n%s", story)
	}

	// An address asked for explicitly is not swapped behind the user's back.
	_, story, err = demoRun(t, Options{Listen: taken[1], ListenGiven: true})
	if err == nil || !strings.Contains(err.Error(), taken[1]) {
		t.Errorf("--listen on a busy port: %v\n%s", err, story)
	}
}

// TestOffsetIsNeverNegativeZero: an entry stamped a moment before the
// webhook was sent prints as +0.0s.
func TestOffsetIsNeverNegativeZero(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-30 * time.Millisecond:   "+  0.0s",
		-2 * time.Second:         "+  0.0s",
		0:                        "+  0.0s",
		1049 * time.Millisecond:  "+  1.0s",
		12500 * time.Millisecond: "+ 12.5s",
	} {
		if got := offset(d); got != want {
			t.Errorf("offset(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestPruneKeepsRunsInUse: a run whose store is open (a `demo --keep` in
// another terminal) survives the next run's clean-up; finished ones go.
func TestPruneKeepsRunsInUse(t *testing.T) {
	root := t.TempDir()
	live, err := NewRunDir(root, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	st, err := embedded.Open(filepath.Join(live, "dropgate.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	old, _ := NewRunDir(root, time.Now())
	os.WriteFile(filepath.Join(old, "dropgate.db"), nil, 0o600)
	other := filepath.Join(root, "not-a-run")
	os.MkdirAll(other, 0o755)
	next, err := NewRunDir(root, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for dir, want := range map[string]bool{live: true, old: false, other: true, next: true} {
		if _, err := os.Stat(dir); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", filepath.Base(dir), err == nil, want)
		}
	}
}
