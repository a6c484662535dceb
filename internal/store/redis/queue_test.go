package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/dropgate/dropgate/core/store"
)

// replayEnqueue runs every enqueue script twice and answers with the
// second reply: what the caller sees when the first reply was lost on the
// network and go-redis sent the command again. Pipelines of enqueue
// scripts (concurrent calls share them, group.go) are replayed whole.
type replayEnqueue struct{}

func (replayEnqueue) DialHook(next goredis.DialHook) goredis.DialHook { return next }
func (replayEnqueue) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []goredis.Cmder) error {
		for _, cmd := range cmds {
			if args := cmd.Args(); strings.EqualFold(cmd.Name(), "evalsha") && len(args) > 1 && args[1] == scriptEnqueue.Hash() {
				if err := next(ctx, cmds); err != nil {
					return err
				}
				break
			}
		}
		return next(ctx, cmds)
	}
}

func (replayEnqueue) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		args := cmd.Args()
		if strings.EqualFold(cmd.Name(), "evalsha") && len(args) > 1 && args[1] == scriptEnqueue.Hash() {
			if err := next(ctx, cmd); err != nil {
				return err
			}
		}
		return next(ctx, cmd)
	}
}

// TestEnqueueRetriedAfterLostReply: the script ran twice, and Enqueue still
// reports success with one job stored, because an id it generated can
// only have been stored by its own first attempt.
func TestEnqueueRetriedAfterLostReply(t *testing.T) {
	s := openTest(t, standaloneOptions(t))
	defer s.Close()
	s.rdb.AddHook(replayEnqueue{})
	ctx := context.Background()
	for _, j := range []store.Job{
		{Queue: "q", Payload: []byte("plain")},
		{Queue: "q", Payload: []byte("unique"), UniqueKey: "webhook:1", UniqueTTL: time.Hour},
	} {
		if _, err := s.Enqueue(ctx, j); err != nil {
			t.Fatalf("Enqueue(%s) whose reply was replayed: %v", j.Payload, err)
		}
	}
	if st := queueStats(t, s, "q"); st.Ready != 2 {
		t.Fatalf("Stats = %+v; want 2 ready", st)
	}
	// A caller's own id is different: the job may be someone else's.
	if _, err := s.Enqueue(ctx, store.Job{ID: "given", Queue: "q"}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("Enqueue with a given id, replayed: %v; want ErrDuplicate (the id is taken)", err)
	}
}

// TestErrorsKeepNewest: a job retried more than maxErrors times keeps the
// newest maxErrors errors, in order.
func TestErrorsKeepNewest(t *testing.T) {
	s := openTest(t, standaloneOptions(t))
	defer s.Close()
	ctx := context.Background()
	id, err := s.Enqueue(ctx, store.Job{Queue: "q"})
	if err != nil {
		t.Fatal(err)
	}
	const retries = maxErrors + 5
	for i := range retries {
		j, err := s.Dequeue(ctx, []string{"q"}, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Retry(ctx, j, time.Time{}, fmt.Errorf("throttled %d", i), false); err != nil {
			t.Fatal(err)
		}
	}
	j, err := s.Dequeue(ctx, []string{"q"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Bury(ctx, j, errors.New("gave up")); err != nil {
		t.Fatal(err)
	}
	dead, err := s.DeadLetter(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead.Errors) != maxErrors {
		t.Fatalf("kept %d errors; want %d", len(dead.Errors), maxErrors)
	}
	if first, last := dead.Errors[0].Error, dead.Errors[maxErrors-1].Error; first != fmt.Sprintf("throttled %d", retries-maxErrors+1) || last != "gave up" {
		t.Fatalf("kept %q … %q; want the newest", first, last)
	}
	if dead.Attempt != 1 {
		t.Fatalf("Attempt = %d after uncounted retries; want 1", dead.Attempt)
	}
}

// TestReclaimByAnotherProcess: a worker dies holding a lease (its store is
// closed without settling); a process that never dequeued reclaims it.
func TestReclaimByAnotherProcess(t *testing.T) {
	o := standaloneOptions(t)
	prefix := testPrefix()
	t.Cleanup(func() { wipe(t, o, prefix) })
	ctx := context.Background()
	dying := openPrefixed(t, o, prefix)
	id, err := dying.Enqueue(ctx, store.Job{Queue: "q", Group: "order-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dying.Dequeue(ctx, []string{"q"}, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	dying.Close()

	other := openPrefixed(t, o, prefix)
	defer other.Close()
	deadline := time.Now().Add(10 * time.Second)
	for queueStats(t, other, "q").Ready != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("lease not reclaimed: %+v", queueStats(t, other, "q"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	j, err := other.Dequeue(ctx, []string{"q"}, time.Minute)
	if err != nil || j.ID != id || j.Attempt != 2 {
		t.Fatalf("Dequeue = %+v, %v; want %s attempt 2", j, err, id)
	}
}

func queueStats(t *testing.T, s *Store, queue string) store.QueueStats {
	t.Helper()
	all, err := s.Stats(context.Background())
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	for _, st := range all {
		if st.Queue == queue {
			return st
		}
	}
	return store.QueueStats{Queue: queue}
}

// TestReadyMemberLayout: the scripts write ready-set members the way Go
// reads them back (16 hex digits of sequence, then the id).
func TestReadyMemberLayout(t *testing.T) {
	s := openTest(t, standaloneOptions(t))
	defer s.Close()
	ctx := context.Background()
	id, err := s.Enqueue(ctx, store.Job{Queue: "q"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.rdb.ZRange(ctx, s.keys.queue("q").ready, 0, -1).Result()
	if err != nil {
		t.Fatal(err)
	}
	if want := readyMember(1, id); len(got) != 1 || got[0] != want || idOfReady(got[0]) != id {
		t.Fatalf("ready set %q; want [%q]", got, want)
	}
}
