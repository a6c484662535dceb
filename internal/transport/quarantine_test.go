package transport

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dropgate/dropgate/core/fault"
)

// checkQuarantine drops files whose names the transport refuses into the
// inbox: each is listed (so the engine sees it), Get moves it into the
// archive's quarantine folder intact and fails permanently (a dead
// letter and an exception for the operator, no retries), and a name
// that cannot even be addressed fails permanently without touching
// anything.
func checkQuarantine(t *testing.T, tr Transport, inbox, archive string) {
	t.Helper()
	ctx := context.Background()
	bad := map[string]string{`C:\orders\856.edi`: "C__orders_856.edi", "tab\there.edi": "tab_here.edi"}
	for name := range bad {
		writeFile(t, filepath.Join(inbox, name), "doc "+name)
	}
	files, err := tr.List(ctx)
	if err != nil || len(files) != len(bad) {
		t.Fatalf("List = %v, %v; want the %d files", files, err, len(bad))
	}
	for name, safe := range bad {
		_, err := tr.Get(ctx, name)
		if err == nil || !fault.IsPermanent(err) || !strings.Contains(err.Error(), "quarantine") {
			t.Errorf("Get(%q) = %v, want a permanent error naming the quarantine", name, err)
		}
		got, rerr := os.ReadFile(filepath.Join(archive, "quarantine", safe))
		if rerr != nil || string(got) != "doc "+name {
			t.Errorf("quarantine/%s = %q, %v", safe, got, rerr)
		}
		if _, err := tr.Get(ctx, name); !errors.Is(err, ErrNotExist) {
			t.Errorf("Get(%q) again: %v, want ErrNotExist (it was moved)", name, err)
		}
	}
	for _, name := range []string{"../../etc/passwd", "a\x00b", strings.Repeat("x", 300)} {
		if _, err := tr.Get(ctx, name); err == nil || !fault.IsPermanent(err) {
			t.Errorf("Get(%.20q) = %v, want a permanent error", name, err)
		}
	}
	if files, _ := tr.List(ctx); len(files) != 0 {
		t.Errorf("inbox still lists %v", files)
	}
}

func TestDirectoryQuarantinesBadNames(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	checkQuarantine(t, NewDirectory(filepath.Join(dir, "out"), in, ""), in, filepath.Join(in, "archive"))
}

func TestSFTPQuarantinesBadNames(t *testing.T) {
	srv := newTestServer(t)
	checkQuarantine(t, openSFTP(t, srv.config()), srv.local("in"), srv.local("in/archive"))
}

// Archive of a name the transport refuses moves it to the quarantine
// too, and fails permanently (never a retry loop) when it cannot.
func TestArchiveOfABadNameQuarantines(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	d := NewDirectory(filepath.Join(dir, "out"), in, "")
	writeFile(t, filepath.Join(in, "a\\b.edi"), "doc")
	if err := d.Archive(context.Background(), "a\\b.edi"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(in, "archive", "quarantine", "a_b.edi")); err != nil || string(b) != "doc" {
		t.Errorf("quarantine/a_b.edi = %q, %v", b, err)
	}
	if err := d.Archive(context.Background(), "../x.edi"); !fault.IsPermanent(err) {
		t.Errorf("Archive of an unaddressable name: %v, want a permanent error", err)
	}
}
