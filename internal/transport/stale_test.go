package transport

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// leftover is an outbox as a writer killed during a Put leaves it: the
// PO renamed into view by an earlier Put, and a temporary copy of it
// that was never renamed, written an hour ago.
type leftover struct {
	outbox             string
	po, stale, young   string
	notOurs, hiddenDoc string
	data               []byte
	poTime             time.Time
}

func leaveTempFiles(t *testing.T, outbox string) *leftover {
	t.Helper()
	l := &leftover{outbox: outbox, po: "PO-1001-1.850.x12", data: []byte("ISA*00*...*000000017~ST*850*0001~")}
	l.stale = tempName(l.po)
	l.young = tempName("PO-1002-1.850.x12") // a Put in progress elsewhere: too young to judge
	l.notOurs = ".PO-1001-1.850.x12.tmp-partner"
	l.hiddenDoc = ".keep"
	hourAgo := time.Now().Add(-time.Hour)
	for _, name := range []string{l.po, l.stale, l.young, l.notOurs, l.hiddenDoc} {
		writeFile(t, filepath.Join(outbox, name), string(l.data))
		if name != l.young {
			if err := os.Chtimes(filepath.Join(outbox, name), hourAgo, hourAgo); err != nil {
				t.Fatal(err)
			}
		}
	}
	info, err := os.Stat(filepath.Join(outbox, l.po))
	if err != nil {
		t.Fatal(err)
	}
	l.poTime = info.ModTime()
	return l
}

// check: the stale temporary file is gone; the PO, the young temporary
// file and every name not of our temporary pattern are untouched.
func (l *leftover) check(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(l.outbox, l.stale)); !os.IsNotExist(err) {
		t.Errorf("stale temporary file %s still there (%v): a careless pickup sends the PO twice", l.stale, err)
	}
	for _, name := range []string{l.po, l.young, l.notOurs, l.hiddenDoc} {
		b, err := os.ReadFile(filepath.Join(l.outbox, name))
		if err != nil || !bytes.Equal(b, l.data) {
			t.Errorf("%s: %q, %v; want it untouched", name, b, err)
		}
	}
	if info, err := os.Stat(filepath.Join(l.outbox, l.po)); err != nil || !info.ModTime().Equal(l.poTime) {
		t.Errorf("the PO file was rewritten: %v", err)
	}
}

func TestDirectoryCleansStaleTempFilesAtStart(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	l := leaveTempFiles(t, out)
	d := NewDirectory(out, filepath.Join(dir, "in"), "")
	if _, err := d.List(context.Background()); err != nil { // the first call after a start: an inbox poll
		t.Fatal(err)
	}
	l.check(t)
}

func TestSFTPCleansStaleTempFilesAtStart(t *testing.T) {
	srv := newTestServer(t)
	l := leaveTempFiles(t, srv.local("out"))
	tr := openSFTP(t, srv.config())
	if err := tr.Put(context.Background(), "PO-1003-1.850.x12", []byte("next PO")); err != nil {
		t.Fatal(err)
	}
	l.check(t)
}
