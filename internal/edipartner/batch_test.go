package edipartner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/connector"
	"github.com/dropgate/dropgate/core/job"
	"github.com/dropgate/dropgate/internal/transport"
)

// textEnvelope is a toy syntax: a header line, one line per set, a
// trailer with the set count.
type textEnvelope struct {
	b    strings.Builder
	sets int
}

func (e *textEnvelope) Begin(ctrl int64) error {
	e.b.WriteString("BEGIN " + strconvI(ctrl) + "\n")
	return nil
}

func (e *textEnvelope) End() ([]byte, error) {
	e.b.WriteString("END " + strconvI(int64(e.sets)) + "\n")
	return []byte(e.b.String()), nil
}

func strconvI(n int64) string { return strconv.FormatInt(n, 10) }

func member(po string) Member {
	return Member{
		Outbound: Outbound{PO: po, Once: OrderKey("850", "00", po), Ref: "x12:isa13"},
		RenderSet: func(env Envelope, set string) error {
			e := env.(*textEnvelope)
			e.sets++
			e.b.WriteString("SET " + set + " " + po + "\n")
			return nil
		},
	}
}

type batchRig struct {
	b      *Batcher
	outbox string
	fire   chan time.Time // ends MaxWait
}

func newBatchRig(t *testing.T, maxSets int) *batchRig {
	t.Helper()
	out := t.TempDir()
	link, err := Open("acme", transport.Config{Type: "directory", Outbox: out}, Naming{Doc: "850", Ext: "x12"})
	if err != nil {
		t.Fatal(err)
	}
	r := &batchRig{outbox: out, fire: make(chan time.Time)}
	r.b = &Batcher{Policy: Batch{MaxSets: maxSets, MaxWait: time.Hour}, Link: link, Counters: newCounters(),
		NewEnvelope: func() Envelope { return &textEnvelope{} },
		after:       func(time.Duration) <-chan time.Time { return r.fire }}
	return r
}

func (r *batchRig) files(t *testing.T) map[string]string {
	t.Helper()
	es, err := os.ReadDir(r.outbox)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range es {
		b, _ := os.ReadFile(filepath.Join(r.outbox, e.Name()))
		out[e.Name()] = string(b)
	}
	return out
}

// TestBatchFullWritesOneInterchange: three POs sent at once with
// max_sets 3 travel in one file under one control number, each its own
// set; the fourth opens the next batch, written when its wait ends.
func TestBatchFullWritesOneInterchange(t *testing.T) {
	r := newBatchRig(t, 3)
	ctx := context.Background()
	sent := make([]connector.Sent, 3)
	var wg sync.WaitGroup
	for i, po := range []string{"PO1", "PO2", "PO3"} {
		wg.Go(func() {
			var err error
			if sent[i], err = r.b.Send(ctx, member(po)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	files := r.files(t)
	if len(files) != 1 {
		t.Fatalf("files %v, want one interchange", files)
	}
	sets := map[string]bool{}
	for _, s := range sent {
		if s.Document != "B000000001.850.x12" || s.Control != "1" || len(s.Refs) != 1 || s.Refs[0].ID != "1" {
			t.Errorf("sent %+v: want the batch's document and control", s)
		}
		sets[s.Set] = true
	}
	if len(sets) != 3 || !sets["0001"] || !sets["0003"] {
		t.Errorf("set numbers %v, want 0001..0003", sets)
	}
	body := files["B000000001.850.x12"]
	for _, po := range []string{"PO1", "PO2", "PO3"} {
		if !strings.Contains(body, " "+po+"\n") {
			t.Errorf("%s missing from %q", po, body)
		}
	}
	if !strings.HasPrefix(body, "BEGIN 1\n") || !strings.HasSuffix(body, "END 3\n") {
		t.Errorf("envelope %q", body)
	}

	// A lone PO waits for company until max_wait ends.
	done := make(chan connector.Sent)
	go func() {
		s, err := r.b.Send(ctx, member("PO4"))
		if err != nil {
			t.Error(err)
		}
		done <- s
	}()
	r.fire <- time.Time{}
	s := <-done
	if s.Document != "B000000002.850.x12" || s.Set != "0001" {
		t.Errorf("lone PO sent %+v", s)
	}
	if len(r.files(t)) != 2 {
		t.Errorf("files %v", r.files(t))
	}
}

// TestBatchRetriedWholeKeepsItsNumber: a batch whose write failed is
// retried by all its members; the same members get the same control
// number and file name, so the partner never sees two interchanges.
func TestBatchRetriedWholeKeepsItsNumber(t *testing.T) {
	r := newBatchRig(t, 2)
	ctx := context.Background()
	send := func() []connector.Sent {
		out := make([]connector.Sent, 2)
		var wg sync.WaitGroup
		for i, po := range []string{"PO2", "PO1"} {
			wg.Go(func() { out[i], _ = r.b.Send(ctx, member(po)) })
		}
		wg.Wait()
		return out
	}
	first, again := send(), send()
	if first[0].Control != again[0].Control || first[0].Document != again[0].Document {
		t.Errorf("first %+v, again %+v: a batch of the same POs must keep its number", first, again)
	}
	if len(r.files(t)) != 1 {
		t.Errorf("files %v", r.files(t))
	}
}

// TestBatchCheckFailsAlone: a PO the profile refuses fails by itself and
// never joins (or sinks) a batch.
func TestBatchCheckFailsAlone(t *testing.T) {
	r := newBatchRig(t, 2)
	bad := member("BAD")
	refused := errors.New("element 3: not in the charset")
	bad.Check = func() error { return refused }
	if _, err := r.b.Send(context.Background(), bad); !errors.Is(err, refused) {
		t.Fatalf("err = %v", err)
	}
	if r.b.open != nil {
		t.Error("the refused PO opened a batch")
	}
}

// TestBatchCallerLeavesBatchStillWritten: a member whose context ends
// stops waiting; the batch is written for the others all the same.
func TestBatchCallerLeavesBatchStillWritten(t *testing.T) {
	r := newBatchRig(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	left := make(chan error)
	go func() {
		_, err := r.b.Send(ctx, member("PO1"))
		left <- err
	}()
	for {
		r.b.mu.Lock()
		joined := r.b.open != nil && len(r.b.open.members) == 1
		r.b.mu.Unlock()
		if joined {
			break
		}
		time.Sleep(time.Millisecond) // hang guard only: waits for the goroutine to join
	}
	cancel()
	if err := <-left; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	s, err := r.b.Send(context.Background(), member("PO2"))
	if err != nil || s.Set != "0002" {
		t.Fatalf("second member: %+v %v", s, err)
	}
	if body := r.files(t)[s.Document]; !strings.Contains(body, "PO1") || !strings.Contains(body, "PO2") {
		t.Errorf("batch %q", body)
	}
}

func TestBatchCheck(t *testing.T) {
	for _, c := range []struct {
		b    Batch
		bad  bool
		what string
	}{
		{Batch{}, false, "off"},
		{Batch{MaxSets: 50, MaxWait: 200 * time.Millisecond}, false, "on"},
		{Batch{MaxSets: 50}, true, "no wait"},
		{Batch{MaxSets: -1}, true, "negative"},
		{Batch{MaxSets: 10000, MaxWait: time.Second}, true, "too many"},
	} {
		if got := len(c.b.Check("batch")) > 0; got != c.bad {
			t.Errorf("%s: problems %v", c.what, c.b.Check("batch"))
		}
	}
}

// TestBatchWaitIsNotWork: a member waiting for its batch tells its worker
// so (job.Waiting), and says when the wait is over, so a worker may run
// another job in its place meanwhile.
func TestBatchWaitIsNotWork(t *testing.T) {
	r := newBatchRig(t, 2)
	parked := make(chan struct{}, 1)
	var resumed atomic.Int32
	ctx := job.WithWaiting(context.Background(), func() func() {
		parked <- struct{}{}
		return func() { resumed.Add(1) }
	})
	done := make(chan error)
	go func() {
		_, err := r.b.Send(ctx, member("PO1"))
		done <- err
	}()
	select { // PO1 waits for company
	case <-parked:
	case <-time.After(time.Minute): // a hang guard
		t.Fatal("a member waiting for its batch did not say so")
	}
	if n := resumed.Load(); n != 0 {
		t.Fatalf("resumed %d times before its batch was written", n)
	}
	if _, err := r.b.Send(context.Background(), member("PO2")); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := resumed.Load(); n != 1 {
		t.Fatalf("resumed %d times; want once, after the write", n)
	}
}
