//go:build unix

package transport

import (
	"errors"
	"os"
	"syscall"
)

// lockTemp takes an advisory lock on a temporary file while it is being
// written, so that a sweep (in this process after a restart, or in
// another replica sharing the folder) can tell a live writer's file from
// one left by a writer that died: the kernel drops the lock with the
// process, kill -9 included. Best effort: a file system without locks
// leaves the sweep to the file's age.
func lockTemp(f *os.File) {
	_ = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// removeUnheld removes the temporary file p unless a live writer holds
// its lock. known is false when the file system cannot say (no locks),
// and then nothing is removed.
func removeUnheld(p string) (removed, known bool) {
	// Opened for writing: over NFS, flock is a POSIX lock, and an
	// exclusive one needs a writable descriptor. Nothing is written.
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		return false, true // gone already (renamed into view, or swept)
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	switch {
	case err == nil:
		return os.Remove(p) == nil, true
	case errors.Is(err, syscall.EWOULDBLOCK):
		return false, true
	}
	return false, false
}
