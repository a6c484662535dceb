package transport

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// archiveWithin runs Archive under a hang guard: the transport must
// answer (done or an error) before ctx ends.
func archiveWithin(ctx context.Context, t *testing.T, tr Transport, name string) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- tr.Archive(ctx, name) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		t.Fatalf("Archive of a %d-byte name did not return: it loops", len(name))
		return nil
	}
}

// checkLongNameArchive archives a 250-character name twice into an archive
// that already holds a file of that name (so "name.1" is over the file
// system's limit) and checks every copy is kept under a bounded name.
func checkLongNameArchive(t *testing.T, tr Transport, inbox, archive string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// 250 characters, 255 bytes: a partner's name with a few accented
	// letters, as long as the file system allows.
	name := strings.Repeat("é", 5) + strings.Repeat("n", 241) + ".edi"
	writeFile(t, filepath.Join(archive, name), "archived before")
	for _, content := range []string{"first", "second"} {
		writeFile(t, filepath.Join(inbox, name), content)
		if err := archiveWithin(ctx, t, tr, name); err != nil {
			t.Fatalf("archive %s: %v", content, err)
		}
	}
	if _, err := os.Stat(filepath.Join(inbox, name)); !os.IsNotExist(err) {
		t.Errorf("the file is still in the inbox: %v", err)
	}
	entries, err := os.ReadDir(archive)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		if len(e.Name()) > MaxNameLen {
			t.Errorf("archived as a %d-byte name", len(e.Name()))
		}
		b, err := os.ReadFile(filepath.Join(archive, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == name && string(b) != "archived before" {
			t.Errorf("the earlier archived copy was overwritten with %q", b)
		}
		got = append(got, string(b))
	}
	sort.Strings(got)
	if strings.Join(got, ",") != "archived before,first,second" {
		t.Errorf("archive holds %q, want the earlier copy and both new ones", got)
	}
}

func TestDirectoryArchiveLongNameClash(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	d := NewDirectory(filepath.Join(dir, "out"), in, "")
	checkLongNameArchive(t, d, in, filepath.Join(in, "archive"))
}

func TestSFTPArchiveLongNameClash(t *testing.T) {
	srv := newTestServer(t)
	tr := openSFTP(t, srv.config())
	checkLongNameArchive(t, tr, srv.local("in"), srv.local("in/archive"))
}
