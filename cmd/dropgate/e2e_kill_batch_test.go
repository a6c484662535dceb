package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/model"
	"github.com/dropgate/dropgate/internal/x12"
)

// outboxPOs reads every 850 in dir: PO number (BEG03) -> the files
// carrying it, and each file's interchange control number (ISA13).
func outboxPOs(t *testing.T, dir string) (map[string][]string, map[string]string) {
	t.Helper()
	pos, ctrls := map[string][]string{}, map[string]string{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".850.x12") || strings.HasPrefix(name, ".") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue // taken between the listing and the read
		}
		f, err := x12.Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, ic := range f.Interchanges {
			ctrls[name] = ic.ISA.Element(13)
			for _, g := range ic.Groups {
				for _, st := range g.Sets {
					for _, seg := range st.Segments {
						if seg.ID == "BEG" {
							pos[seg.Element(3)] = append(pos[seg.Element(3)], name)
						}
					}
				}
			}
		}
	}
	return pos, ctrls
}

// TestKill9MidBurstBatched: TestKill9MidBurst with the supplier's POs
// batched into shared interchanges, the setting for peak rates. The server
// is killed right after an interchange appears, while its POs' jobs may
// not have recorded it yet; after the restart every accepted order has
// its PO exactly once across all interchanges: none lost, none sent in a
// second interchange, no control number used twice.
func TestKill9MidBurstBatched(t *testing.T) {
	if testing.Short() {
		t.Skip("burst test")
	}
	t.Parallel()
	dir := workdir(t)
	if err := addToSupplier(filepath.Join(dir, "configs", "demo.yaml"), "acme", "    batch: { max_sets: 16, max_wait: 20ms }\n"); err != nil {
		t.Fatal(err)
	}
	c := shop(t)
	const n = 240
	ds := make([]delivery, n)
	for i := range ds {
		ds[i] = newDelivery(t, c)
	}
	s := startServer(t, dir)
	outbox := filepath.Join(dir, "var", "outbox", "acme")

	var mu sync.Mutex
	accepted := make([]bool, n)
	count := 0
	third := make(chan struct{})
	next := make(chan int)
	go func() {
		for i := range ds {
			next <- i
		}
		close(next)
	}()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range next {
				code, err := ds[i].post(s.url)
				if err != nil || code != 200 {
					continue
				}
				mu.Lock()
				accepted[i] = true
				if count++; count == n/3 {
					close(third)
				}
				mu.Unlock()
			}
		})
	}
	// Once a third is accepted, kill at the first new interchange that
	// leaves accepted orders without a PO: its members' jobs are then
	// likely between the file and their own commit.
	<-third
	seen := map[string]bool{}
	for _, e := range mustReadDir(t, outbox) {
		seen[e] = true
	}
	killed := false
	for !killed {
		for _, e := range mustReadDir(t, outbox) {
			if seen[e] || !strings.HasSuffix(e, ".850.x12") {
				continue
			}
			seen[e] = true
			_ = s.cmd.Process.Signal(syscall.SIGSTOP)
			pos, _ := outboxPOs(t, outbox)
			mu.Lock()
			inFlight := len(pos) < count
			mu.Unlock()
			if inFlight {
				s.kill9()
				killed = true
				break
			}
			_ = s.cmd.Process.Signal(syscall.SIGCONT)
		}
		mu.Lock()
		all := count == n
		mu.Unlock()
		if !killed && all {
			t.Fatal("no interchange left accepted orders without a PO when frozen: nothing in flight to kill, the test proves nothing")
		}
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	pos, _ := outboxPOs(t, outbox)
	t.Logf("%d of %d deliveries got 200 before SIGKILL; %d POs were in the outbox", count, n, len(pos))

	s2 := startServer(t, dir)
	for i, a := range accepted {
		if !a {
			if code, err := ds[i].post(s2.url); err != nil || code != 200 {
				t.Fatalf("retry %d: %d %v", i, code, err)
			}
		}
	}
	want := map[string]bool{}
	for _, d := range ds {
		want[model.PONumber(d.orderID, "acme", 1)] = true
	}
	deadline := time.Now().Add(3 * time.Minute) // a hang guard
	for {
		pos, _ = outboxPOs(t, outbox)
		missing := 0
		for po := range want {
			if len(pos[po]) == 0 {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d orders without a PO after the restart", missing)
		}
		time.Sleep(20 * time.Millisecond)
	}
	s2.stop(t)
	checkExactlyOnePOBatched(t, outbox, ds)
}

func mustReadDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Name()
	}
	return out
}

// checkExactlyOnePOBatched: every order of ds has its PO in exactly one
// interchange of outbox, no other PO is there, and no interchange control
// number is used twice.
func checkExactlyOnePOBatched(t *testing.T, outbox string, ds []delivery) {
	t.Helper()
	pos, ctrls := outboxPOs(t, outbox)
	want := map[string]bool{}
	for _, d := range ds {
		want[model.PONumber(d.orderID, "acme", 1)] = true
	}
	for po, files := range pos {
		if !want[po] {
			t.Errorf("unknown PO %s in %v", po, files)
		}
		if len(files) != 1 {
			t.Errorf("PO %s sent %d times: %v", po, len(files), files)
		}
	}
	for po := range want {
		if len(pos[po]) == 0 {
			t.Errorf("order's PO %s is in no interchange", po)
		}
	}
	byCtrl := map[string]string{}
	for f, ctrl := range ctrls {
		if prev, dup := byCtrl[ctrl]; dup {
			t.Errorf("control number %s used by %s and %s", ctrl, prev, f)
		}
		byCtrl[ctrl] = f
	}
}
