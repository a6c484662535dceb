package redis

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// enqueueOldLayout stores j the way releases before the packed layout did:
// the same enqueue script, every fixed field a hash field of its own.
func enqueueOldLayout(t *testing.T, s *Store, j store.Job) {
	t.Helper()
	ctx := context.Background()
	now := s.clock.Now()
	j.RunAt, j.CreatedAt, j.MaxAttempts = now, now.Add(-time.Minute), 3
	meta, err := encodeMap(j.Meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.register(ctx, j.Queue); err != nil {
		t.Fatal(err)
	}
	q := s.keys.queue(j.Queue)
	args := []any{j.ID, micros(now), micros(j.RunAt), s.keys.channel(), j.Queue, j.Group, j.Key, j.UniqueKey, "0", micros(now), "1"}
	args = appendFields(args, "id", j.ID, "queue", j.Queue, "kind", j.Kind, "payload", j.Payload, "meta", meta,
		"group", j.Group, "key", j.Key, "ukey", j.UniqueKey,
		"max", itoa(int64(j.MaxAttempts)), "created", micros(j.CreatedAt), "runat", micros(j.RunAt))
	status, _, err := s.evalList(ctx, scriptEnqueue,
		[]string{q.job(j.ID), q.ready, q.sched, q.meta, q.cnt, q.group(j.Group), q.uniq(j.UniqueKey)}, args...)
	if err != nil || status == "dup-id" || status == "dup-key" {
		t.Fatalf("old-layout enqueue of %s: %q, %v", j.ID, status, err)
	}
}

// TestOldLayoutJobsSurviveUpgrade: jobs in flight when a rolling upgrade
// replaces the old release are leased, retried, buried, replayed and
// acknowledged by the new one with nothing lost, and their groups and
// unique keys keep working beside new-layout jobs.
func TestOldLayoutJobsSurviveUpgrade(t *testing.T) {
	s := openTest(t, standaloneOptions(t))
	defer s.Close()
	ctx := context.Background()
	old := store.Job{ID: "old-1", Queue: "q", Kind: "po.send", Payload: []byte("\x00binary\xffpayload"),
		Meta: map[string]string{"trace": "t1"}, Group: "order-7", Key: "acme", UniqueKey: "po:7"}
	enqueueOldLayout(t, s, old)
	// A new-layout job behind it in the same group, and one on its own.
	if _, err := s.Enqueue(ctx, store.Job{ID: "new-1", Queue: "q", Kind: "po.send", Payload: []byte("second"), Group: "order-7"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Enqueue(ctx, store.Job{Queue: "q", UniqueKey: "po:7"}); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("unique key held by an old-layout job: %v; want ErrDuplicate", err)
	}

	j := dequeue(t, s)
	if j.ID != old.ID || j.Kind != old.Kind || !bytes.Equal(j.Payload, old.Payload) || !reflect.DeepEqual(j.Meta, old.Meta) ||
		j.Group != old.Group || j.Key != old.Key || j.UniqueKey != old.UniqueKey || j.MaxAttempts != 3 || j.Attempt != 1 ||
		j.CreatedAt.IsZero() || j.Queue != "q" {
		t.Fatalf("old-layout job read back as %+v", j)
	}
	if err := s.Retry(ctx, j, time.Time{}, errors.New("supplier down"), true); err != nil {
		t.Fatal(err)
	}
	j = dequeue(t, s)
	if j.ID != old.ID || j.Attempt != 2 || len(j.Errors) != 1 {
		t.Fatalf("retried old-layout job: %+v; want attempt 2 with one error", j)
	}
	if err := s.Bury(ctx, j, errors.New("gave up")); err != nil {
		t.Fatal(err)
	}
	dead, err := s.DeadLetter(ctx, old.ID)
	if err != nil || !bytes.Equal(dead.Payload, old.Payload) || len(dead.Errors) != 2 {
		t.Fatalf("DeadLetter(old) = %+v, %v", dead, err)
	}
	// Burying released the group: the new-layout job runs next.
	if n := dequeue(t, s); n.ID != "new-1" || string(n.Payload) != "second" {
		t.Fatalf("after the old head was buried, got %+v; want new-1", n)
	} else if err := s.Ack(ctx, n); err != nil {
		t.Fatal(err)
	}
	if err := s.Replay(ctx, old.ID); err != nil {
		t.Fatal(err)
	}
	j = dequeue(t, s)
	if j.ID != old.ID || j.Attempt != 1 || !bytes.Equal(j.Payload, old.Payload) {
		t.Fatalf("replayed old-layout job: %+v", j)
	}
	if err := s.Ack(ctx, j); err != nil {
		t.Fatal(err)
	}
	// Its lifetime unique key went with it.
	if _, err := s.Enqueue(ctx, store.Job{Queue: "q", UniqueKey: "po:7"}); err != nil {
		t.Fatalf("unique key after the old-layout job was acknowledged: %v", err)
	}
}

func dequeue(t *testing.T, s *Store) *store.Job {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	j, err := s.Dequeue(ctx, []string{"q"}, time.Minute)
	if err != nil {
		t.Fatalf("Dequeue: %v", err)
	}
	return j
}

// TestPackedRoundTrip: every fixed field survives packing, empty ones
// included, and a truncated value is an error rather than a wrong job.
func TestPackedRoundTrip(t *testing.T) {
	for _, j := range []store.Job{
		{ID: "job_1", Kind: "k", Payload: bytes.Repeat([]byte{0, 0xff, 'x'}, 300), CreatedAt: time.UnixMicro(1_700_000_000_123_456).UTC()},
		{ID: "job_2", CreatedAt: time.UnixMicro(-5).UTC()},
	} {
		p := packJob(&j, `{"a":"b"}`)
		var got store.Job
		meta, err := unpackJob(string(p), &got)
		if err != nil || meta != `{"a":"b"}` || got.ID != j.ID || got.Kind != j.Kind ||
			!bytes.Equal(got.Payload, j.Payload) || !got.CreatedAt.Equal(j.CreatedAt) {
			t.Fatalf("round trip of %s: %+v, meta %q, %v", j.ID, got, meta, err)
		}
		for _, cut := range []int{0, 1, 3, len(p) - 1} {
			if _, err := unpackJob(string(p[:cut]), &store.Job{}); err == nil {
				t.Errorf("%s cut to %d bytes: no error", j.ID, cut)
			}
		}
	}
}
