package transport

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestDirectoryNotExist(t *testing.T) {
	dir := t.TempDir()
	d := NewDirectory(filepath.Join(dir, "out"), filepath.Join(dir, "in"), "")
	ctx := context.Background()
	writeFile(t, filepath.Join(dir, "in", "a.edi"), "a")

	if _, err := d.Get(ctx, "missing.edi"); !errors.Is(err, ErrNotExist) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Get missing: %v, want ErrNotExist", err)
	}
	if err := d.Archive(ctx, "a.edi"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "in", "a.edi"), "a again")
	if err := d.Archive(ctx, "a.edi"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "in", "archive", "a.edi.1")); err != nil || string(b) != "a again" {
		t.Fatalf("clash suffix: %q, %v", b, err)
	}
	if err := d.Archive(ctx, "a.edi"); !errors.Is(err, ErrNotExist) {
		t.Fatalf("Archive of a file already gone: %v, want ErrNotExist", err)
	}
}

// A cancelled context writes nothing: the job is retried, and must not
// have delivered what it reports as failed.
func TestDirectoryPutHonoursCancelledContext(t *testing.T) {
	dir := t.TempDir()
	d := NewDirectory(filepath.Join(dir, "out"), "", "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Put(ctx, "po.x12", []byte("x")); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put with a cancelled context: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "po.x12")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the file was written: %v", err)
	}
}
