package embedded

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dropgate/dropgate/core/store"
)

// A reader sees what the owner wrote once the owner has closed the file,
// cannot open it while the owner holds it, and never creates a file.
func TestReaderReadsAFileNobodyHolds(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "dropgate.db")
	if _, err := OpenReader(path, 50*time.Millisecond); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("OpenReader created the file: %v", err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutRecord(ctx, store.Record{Kind: "k", ID: "1", Data: []byte(`{"a":1}`)}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutBlob(ctx, "b", []byte("blob")); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenReader(path, 50*time.Millisecond); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("held by its owner: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := OpenReader(path, 50*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := r.GetRecord(ctx, "k", "1")
	if err != nil || string(rec.Data) != `{"a":1}` || rec.Version != 1 {
		t.Errorf("record = %+v, %v", rec, err)
	}
	if _, err := r.GetRecord(ctx, "k", "2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing record: %v", err)
	}
	if _, err := r.GetRecord(ctx, "other", "1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing kind: %v", err)
	}
	if b, err := r.GetBlob(ctx, "b"); err != nil || string(b) != "blob" {
		t.Errorf("blob = %q, %v", b, err)
	}
	// Readers share the file; the owner waits for them.
	r2, err := OpenReader(path, 50*time.Millisecond)
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	if _, err := Open(path, WithLockTimeout(50*time.Millisecond)); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Open while read: %v", err)
	}
	r.Close()
	r2.Close()
	s, err = Open(path)
	if err != nil {
		t.Fatalf("Open after the readers: %v", err)
	}
	s.Close()
}
