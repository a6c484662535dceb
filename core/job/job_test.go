package job

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/fault"
	"github.com/dropgate/dropgate/core/store"
)

type sendPO struct {
	Order string `json:"order"`
	PO    string `json:"po"`
}

var kindSend = Kind[sendPO]{
	Name: "po.send", Queue: "outbound",
	Options: func(p sendPO) Options {
		return Options{Group: "po:" + p.Order, UniqueKey: "po.send:" + p.PO, MaxAttempts: 7}
	},
	Subject: func(p sendPO) Subject { return Subject{Order: p.Order, PO: p.PO, Connector: "acme"} },
}

func TestKindRoundTripAndMux(t *testing.T) {
	j, err := kindSend.New(sendPO{Order: "o1", PO: "PO1"})
	if err != nil {
		t.Fatal(err)
	}
	if j.Queue != "outbound" || j.Kind != "po.send" || j.Group != "po:o1" || j.UniqueKey != "po.send:PO1" || j.MaxAttempts != 7 {
		t.Errorf("job = %+v", j)
	}
	if s := SubjectOf(&j); s != (Subject{Order: "o1", PO: "PO1", Connector: "acme"}) {
		t.Errorf("subject = %+v", s)
	}
	m := NewMux()
	var got sendPO
	Handle(m, kindSend, func(_ context.Context, _ *store.Job, p sendPO) error { got = p; return nil })
	if err := m.Serve(context.Background(), &j); err != nil || got.PO != "PO1" {
		t.Fatalf("serve: %v, got %+v", err, got)
	}
	bad := store.Job{Kind: "po.send", Payload: []byte("{")}
	if err := m.Serve(context.Background(), &bad); !fault.IsPermanent(err) {
		t.Errorf("a payload that does not decode: %v, want permanent", err)
	}
	unknown := store.Job{Kind: "nope"}
	if err := m.Serve(context.Background(), &unknown); !fault.IsPermanent(err) {
		t.Errorf("unknown kind: %v, want permanent", err)
	}
}

func TestMuxRefusesDuplicatesAndContainsPanics(t *testing.T) {
	m := NewMux()
	var order []string
	m.Use(func(kind string, next Handler) Handler {
		return func(ctx context.Context, j *store.Job) error { order = append(order, "mw:"+kind); return next(ctx, j) }
	})
	m.HandleRaw("boom", func(context.Context, *store.Job) error { panic("bad payload") })
	err := m.Serve(context.Background(), &store.Job{Kind: "boom"})
	var pe *PanicError
	if !fault.IsPermanent(err) || !errors.As(err, &pe) || len(pe.Stack) == 0 {
		t.Errorf("panic = %v, want a permanent PanicError with its stack", err)
	}
	if len(order) != 1 || order[0] != "mw:boom" {
		t.Errorf("middleware calls = %v", order)
	}
	defer func() {
		if recover() == nil {
			t.Error("a kind was registered twice")
		}
	}()
	m.HandleRaw("boom", func(context.Context, *store.Job) error { return nil })
}

type fakeQueue struct{ seen map[string]bool }

func (q *fakeQueue) Enqueue(_ context.Context, j store.Job) (string, error) {
	if q.seen[j.UniqueKey] {
		return "", store.ErrDuplicate
	}
	q.seen[j.UniqueKey] = true
	return "id", nil
}

func TestEnqueueTreatsDuplicatesAsDone(t *testing.T) {
	q := &fakeQueue{seen: map[string]bool{}}
	for i := 0; i < 2; i++ {
		if err := Enqueue(context.Background(), q, kindSend, sendPO{Order: "o", PO: "P"}); err != nil {
			t.Fatal(err)
		}
	}
	later := Kind[sendPO]{Name: "x", Options: func(sendPO) Options { return Options{RunAt: time.Unix(10, 0)} }}
	if j, _ := later.New(sendPO{}); !j.RunAt.Equal(time.Unix(10, 0)) || j.Meta != nil {
		t.Errorf("job = %+v", j)
	}
}

// TestWaiting: Waiting reaches the runner's park through ctx, once per
// call, and its resume; with no runner behind ctx it does nothing.
func TestWaiting(t *testing.T) {
	var parks, resumes int
	ctx := WithWaiting(context.Background(), func() func() {
		parks++
		return func() { resumes++ }
	})
	resume := Waiting(ctx)
	if parks != 1 || resumes != 0 {
		t.Fatalf("after Waiting: parks %d, resumes %d; want 1, 0", parks, resumes)
	}
	resume()
	if parks != 1 || resumes != 1 {
		t.Fatalf("after resume: parks %d, resumes %d; want 1, 1", parks, resumes)
	}
	Waiting(context.Background())() // no runner: nothing to call, no panic
	if parks != 1 || resumes != 1 {
		t.Fatalf("a ctx without a runner reached one: parks %d, resumes %d", parks, resumes)
	}
}
