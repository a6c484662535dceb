package embedded

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/dropgate/dropgate/core/store"
)

// The preallocator writes only past bbolt's high-water mark: with it
// zeroing as fast as it can while many enqueues grow the file, every job
// and payload is intact after a reopen and bbolt's consistency check
// finds nothing. A zero written over a page would fail one or the other.
func TestPreallocationNeverOverwritesPages(t *testing.T) {
	s := openTemp(t)
	if s.w.pre == nil {
		t.Fatal("no preallocator on a writable store")
	}
	ctx := context.Background()
	const writers, perWriter = 16, 150
	payload := func(i int) []byte { return bytes.Repeat([]byte{byte(i%250 + 1)}, 1500+i%700) }

	stop := make(chan struct{})
	var zeroing sync.WaitGroup
	zeroing.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := s.w.pre.extend(); err != nil {
				t.Error(err)
				return
			}
		}
	})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for k := range perWriter {
				i := w*perWriter + k
				if _, err := s.Enqueue(ctx, store.Job{ID: fmt.Sprintf("j%05d", i), Queue: "q", Payload: payload(i),
					UniqueKey: fmt.Sprintf("u%05d", i)}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	zeroing.Wait()

	// Zeros were written ahead of the data, and they are zeros.
	var hwm, zeroedTo int64
	s.w.fileMu.Lock()
	hwm, err := s.w.pre.highWater()
	zeroedTo = s.w.pre.zeroedTo
	s.w.fileMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if zeroedTo <= hwm {
		t.Fatalf("zeros end at %d, not past the high-water mark %d", zeroedTo, hwm)
	}
	raw, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(raw)) < zeroedTo {
		t.Fatalf("file is %d bytes, zeros were written to %d", len(raw), zeroedTo)
	}
	if !bytes.Equal(raw[hwm:zeroedTo], make([]byte, zeroedTo-hwm)) {
		t.Fatal("bytes past the high-water mark are not the preallocator's zeros")
	}

	s = reopen(t, s)
	defer s.Close()
	if err := s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	}); err != nil {
		t.Fatalf("bbolt check after preallocation: %v", err)
	}
	for i := range writers * perWriter {
		if got := storedPayload(t, s, fmt.Sprintf("j%05d", i)); !bytes.Equal(got, payload(i)) {
			t.Fatalf("job %d: payload changed (%d bytes)", i, len(got))
		}
	}
}

// The preallocator stops with the store, and a store reopened on a file
// with zeros past its data serves as before.
func TestPreallocatedFileReopens(t *testing.T) {
	s := openTemp(t)
	ctx := context.Background()
	big := bytes.Repeat([]byte("p"), 64<<10)
	for i := range 40 {
		if _, err := s.Enqueue(ctx, store.Job{ID: fmt.Sprintf("j%d", i), Queue: "q", Payload: big}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.w.pre.extend(); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s)
	defer s.Close()
	if _, err := s.Enqueue(ctx, store.Job{ID: "after", Queue: "q", Payload: big}); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		if got := storedPayload(t, s, fmt.Sprintf("j%d", i)); !bytes.Equal(got, big) {
			t.Fatalf("job %d after reopen: payload of %d bytes", i, len(got))
		}
	}
}

// storedPayload reads job id's payload from the file.
func storedPayload(t *testing.T, s *Store, id string) []byte {
	t.Helper()
	key := jobStorageKey(t, s, id)
	var p []byte
	if err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		p, err = getPayload(tx, key)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return p
}

// A store that grows is preallocated without being asked: once its pages
// pass preallocFrom, a commit wakes the preallocator, which writes zeros
// past them.
func TestGrowingStorePreallocates(t *testing.T) {
	s := openTemp(t)
	defer s.Close()
	ctx := context.Background()
	big := randomBytes(16 << 10) // stored as it is: s2 does not shrink it
	for range 2 * preallocFrom / len(big) {
		if _, err := s.Enqueue(ctx, store.Job{Queue: "q", Payload: big}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-s.w.pre.extended:
	case <-time.After(10 * time.Second):
		t.Fatal("no zeros written for a store past preallocFrom")
	}
	s.w.fileMu.Lock()
	defer s.w.fileMu.Unlock()
	hwm, err := s.w.pre.highWater()
	if err != nil {
		t.Fatal(err)
	}
	if s.w.pre.zeroedTo <= hwm {
		t.Fatalf("zeros end at %d, the pages at %d", s.w.pre.zeroedTo, hwm)
	}
}
