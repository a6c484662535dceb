//go:build unix

package transport

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A temporary file a minute old is judged by its lock: kept while a live
// writer holds it (a slow write on a loaded disk), removed once no one
// does (its writer was killed, and the kernel dropped its lock).
func TestDirectorySweepHonoursALiveWritersLock(t *testing.T) {
	out := t.TempDir()
	minuteAgo := time.Now().Add(-time.Minute)
	held, dead := tempName("PO-1.850.x12"), tempName("PO-2.850.x12")
	for _, name := range []string{held, dead} {
		writeFile(t, filepath.Join(out, name), "ISA~")
		if err := os.Chtimes(filepath.Join(out, name), minuteAgo, minuteAgo); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(filepath.Join(out, held), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatalf("flock: %v", err)
	}
	if err := NewDirectory(out, "", "").Put(context.Background(), "PO-3.850.x12", []byte("ISA~")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, held)); err != nil {
		t.Errorf("a live writer's temporary file was removed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, dead)); !os.IsNotExist(err) {
		t.Errorf("a dead writer's temporary file is still there: %v", err)
	}
}
